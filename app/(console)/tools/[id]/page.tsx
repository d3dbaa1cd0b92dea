import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getTool } from "@/lib/tools/queries";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Decision } from "@/components/tools/Decision";
import { describeConditions, describePermissions, gatewayConditionsOf } from "@/lib/tools/conditions";
import { ReasonAction } from "@/components/ui/ReasonAction";
import { revokeDecision } from "../actions";

export const metadata: Metadata = { title: "Tool" };

export default async function ToolPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const { id } = await params;
  const t = /^[0-9a-f-]{36}$/.test(id) ? await getTool(id) : null;
  if (!t) notFound();
  const now = new Date();
  const mayDecide = can(actor.role, "tools:decide");
  // What gateways enforce: the newest standing approval's conditions apply to every call of the tool
  // (the same rule as lib/allowlist/effective.ts; a gateway cannot tell versions apart on most calls).
  const standing = t.versions
    .map((v) => ({ version: v.version, d: v.decisions[0] }))
    .filter((x) => x.d && !x.d.revokedAt && x.d.outcome !== "reject")
    .sort((a, b) => b.d!.decidedAt.getTime() - a.d!.decidedAt.getTime());
  const newest = standing[0];
  const enforced = newest?.d?.outcome === "approve_with_conditions" ? describeConditions(gatewayConditionsOf(newest.d.conditions)) : null;
  return (
    <>
      <PageHeader
        title={t.name}
        description={`${t.kind.replace("_", " ")} from ${t.source} · published by ${t.publisher}${t.publisherVerified ? " (verified)" : " (unverified)"}`}
        actions={
          can(actor.role, "tools:request") ? (
            <Link href="/tools/requests/new" className="text-sm text-brand-600 hover:underline">
              Request another version
            </Link>
          ) : undefined
        }
      />
      {t.advisoryFlaggedAt && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          Vendor advisory flagged <RelativeTime at={t.advisoryFlaggedAt} />: {t.advisoryNote}
        </p>
      )}
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="space-y-4">
          {t.versions.map((v) => {
            const vulns = (v.vulnerabilities ?? []) as { id: string; url?: string; severity?: string }[];
            return (
              <Card key={v.id} title={`Version ${v.version}`}>
                <p className="mb-2 text-sm">
                  SHA-256 <code className="break-all text-xs">{v.contentHash}</code>
                </p>
                <p className="mb-2 text-xs text-slate-600 [overflow-wrap:anywhere] dark:text-slate-400">
                  Permissions: {describePermissions(v.permissions).join("; ")} · Dependencies: {v.dependencyAudit ?? "not audited"}
                  {vulns.length > 0 && (
                    <>
                      {" "}
                      · Vulnerabilities:{" "}
                      {vulns.map((x) => (
                        <a key={x.id} href={x.url} target="_blank" rel="noreferrer noopener" className="text-brand-600 hover:underline">
                          {x.id}{" "}
                        </a>
                      ))}
                    </>
                  )}
                </p>
                <div className="space-y-2">
                  {v.decisions.length === 0 && v.requests.length === 0 && <p className="text-sm text-slate-500">Never reviewed: not on any allowlist.</p>}
                  {v.requests
                    .filter((r) => r.status === "pending")
                    .map((r) => (
                      <p key={r.id} className="text-sm">
                        <Badge tone="amber">pending</Badge>{" "}
                        <Link className="text-brand-600 hover:underline" href={`/tools/requests/${r.id}`}>
                          request by {r.requester.email}
                        </Link>{" "}
                        · <RelativeTime at={r.createdAt} />
                      </p>
                    ))}
                  {v.decisions.map((d) => (
                    <div key={d.id} className="space-y-2">
                      <Decision d={d} now={now} />
                      {mayDecide && !d.revokedAt && d.outcome !== "reject" && (
                        <ReasonAction label="Revoke approval" action={revokeDecision} payload={{ id: d.id }} placeholder="e.g. publisher account compromised" />
                      )}
                    </div>
                  ))}
                </div>
              </Card>
            );
          })}
        </div>
        <div className="space-y-4">
          <Card title="At the gateway">
            <div className="text-sm [overflow-wrap:anywhere]" data-testid="gateway-conditions">
              {!newest ? (
                <p className="text-slate-500">No standing approval: gateways block this tool (unless an exception allows it).</p>
              ) : enforced ? (
                <>
                  <p>Every call of this tool is checked against the conditions of the approval of {newest.version}:</p>
                  <ul className="ml-4 list-disc">
                    {enforced.map((x) => (
                      <li key={x}>{x}</li>
                    ))}
                  </ul>
                  {standing.length > 1 && (
                    <p className="mt-1 text-xs text-slate-500">
                      Also approved:{" "}
                      {standing
                        .slice(1)
                        .map((x) => x.version)
                        .join(", ")}
                      ; their calls get the same conditions.
                    </p>
                  )}
                </>
              ) : (
                <p>Approved without conditions ({newest.version}): only the SSRF check applies to its URLs.</p>
              )}
            </div>
          </Card>
          <Card title="In bundles">
            {t.bundles.length ? (
              <ul className="text-sm">
                {t.bundles.map((b) => (
                  <li key={b.bundle.id}>{b.bundle.name}</li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-slate-500">In no bundle.</p>
            )}
          </Card>
          <Card title="Granted directly">
            {t.grants.length ? (
              <ul className="text-sm">
                {t.grants.map((g) => (
                  <li key={g.id}>
                    <Link className="text-brand-600 hover:underline" href={`/agents/${g.agent.id}`}>
                      {g.agent.name}
                    </Link>{" "}
                    {g.kind === "exception" && (
                      <Badge tone="amber">
                        exception ends <RelativeTime at={g.expiresAt} />
                      </Badge>
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-slate-500">No direct grants.</p>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
