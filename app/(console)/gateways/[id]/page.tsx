import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getGateway } from "@/lib/gateways/queries";
import { teamScopeOf } from "@/lib/teams/scope";
import { readSecurityAudit } from "@/lib/gateways/report";
import { inventoryReportTimes, readInventoryView } from "@/lib/gateways/inventory-view";
import { INVENTORY_HISTORY_KEEP, listInventoryHistory } from "@/lib/gateways/inventory-history";
import { FINDING_KIND_LABELS } from "@/lib/findings/schema";
import { InventoryTables } from "@/components/gateways/InventoryTables";
import { InventoryHistory } from "@/components/gateways/InventoryHistory";
import { cachedSignedPolicy, defaultPolicyTtlSeconds } from "@/lib/allowlist/policy";
import { POLICY_STATUS_TONE, policyStatusOf } from "@/lib/gateways/policy-status";
import { PolicyExpiryForm } from "@/components/gateways/PolicyExpiryForm";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { RotateSecret } from "@/components/gateways/RotateSecret";
import { rotateGatewaySecret, setGatewayPolicyExpiry } from "../actions";

export const metadata: Metadata = { title: "Gateway" };

export default async function GatewayPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const { id } = await params;
  const g = /^[0-9a-f-]{36}$/.test(id) ? await getGateway(id, teamScopeOf(actor)) : null;
  if (!g) notFound();
  // The same cached signed policy the gateway gets (computed only if stale).
  const { policy } = (await cachedSignedPolicy(g.id)).signed;
  const now = new Date();
  const audit = readSecurityAudit(g.securityAudit);
  const [view, history, times] = await Promise.all([readInventoryView(g.id, g.inventory), listInventoryHistory(g.id), inventoryReportTimes(g.id)]);
  const status = policyStatusOf(g, policy.version, now);
  const ttlHours = g.policyTtlSeconds === null ? null : Math.round((g.policyTtlSeconds / 3600) * 100) / 100;
  return (
    <>
      <PageHeader
        title={g.name}
        description={
          <>
            {g.kind} gateway · {g.environment} · registered <RelativeTime at={g.createdAt} />
          </>
        }
        actions={<Badge tone={g.lastSeenAt && now.getTime() - g.lastSeenAt.getTime() < 15 * 60_000 ? "green" : "amber"}>last seen {g.lastSeenAt ? <RelativeTime at={g.lastSeenAt} /> : "never"}</Badge>}
      />
      <div className="grid gap-6 xl:grid-cols-2">
        <Card title="Policy">
          <dl className="grid grid-cols-[11rem_1fr] gap-y-1 text-sm">
            <dt className="text-slate-500">Current version</dt>
            <dd>
              <code>{policy.version}</code>
            </dd>
            <dt className="text-slate-500">Held by the gateway</dt>
            <dd data-testid="policy-status">
              {g.policyVersionApplied ? <code>{g.policyVersionApplied}</code> : "not reported yet"} <Badge tone={POLICY_STATUS_TONE[status]}>{status === "current" ? "in sync" : status}</Badge>
              {g.policyExpiresReported ? (
                <span className="text-xs text-slate-500">
                  {" "}
                  · expires <RelativeTime at={g.policyExpiresReported} />
                </span>
              ) : null}
            </dd>
            <dt className="text-slate-500">Expiry</dt>
            <dd>
              {g.policyTtlSeconds === null ? `default (${defaultPolicyTtlSeconds() / 3600} h)` : `${ttlHours} h`} · then{" "}
              {g.onPolicyExpiry === "keep_last" ? "keep enforcing the last policy (degraded)" : "block every tool call (fail closed)"}
            </dd>
            <dt className="text-slate-500">Agents covered</dt>
            <dd>
              {policy.agents.length} ({policy.agents.reduce((n, a) => n + a.tools.length, 0)} allowed tool entries; everything else is denied)
            </dd>
            <dt className="text-slate-500">Admin WebSocket</dt>
            <dd>
              {g.adminWsUrl ? <code>{g.adminWsUrl}</code> : "not configured"}
              {g.hasAdminToken ? " · token stored (encrypted)" : ""}
            </dd>
            <dt className="text-slate-500">Signing secret</dt>
            <dd>
              rotated <RelativeTime at={g.signingSecretRotatedAt} />
              {g.previousSecretUntil && g.previousSecretUntil > now ? (
                <>
                  {" "}
                  · previous valid until <RelativeTime at={g.previousSecretUntil} />
                </>
              ) : (
                ""
              )}
            </dd>
          </dl>
          {can(actor.role, "tools:decide") && (
            <div className="mt-4">
              <PolicyExpiryForm gatewayId={g.id} ttlHours={ttlHours} onExpiry={g.onPolicyExpiry} defaultHours={defaultPolicyTtlSeconds() / 3600} action={setGatewayPolicyExpiry} />
            </div>
          )}
          {can(actor.role, "gateways:manage") && (
            <div className="mt-4">
              <RotateSecret gatewayId={g.id} action={rotateGatewaySecret} />
            </div>
          )}
        </Card>
        <Card title="Registered agents">
          {g.agents.length === 0 ? (
            <p className="text-sm text-slate-500">
              No registry agent is linked to this gateway. Agents the gateway reports are listed under Inventory below; register them from there (&quot;Register it&quot;).
            </p>
          ) : (
            <ul className="text-sm">
              {g.agents.map((a) => (
                <li key={a.id}>
                  <Link className="text-brand-600 hover:underline" href={`/agents/${a.id}`}>
                    {a.name}
                  </Link>
                  {a.externalId && a.externalId !== a.name ? <span className="text-xs text-slate-500"> ({a.externalId} on the gateway)</span> : null}{" "}
                  <Badge tone={a.status === "active" ? "green" : "red"}>{a.status}</Badge>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Security audit">
          {!audit ? (
            <p className="text-sm text-slate-500">No `openclaw security audit --json` result reported yet.</p>
          ) : (
            <div className="space-y-2 text-sm">
              <p>
                {audit.ranAt ? (
                  <>
                    ran <RelativeTime at={audit.ranAt} /> ·{" "}
                  </>
                ) : (
                  ""
                )}
                <Badge tone="red">{audit.summary.critical} critical</Badge> <Badge tone="amber">{audit.summary.warn} warn</Badge> <Badge>{audit.summary.info} info</Badge>
              </p>
              <ul className="space-y-1">
                {audit.findings.map((f, i) => (
                  <li key={`${i}-${f.checkId}`}>
                    <Badge tone={f.severity === "critical" ? "red" : f.severity === "warn" ? "amber" : "gray"}>{f.severity}</Badge> {f.title}
                    {f.remediation ? <span className="text-xs text-slate-500"> — {f.remediation}</span> : null}
                  </li>
                ))}
              </ul>
              {audit.findingCount > audit.findings.length && <p className="text-xs text-slate-500">{audit.findingCount - audit.findings.length} more not shown.</p>}
            </div>
          )}
        </Card>
        <Card title="Open findings">
          {g.findings.length === 0 ? (
            <p className="text-sm text-slate-500">No open findings.</p>
          ) : (
            <>
              <ul className="space-y-1 text-sm">
                {g.findings.map((f) => (
                  <li key={f.id}>
                    <Badge tone={f.severity === "critical" || f.severity === "high" ? "red" : "amber"}>{f.severity}</Badge>{" "}
                    <span className="text-xs text-slate-500">{FINDING_KIND_LABELS[f.kind]}:</span> {f.title} <RelativeTime className="text-xs text-slate-500" at={f.lastSeenAt} />
                  </li>
                ))}
              </ul>
              <p className="mt-2 text-xs">
                <Link className="text-brand-600 hover:underline" href={`/findings?gateway=${g.id}&status=open`}>
                  All findings of this gateway, with links to fix them
                </Link>
              </p>
            </>
          )}
        </Card>
      </div>
      <div className="mt-6 grid gap-6">
        <Card
          title="Inventory"
          actions={
            times ? (
              <span className="text-xs text-slate-500">
                reported <RelativeTime at={times.reportedAt} /> · content changed <RelativeTime at={times.changedAt} />
              </span>
            ) : undefined
          }
        >
          {!view ? (
            <p className="text-sm text-slate-500">
              This gateway has not reported its inventory yet. Warden&apos;s OpenClaw plugin reports it when it starts and after every configuration change; the agents, skills, plugins, MCP servers
              and tools it runs then appear here, compared with the registry.
            </p>
          ) : (
            <InventoryTables view={view} gatewayId={g.id} canRegister={can(actor.role, "registry:write")} />
          )}
        </Card>
        <Card
          title="Inventory history"
          actions={
            <Link className="text-xs text-brand-600 hover:underline" href="/gateways/advisories">
              Advisories
            </Link>
          }
        >
          <InventoryHistory rows={history} keep={INVENTORY_HISTORY_KEEP} />
        </Card>
      </div>
    </>
  );
}
