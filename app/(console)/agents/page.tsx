import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listAgents } from "@/lib/fleet/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  await requireScope("registry:read");
  const agents = await listAgents();
  return (
    <>
      <PageHeader title="Agents" description="Non-human identities: who owns each agent, what it is for, which model it runs and where. Editing, posture flags and effective allowlists arrive with the registry." />
      <DataTable
        caption="Agents"
        columns={[{ id: "name", header: "Agent" }, { id: "owner", header: "Owner" }, { id: "gateway", header: "Gateway" }, { id: "status", header: "Status" }, { id: "scope", header: "Scope" }, { id: "model", header: "Model → fallbacks" }]}
        rows={agents.map((a) => ({
          key: a.id,
          cells: {
            name: <div><p className="font-medium">{a.name}</p><p className="text-xs text-slate-500">{a.purpose}</p></div>,
            owner: a.owner,
            gateway: a.gateway?.name ?? "—",
            status: <Badge tone={a.status === "active" ? "green" : "red"}>{a.status}</Badge>,
            scope: <Badge tone={a.scope === "external" ? "amber" : "gray"}>{a.scope}</Badge>,
            model: [a.model, ...a.fallbackModels].filter(Boolean).join(" → ") || "—",
          },
          sort: { name: a.name, status: a.status, scope: a.scope },
        }))}
        empty={<EmptyState title="No agents yet">Agents appear here when you register them or when a connected gateway reports its inventory.</EmptyState>}
      />
    </>
  );
}
