import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listAgentsPage, parseAgentQuery } from "@/lib/agents/queries";
import { listGateways } from "@/lib/fleet/queries";
import { ServerTable } from "@/components/ui/ServerTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requireScope("registry:read");
  const sp = await searchParams;
  const { query, invalid } = parseAgentQuery(sp);
  const [page, gateways] = await Promise.all([listAgentsPage(query), listGateways()]);
  const csv = `/api/v1/agents?${new URLSearchParams({ ...Object.fromEntries(Object.entries(sp).filter(([, v]) => v) as [string, string][]), format: "csv" })}`;
  return (
    <>
      <PageHeader
        title="Agents"
        description="Non-human identities: who owns each agent, what it is for, which model it runs, what it may call, and where its posture is risky."
        actions={
          can(actor.role, "registry:write") ? (
            <span className="flex items-center gap-4">
              <Link href="/agents/import" className="text-sm text-brand-600 hover:underline">Import AGENTS.md</Link>
              <Link href="/agents/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">Register an agent</Link>
            </span>
          ) : undefined
        }
      />
      {invalid.length > 0 && <p role="alert" className="mb-2 text-sm text-red-600">Ignored invalid filters: {invalid.join(", ")}</p>}
      <ServerTable
        caption="Agents"
        columns={[{ id: "name", header: "Agent", sortable: true }, { id: "owner", header: "Owner", sortable: true }, { id: "gateway", header: "Gateway" }, { id: "status", header: "Status", sortable: true }, { id: "scope", header: "Scope", sortable: true }, { id: "model", header: "Model → fallbacks" }, { id: "flags", header: "Posture" }]}
        rows={page.rows.map((a) => ({
          key: a.id,
          cells: {
            name: <div><Link href={`/agents/${a.id}`} className="font-medium text-brand-600 hover:underline">{a.name}</Link><p className="text-xs text-slate-500">{a.purpose}</p></div>,
            owner: a.owner,
            gateway: a.gateway?.name ?? "—",
            status: <Badge tone={a.status === "active" ? "green" : "red"}>{a.status}</Badge>,
            scope: <Badge tone={a.scope === "external" ? "amber" : "gray"}>{a.scope}</Badge>,
            model: [a.model, ...a.fallbackModels].filter(Boolean).join(" → ") || "—",
            flags: a.flags.length ? <span className="flex flex-wrap gap-1">{a.flags.map((f) => <Badge key={f.id} tone={f.severity === "high" ? "red" : "amber"}>{f.title}</Badge>)}</span> : <Badge tone="green">ok</Badge>,
          },
        }))}
        total={page.total}
        page={page.page}
        pageSize={page.pageSize}
        filters={[
          { id: "status", label: "Status", options: ["active", "suspended", "quarantined"].map((v) => ({ value: v, label: v })) },
          { id: "scope", label: "Scope", options: [{ value: "internal", label: "internal" }, { value: "external", label: "external-facing" }] },
          { id: "gateway", label: "Gateway", options: gateways.map((g) => ({ value: g.id, label: g.name })) },
        ]}
        searchPlaceholder="name, owner, purpose"
        csvHref={csv}
        empty={<EmptyState title="No agents match">Clear the filters, or register agents through the API or an AGENTS.md import.</EmptyState>}
      />
    </>
  );
}
