import Link from "next/link";
import type { ListView } from "@/lib/list";
import { ListPage } from "@/components/ui/ListPage";
import { Badge } from "@/components/ui/Badge";
import { PageHeader } from "@/components/ui/Card";

/** What a row of the agents list shows. */
export type AgentListRow = {
  id: string;
  name: string;
  purpose: string;
  owner: string;
  status: string;
  scope: string;
  model: string | null;
  fallbackModels: string[];
  gateway: { name: string } | null;
  flags: { id: string; severity: string; title: string }[];
};

/** The agents registry: one row per non-human identity, searchable and filterable in the URL. */
export function AgentsList({ rows, view, gateways, canWrite }: { rows: AgentListRow[]; view: ListView; gateways: { id: string; name: string }[]; canWrite: boolean }) {
  return (
    <>
      <PageHeader
        title="Agents"
        description="Non-human identities: who owns each agent, what it is for, which model it runs, what it may call, and where its posture is risky."
        actions={
          canWrite ? (
            <span className="flex items-center gap-4">
              <Link href="/agents/import" className="text-sm text-brand-600 hover:underline">
                Import AGENTS.md
              </Link>
              <Link href="/agents/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
                Register an agent
              </Link>
            </span>
          ) : undefined
        }
      />
      <ListPage
        caption="Agents"
        noun="agents"
        basePath="/agents"
        view={view}
        csvPath="/api/v1/agents"
        searchPlaceholder="name, owner, purpose"
        columns={[
          { id: "name", header: "Agent", sortable: true },
          { id: "owner", header: "Owner", sortable: true },
          { id: "gateway", header: "Gateway" },
          { id: "status", header: "Status", sortable: true },
          { id: "scope", header: "Scope", sortable: true },
          { id: "model", header: "Model → fallbacks" },
          { id: "flags", header: "Posture" },
        ]}
        filters={[
          { id: "status", label: "Status", options: ["active", "suspended", "quarantined"].map((v) => ({ value: v, label: v })) },
          {
            id: "scope",
            label: "Scope",
            options: [
              { value: "internal", label: "internal" },
              { value: "external", label: "external-facing" },
            ],
          },
          { id: "gateway", label: "Gateway", options: gateways.map((g) => ({ value: g.id, label: g.name })) },
        ]}
        rows={rows.map((a) => ({
          key: a.id,
          cells: {
            name: (
              <div>
                <Link href={`/agents/${a.id}`} className="font-medium text-brand-600 hover:underline">
                  {a.name}
                </Link>
                <p className="text-xs text-slate-500">{a.purpose}</p>
              </div>
            ),
            owner: a.owner,
            gateway: a.gateway?.name ?? "—",
            status: <Badge tone={a.status === "active" ? "green" : "red"}>{a.status}</Badge>,
            scope: <Badge tone={a.scope === "external" ? "amber" : "gray"}>{a.scope}</Badge>,
            model: [a.model, ...a.fallbackModels].filter(Boolean).join(" → ") || "—",
            flags: a.flags.length ? (
              <span className="flex flex-wrap gap-1">
                {a.flags.map((f) => (
                  <Badge key={f.id} tone={f.severity === "high" ? "red" : "amber"}>
                    {f.title}
                  </Badge>
                ))}
              </span>
            ) : (
              <Badge tone="green">ok</Badge>
            ),
          },
        }))}
        empty={{
          title: "No agents registered",
          body: "Agents are the non-human identities your gateways run. Register one by hand, import an AGENTS.md, or let a gateway report its agents through the connector.",
          action: canWrite ? { href: "/agents/new", label: "Register the first agent" } : null,
        }}
      />
    </>
  );
}
