import Link from "next/link";
import { Badge, type Tone } from "@/components/ui/Badge";
import type { InventoryView, ItemRow, RegistryStatus } from "@/lib/gateways/inventory-view";
import { HashCell } from "./HashCell";

const STATUS: Record<RegistryStatus, [string, Tone]> = {
  approved: ["approved", "green"],
  not_pinned: ["approved (hash not reported)", "amber"],
  not_in_registry: ["not in registry", "red"],
  not_approved: ["not approved", "red"],
  other_kind: ["registered as another kind", "red"],
  hash_drift: ["hash drift", "red"],
  bundled: ["part of the OpenClaw build", "gray"],
};
const MAX_ROWS = 500;

const th = "py-1.5 pr-3 font-medium";
const td = "py-1.5 pr-3 align-top";
const yesNo = (v: boolean | null, yes = "yes", no = "no") => (v === null ? <span className="text-slate-500">not reported</span> : v ? yes : no);

function Enabled({ v }: { v: boolean | null }) {
  return v === false ? <Badge>disabled</Badge> : <Badge tone="green">{v === null ? "enabled (assumed)" : "enabled"}</Badge>;
}

function Registry({ r, itemName }: { r: ItemRow["registry"]; itemName: string }) {
  const [label, tone] = STATUS[r.status];
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <Badge tone={tone}>{label}</Badge>
      {r.href && r.status !== "approved" && r.status !== "bundled" && (
        <Link className="text-xs text-brand-600 hover:underline" href={r.href} aria-label={`${r.status === "not_in_registry" ? "Request a review of" : "Review"} ${itemName}`}>
          {r.status === "not_in_registry" ? "request a review" : "review"}
        </Link>
      )}
    </span>
  );
}

function Section({ title, count, children, empty }: { title: string; count: number; children: React.ReactNode; empty: string }) {
  return (
    <section aria-label={title} className="space-y-1">
      <h3 className="text-sm font-semibold">
        {title} <span className="font-normal text-slate-500">({count})</span>
      </h3>
      {count === 0 ? <p className="text-sm text-slate-500">{empty}</p> : <div className="overflow-x-auto">{children}</div>}
      {count > MAX_ROWS && <p className="text-xs text-slate-500">{count - MAX_ROWS} more not shown.</p>}
    </section>
  );
}

function ItemTable({ rows, label, columns }: { rows: ItemRow[]; label: string; columns: ("source" | "owner" | "transport" | "target" | "agents")[] }) {
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">{label}</caption>
      <thead>
        <tr className="border-b border-slate-200 text-xs text-slate-500 dark:border-slate-800">
          <th className={th}>Name</th>
          <th className={th}>Version</th>
          <th className={th}>Hash</th>
          <th className={th}>State</th>
          {columns.includes("source") && <th className={th}>Source</th>}
          {columns.includes("owner") && <th className={th}>From</th>}
          {columns.includes("transport") && <th className={th}>Transport</th>}
          {columns.includes("target") && <th className={th}>Command or URL</th>}
          {columns.includes("agents") && <th className={th}>Agents using it</th>}
          <th className={th}>Registry</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, MAX_ROWS).map((r) => (
          <tr key={`${r.owner ?? ""}/${r.name}`} className="border-b border-slate-100 dark:border-slate-800" data-testid={`inv-${label}-${r.name}`}>
            <td className={td}>
              <code>{r.name}</code>
            </td>
            <td className={td}>{r.version ?? <span className="text-slate-500">—</span>}</td>
            <td className={td}>
              <HashCell hash={r.hash} />
            </td>
            <td className={td}>
              <Enabled v={r.enabled} />
            </td>
            {columns.includes("source") && <td className={td}>{r.source ?? "—"}</td>}
            {columns.includes("owner") && <td className={td}>{r.owner ?? "—"}</td>}
            {columns.includes("transport") && <td className={td}>{r.transport ?? "—"}</td>}
            {columns.includes("target") && (
              <td className={`${td} max-w-xs break-all`}>
                <code className="text-xs">{r.target ?? "—"}</code>
              </td>
            )}
            {columns.includes("agents") && <td className={td}>{r.agents.length ? r.agents.join(", ") : <span className="text-slate-500">none reported</span>}</td>}
            <td className={td}>
              <Registry r={r.registry} itemName={r.name} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A gateway's reported inventory as tables per section, each item with its registry status. */
export function InventoryTables({ view, gatewayId, canRegister }: { view: InventoryView; gatewayId: string; canRegister: boolean }) {
  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-[11rem_1fr] gap-y-1 text-sm" aria-label="OpenClaw build">
        <dt className="text-slate-500">OpenClaw version</dt>
        <dd>{view.openclaw?.version ? <code>{view.openclaw.version}</code> : <span className="text-slate-500">not reported</span>}</dd>
        <dt className="text-slate-500">Build hash</dt>
        <dd>
          <HashCell hash={view.openclaw?.buildHash} />
        </dd>
      </dl>

      <Section title="Agents" count={view.agents.length} empty="The gateway reported no agents.">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Agents</caption>
          <thead>
            <tr className="border-b border-slate-200 text-xs text-slate-500 dark:border-slate-800">
              <th className={th}>Agent</th>
              <th className={th}>Model</th>
              <th className={th}>Fallbacks</th>
              <th className={th}>Exec</th>
              <th className={th}>Sandbox</th>
              <th className={th}>Delegation</th>
              <th className={th}>Workspace only</th>
              <th className={th}>Tools</th>
              <th className={th}>Registry</th>
            </tr>
          </thead>
          <tbody>
            {view.agents.slice(0, MAX_ROWS).map((a) => (
              <tr key={a.id} className="border-b border-slate-100 dark:border-slate-800" data-testid={`inv-agent-${a.id}`}>
                <td className={td}>
                  {a.name}
                  {a.name !== a.id && <span className="text-xs text-slate-500"> ({a.id})</span>}
                </td>
                <td className={td}>{a.model ?? "—"}</td>
                <td className={td}>{a.fallbackModels.length ? a.fallbackModels.join(", ") : "—"}</td>
                <td className={td}>{a.execMode ?? "—"}</td>
                <td className={td}>{a.sandbox ?? "—"}</td>
                <td className={td}>{yesNo(a.canDelegate, a.subagents.length ? `allowed (${a.subagents.join(", ")})` : "allowed", "not allowed")}</td>
                <td className={td}>{yesNo(a.workspaceOnly)}</td>
                <td className={td}>{a.tools ?? "—"}</td>
                <td className={td}>
                  {a.registered ? (
                    <Link className="text-brand-600 hover:underline" href={`/agents/${a.registered.id}`}>
                      {a.registered.name}
                    </Link>
                  ) : (
                    <span className="inline-flex flex-wrap items-center gap-1">
                      <Badge tone="red">not in registry</Badge>
                      {canRegister && (
                        <Link className="text-xs text-brand-600 hover:underline" href={`/agents/new?${new URLSearchParams({ gateway: gatewayId, agent: a.id })}`} aria-label={`Register ${a.id}`}>
                          Register it
                        </Link>
                      )}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Skills" count={view.skills.length} empty="No skills reported.">
        <ItemTable rows={view.skills} label="skills" columns={["source", "agents"]} />
      </Section>
      <Section title="Plugins" count={view.plugins.length} empty="No plugins reported.">
        <ItemTable rows={view.plugins} label="plugins" columns={["source"]} />
      </Section>
      <Section title="MCP servers" count={view.mcpServers.length} empty="No MCP servers reported.">
        <ItemTable rows={view.mcpServers} label="mcp" columns={["transport", "target"]} />
      </Section>
      <Section title="Tools" count={view.tools.length} empty="No tools reported.">
        <ItemTable rows={view.tools} label="tools" columns={["source", "owner", "agents"]} />
      </Section>

      <Section title="Channels" count={view.channels.length} empty="No channels reported.">
        <ul className="flex flex-wrap gap-2 text-sm">
          {view.channels.map((c) => (
            <li key={c.id}>
              <code>{c.id}</code> <Enabled v={c.enabled} />
              {c.connected === false && (
                <>
                  {" "}
                  <Badge tone="amber">not connected</Badge>
                </>
              )}
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Cron jobs" count={view.cronJobs.length} empty="No cron jobs reported.">
        <ul className="space-y-1 text-sm">
          {view.cronJobs.map((c) => (
            <li key={c.id}>
              <code>{c.id}</code>
              {c.name && c.name !== c.id ? ` ${c.name}` : ""}
              {c.schedule ? <span className="text-xs text-slate-500"> · {c.schedule}</span> : null} <Enabled v={c.enabled} />
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}
