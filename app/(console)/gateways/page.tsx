import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listGateways } from "@/lib/fleet/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtAgo } from "@/components/ui/format";

export const metadata: Metadata = { title: "Gateways & containment" };

export default async function GatewaysPage() {
  await requireScope("registry:read");
  const gateways = await listGateways();
  const now = new Date();
  return (
    <>
      <PageHeader title="Gateways & containment" description="The agent gateways Warden governs. Registering gateways, the OpenClaw enforcement plugin and kill switches arrive with the gateway and containment capabilities." />
      <DataTable
        caption="Gateways"
        columns={[{ id: "name", header: "Gateway" }, { id: "env", header: "Environment" }, { id: "agents", header: "Agents" }, { id: "seen", header: "Last seen" }, { id: "policy", header: "Policy applied" }]}
        rows={gateways.map((g) => ({
          key: g.id,
          cells: {
            name: <span className="font-medium">{g.name} <Badge>{g.kind}</Badge></span>,
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
