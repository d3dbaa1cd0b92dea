import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { RegisterGatewayForm } from "@/components/gateways/RegisterGatewayForm";
import { registerGateway } from "./actions";
import { listGateways } from "@/lib/fleet/queries";
import { teamScopeOf } from "@/lib/teams/scope";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtAgo, fmtDate } from "@/components/ui/format";
import { POLICY_STATUS_TONE, policyStatusOf } from "@/lib/gateways/policy-status";

export const metadata: Metadata = { title: "Gateways" };

export default async function GatewaysPage() {
  const actor = await requireScope("registry:read");
  const gateways = await listGateways(teamScopeOf(actor));
  const now = new Date();
  const status = new Map(gateways.map((g) => [g.id, policyStatusOf(g, g.policy && !g.policy.stale ? g.policy.version : null, now)]));
  const old = gateways.filter((g) => status.get(g.id) === "expired" || status.get(g.id) === "behind");
  return (
    <>
      <PageHeader
        title="Gateways"
        description="The agent gateways Warden governs. A gateway signs every request with its secret and enforces the policy Warden signs with its Ed25519 key. Kill switches (a tool, an agent, a gateway or the whole fleet) are under Containment."
        actions={
          <span className="flex gap-4 text-sm">
            <Link href="/containment" className="text-brand-600 hover:underline">
              Kill switches
            </Link>
            <Link href="/gateways/advisories" className="text-brand-600 hover:underline">
              Advisories
            </Link>
          </span>
        }
      />
      {can(actor.role, "gateways:manage") && (
        <div className="mb-6 max-w-xl">
          <Card title="Register a gateway">
            <RegisterGatewayForm action={registerGateway} />
          </Card>
        </div>
      )}
      {old.length > 0 && (
        <div role="alert" className="mb-6 rounded-lg border-2 border-amber-500 bg-amber-50 p-4 text-amber-900 dark:bg-amber-950/40 dark:text-amber-200">
          <p className="font-semibold">{old.length} gateway(s) running on an old policy</p>
          <ul className="text-sm">
            {old.map((g) => (
              <li key={g.id}>
                <Link className="underline" href={`/gateways/${g.id}`}>
                  {g.name}
                </Link>
                :{" "}
                {status.get(g.id) === "expired"
                  ? `its policy expired ${fmtDate(g.policyExpiresReported)} (${g.onPolicyExpiry === "keep_last" ? "still enforcing the last policy" : "blocking every tool call"})`
                  : `holds ${g.policyVersionApplied}, current is ${g.policy?.version}`}
                ; last seen {fmtAgo(g.lastSeenAt, now)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <DataTable
        caption="Gateways"
        columns={[
          { id: "name", header: "Gateway" },
          { id: "env", header: "Environment" },
          { id: "agents", header: "Agents" },
          { id: "seen", header: "Last seen" },
          { id: "policy", header: "Policy applied" },
        ]}
        rows={gateways.map((g) => ({
          key: g.id,
          cells: {
            name: (
              <span>
                <Link className="font-medium text-brand-600 hover:underline" href={`/gateways/${g.id}`}>
                  {g.name}
                </Link>{" "}
                <Badge>{g.kind}</Badge>
              </span>
            ),
            env: g.environment,
            agents: g._count.agents,
            seen:
              g.lastSeenAt && now.getTime() - g.lastSeenAt.getTime() < 15 * 60_000 ? <Badge tone="green">{fmtAgo(g.lastSeenAt, now)}</Badge> : <Badge tone="amber">{fmtAgo(g.lastSeenAt, now)}</Badge>,
            policy: (
              <span data-testid={`policy-${g.name}`}>
                {g.policyVersionApplied ? <code className="text-xs">{g.policyVersionApplied}</code> : "—"} <Badge tone={POLICY_STATUS_TONE[status.get(g.id)!]}>{status.get(g.id)}</Badge>
              </span>
            ),
          },
          sort: { name: g.name, env: g.environment, agents: g._count.agents, seen: g.lastSeenAt?.getTime() ?? 0 },
        }))}
        empty={<EmptyState title="No gateways connected">Register a gateway to receive its tool calls and enforce the allowlist.</EmptyState>}
      />
    </>
  );
}
