import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { RegisterGatewayForm } from "@/components/gateways/RegisterGatewayForm";
import { registerGateway } from "./actions";
import { listGateways } from "@/lib/fleet/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtAgo } from "@/components/ui/format";

export const metadata: Metadata = { title: "Gateways" };

export default async function GatewaysPage() {
  const actor = await requireScope("registry:read");
  const gateways = await listGateways();
  const now = new Date();
  return (
    <>
      <PageHeader title="Gateways" description="The agent gateways Warden governs. A gateway signs every request with its secret and enforces the policy Warden signs with its Ed25519 key. Kill switches are under Containment." />
      {can(actor.role, "gateways:manage") && (
        <div className="mb-6 max-w-xl">
          <Card title="Register a gateway">
            <RegisterGatewayForm action={registerGateway} />
          </Card>
        </div>
      )}
      <DataTable
        caption="Gateways"
        columns={[{ id: "name", header: "Gateway" }, { id: "env", header: "Environment" }, { id: "agents", header: "Agents" }, { id: "seen", header: "Last seen" }, { id: "policy", header: "Policy applied" }]}
        rows={gateways.map((g) => ({
          key: g.id,
          cells: {
            name: <span><Link className="font-medium text-brand-600 hover:underline" href={`/gateways/${g.id}`}>{g.name}</Link> <Badge>{g.kind}</Badge></span>,
            env: g.environment,
            agents: g._count.agents,
            seen: g.lastSeenAt && now.getTime() - g.lastSeenAt.getTime() < 15 * 60_000 ? <Badge tone="green">{fmtAgo(g.lastSeenAt, now)}</Badge> : <Badge tone="amber">{fmtAgo(g.lastSeenAt, now)}</Badge>,
            policy: g.policyVersionApplied ?? "—",
          },
          sort: { name: g.name, env: g.environment, agents: g._count.agents, seen: g.lastSeenAt?.getTime() ?? 0 },
        }))}
        empty={<EmptyState title="No gateways connected">Register a gateway to receive its tool calls and enforce the allowlist.</EmptyState>}
      />
      <div className="mt-6">
        <Card title="Kill switches">
          <EmptyState title="Containment is not wired yet">
            Stopping a tool, an agent, a gateway or the whole fleet — with blast radius, typed confirmation and per-gateway delivery state — lands with the containment capability.
          </EmptyState>
        </Card>
      </div>
    </>
  );
}
