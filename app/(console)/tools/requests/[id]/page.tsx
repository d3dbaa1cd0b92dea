import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getRequest, getRequestDiff } from "@/lib/tools/queries";
import { isCredEgress, toPermissions } from "@/lib/tools/schema";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import { ReviewForm } from "@/components/tools/ReviewForm";
import { Decision } from "@/components/tools/Decision";
import { VersionDiff } from "@/components/tools/VersionDiff";
import { decideToolRequest } from "../../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Tool request" };

export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const { id } = await params;
  const r = /^[0-9a-f-]{36}$/.test(id) ? await getRequest(id, teamScopeOf(actor)) : null;
  if (!r) notFound();
  const perms = toPermissions(r.requestedPermissions);
  const highRisk = isCredEgress(perms);
  const t = r.toolVersion.tool;
  const vulns = (r.toolVersion.vulnerabilities ?? []) as { id: string; url?: string; severity?: string }[];
  const now = new Date();
  const diff = await getRequestDiff(r);
  const publisher = r.toolVersion.publisher ?? t.publisher;
  return (
    <>
      <PageHeader
        title={`${t.name} ${r.toolVersion.version}`}
        description={`Requested by ${r.requester.email} on ${fmtDate(r.createdAt)}`}
        actions={<Badge tone={r.status === "pending" ? "amber" : r.status === "rejected" ? "red" : "green"}>{r.status.replace(/_/g, " ")}</Badge>}
      />
      <div className="grid items-start gap-6 xl:grid-cols-2">
        <div className="min-w-0 space-y-6">
          <Card title="Request">
            <dl className="grid grid-cols-[10rem_1fr] gap-y-2 text-sm">
              <dt className="text-slate-500">Tool</dt>
              <dd>
                <Link className="text-brand-600 hover:underline" href={`/tools/${t.id}`}>
                  {t.name}
                </Link>{" "}
                · {t.kind.replace("_", " ")} · {t.source}
              </dd>
              <dt className="text-slate-500">Publisher</dt>
              <dd>
                {publisher}{" "}
                {publisher !== t.publisher ? (
                  <Badge tone="red">new publisher (tool registered as {t.publisher})</Badge>
                ) : t.publisherVerified ? (
                  <Badge tone="green">verified</Badge>
                ) : (
                  <Badge tone="amber">unverified</Badge>
                )}
              </dd>
              <dt className="text-slate-500">Content hash</dt>
              <dd>
                <code className="break-all text-xs">{r.toolVersion.contentHash}</code>
              </dd>
              <dt className="text-slate-500">Why</dt>
              <dd>{r.justification}</dd>
              <dt className="text-slate-500">Permissions</dt>
              <dd>
                {[perms.fsRead && "read files", perms.fsWrite && "write files", perms.credentialAccess && "credentials", perms.exec && "exec"].filter(Boolean).join(", ") || "none"}
                {perms.egressHosts?.length ? `; egress to ${perms.egressHosts.join(", ")}` : "; no network egress"}
                {highRisk && (
                  <>
                    {" "}
                    <Badge tone="red">credential access + egress: high risk</Badge>
                  </>
                )}
              </dd>
              <dt className="text-slate-500">For</dt>
              <dd>{[...r.agents.map((a) => `agent ${a.name}`), ...r.bundles.map((b) => `bundle ${b.name}`)].join(", ") || "—"}</dd>
              <dt className="text-slate-500">Dependency audit</dt>
              <dd>{r.toolVersion.dependencyAudit ?? "not recorded"}</dd>
              <dt className="text-slate-500">Known vulnerabilities</dt>
              <dd>
                {vulns.length
                  ? vulns.map((v) => (
                      <a key={v.id} href={v.url} className="mr-2 text-brand-600 hover:underline" rel="noreferrer noopener" target="_blank">
                        {v.id}
                        {v.severity ? ` (${v.severity})` : ""}
                      </a>
                    ))
                  : "none recorded"}
              </dd>
            </dl>
          </Card>
          <Card title="Changes since the last approved version">
            <VersionDiff diff={diff} />
          </Card>
        </div>
        <Card title={r.status === "pending" ? "Review" : "Decision"}>
          {r.decisions.map((d) => (
            <Decision key={d.id} d={d} now={now} />
          ))}
          {r.status === "pending" &&
            (can(actor.role, "tools:decide") ? (
              r.requesterId === actor.userId ? (
                <p className="rounded-md bg-amber-50 p-3 text-sm dark:bg-amber-950">You filed this request, so another security lead must review it.</p>
              ) : (
                <ReviewForm requestId={r.id} toolId={t.id} requested={perms} highRisk={highRisk} action={decideToolRequest} />
              )
            ) : (
              <p className="text-sm text-slate-600 dark:text-slate-400">Waiting for a security lead.</p>
            ))}
        </Card>
      </div>
    </>
  );
}
