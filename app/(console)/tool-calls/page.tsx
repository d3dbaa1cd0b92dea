import type { Metadata } from "next";
import Link from "next/link";
import Form from "next/form";
import { requireScope } from "@/lib/auth/session";
import { listGateways } from "@/lib/fleet/queries";
import { agentsByTool, explorerPage, explorerPickers, paramsAllowed, parseToolCallQuery, RANGES } from "@/lib/tool-calls/queries";
import { ServerTable } from "@/components/ui/ServerTable";
import { Badge } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { Button } from "@/components/ui/Button";
import { Input } from "@/components/ui/Field";
import { fmtDate } from "@/components/ui/format";
import { CallsChart } from "@/components/charts/CallsChart";
import { CallDrawerProvider, OpenCallButton } from "@/components/tool-calls/CallDrawer";
import { ToolCallFilters } from "@/components/tool-calls/ToolCallFilters";
import { DecisionCell } from "@/components/tool-calls/Decision";

export const metadata: Metadata = { title: "Tool calls" };

const TOOL_LIST = "tool-calls-recent-tools";
const AGENT_LIST = "tool-calls-recent-agents";
const RANGE_LABELS: Record<keyof typeof RANGES, string> = { "1h": "the last hour", "24h": "the last 24 hours", "7d": "the last 7 days", "30d": "the last 30 days" };

/** "2026-05-14 13:02:07 UTC": calls need seconds, and UTC renders the same on server and client. */
const fmtSeconds = (d: Date) => d.toISOString().replace("T", " ").slice(0, 19) + " UTC";

type SP = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() ?? "";

/** This view's params as a query string, minus the ones named (page, usedBy…). */
function viewParams(sp: SP, drop: string[], add: Record<string, string> = {}) {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) if (!drop.includes(k) && first(v)) out.set(k, first(v));
  for (const [k, v] of Object.entries(add)) out.set(k, v);
  return out;
}

export default async function ToolCallsPage({ searchParams }: { searchParams: Promise<SP> }) {
  const actor = await requireScope("tool_calls:read");
  const sp = await searchParams;
  const { query, invalid } = parseToolCallQuery(sp);
  const withParams = paramsAllowed(actor.role);
  const usedBy = first(sp.usedBy).slice(0, 200);

  const [{ page, series }, gateways, [toolNames, agentNames], usedByAgents] = await Promise.all([
    explorerPage(query), // metadata only: the drawer fetches a call's params (by role)
    listGateways(),
    explorerPickers(),
    usedBy ? agentsByTool(usedBy, RANGES["24h"]) : Promise.resolve(null),
  ]);

  const windowLabel = query.from || query.to ? `${fmtDate(query.window.from)} – ${fmtDate(query.window.to)}` : RANGE_LABELS[query.range];
  const csvHref = `/api/v1/tool-calls?${viewParams(sp, ["page", "usedBy", "format"], { format: "csv" })}`;
  const keep = viewParams(sp, ["page", "usedBy"]);

  return (
    <>
      <PageHeader title="Tool calls" description="Every tool call of the fleet: filter by time, tool, agent, gateway, decision and text; open a call for its details." />

      <div role="note" className="mb-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
        <p>Credential-shaped strings (API keys, tokens, passwords in URLs, private keys) are redacted before storage.</p>
        {!withParams && <p className="mt-1">Parameters and results of calls are hidden for your role; you see metadata only.</p>}
      </div>

      {invalid.length > 0 && <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-300">Ignored invalid filters: {invalid.join(", ")}</p>}

      <datalist id={TOOL_LIST}>{toolNames.map((t) => <option key={t} value={t} />)}</datalist>
      <datalist id={AGENT_LIST}>{agentNames.map((a) => <option key={a} value={a} />)}</datalist>
      <ToolCallFilters gateways={gateways.map((g) => ({ id: g.id, name: g.name }))} toolListId={TOOL_LIST} agentListId={AGENT_LIST} />

      <div className="mb-6 grid gap-6 xl:grid-cols-3">
        <div className="xl:col-span-2">
          <Card title={`Calls and blocks per hour — ${windowLabel}`}>
            {series.some((p) => p.calls > 0) ? (
              <CallsChart points={series} label={`Calls per hour, ${windowLabel}`} />
            ) : (
              <EmptyState title="No calls in this window">Widen the time range or clear the filters.</EmptyState>
            )}
          </Card>
        </div>
        <Card title="Which agents used a tool?">
          <Form action="/tool-calls" className="flex items-end gap-2">
            {[...keep.entries()].map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
            <label className="flex-1 text-sm">
              <span className="mb-1 block text-slate-700 dark:text-slate-300">Tool name</span>
              <Input name="usedBy" list={TOOL_LIST} defaultValue={usedBy} required maxLength={200} placeholder="e.g. exec" autoComplete="off" key={usedBy} />
            </label>
            <Button type="submit" variant="secondary">Show agents</Button>
          </Form>
          <div className="mt-4 text-sm" aria-live="polite">
            {usedByAgents === null ? (
              <p className="text-slate-600 dark:text-slate-400">Pick a tool to see every agent that called it in the last 24 hours, with call and block counts.</p>
            ) : usedByAgents.length === 0 ? (
              <EmptyState title={`No agent called ${usedBy} in the last 24 hours`}>Tool names must match exactly; the list suggests tools called in the last 7 days.</EmptyState>
            ) : (
              <>
                <table className="w-full text-sm">
                  <caption className="mb-2 text-left text-slate-600 dark:text-slate-400">
                    {usedByAgents.length} {usedByAgents.length === 1 ? "agent" : "agents"} called <code>{usedBy}</code> in the last 24 hours
                  </caption>
                  <thead className="text-left text-slate-600 dark:text-slate-300">
                    <tr>
                      <th scope="col" className="py-1 pr-2 font-medium">Agent</th>
                      <th scope="col" className="py-1 pr-2 text-right font-medium">Calls</th>
                      <th scope="col" className="py-1 pr-2 text-right font-medium">Blocked</th>
                      <th scope="col" className="py-1 font-medium">Last call</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {usedByAgents.map((a) => (
                      <tr key={`${a.agentId}:${a.agentName}`}>
                        <td className="py-1 pr-2">
                          {a.agentId ? <Link href={`/agents/${a.agentId}`} className="text-brand-600 hover:underline dark:text-brand-100">{a.agentName}</Link> : <span>{a.agentName} <Badge>not in registry</Badge></span>}
                        </td>
                        <td className="py-1 pr-2 text-right tabular-nums">{a.calls.toLocaleString("en")}</td>
                        <td className="py-1 pr-2 text-right tabular-nums">{a.blocked ? <Badge tone="red">{a.blocked.toLocaleString("en")}</Badge> : 0}</td>
                        <td className="py-1 whitespace-nowrap">{fmtDate(a.lastAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="mt-3 flex flex-wrap gap-4">
                  <Link href={`/tool-calls?${new URLSearchParams({ tool: usedBy, range: "24h", usedBy })}`} className="text-brand-600 hover:underline dark:text-brand-100">Show these calls</Link>
                  <a href={`/api/v1/tool-calls/agents-by-tool?${new URLSearchParams({ tool: usedBy, since: "24h" })}`} className="text-brand-600 hover:underline dark:text-brand-100">As JSON</a>
                </p>
              </>
            )}
          </div>
        </Card>
      </div>

      {/* The filter bar above owns the text search; the table's own search box would duplicate it. */}
      <CallDrawerProvider>
        <div>
          <ServerTable
            search={false}
            caption={`Tool calls, ${windowLabel}`}
            columns={[
              { id: "at", header: "Time (UTC)", sortable: true },
              { id: "agent", header: "Agent" },
              { id: "tool", header: "Tool" },
              { id: "version", header: "Version" },
              { id: "decision", header: "Decision" },
              { id: "ms", header: "Duration", className: "text-right tabular-nums whitespace-nowrap" },
              { id: "egress", header: "Egress hosts" },
            ]}
            rows={page.rows.map((c) => ({
              key: c.id,
              cells: {
                at: <OpenCallButton id={c.id} at={c.occurredAt.toISOString()} label={fmtSeconds(c.occurredAt)} description={`Details of ${c.toolName} by ${c.agentName} at ${fmtSeconds(c.occurredAt)}`} />,
                agent: c.agentId ? <Link href={`/agents/${c.agentId}`} className="text-brand-600 hover:underline dark:text-brand-100">{c.agentName}</Link> : c.agentName,
                tool: <code>{c.toolName}</code>,
                version: c.toolVersion ?? "—",
                decision: <DecisionCell decision={c.decision} policyDecision={c.policyDecision} blockReason={c.blockReason} small />,
                ms: c.durationMs != null ? `${c.durationMs.toLocaleString("en")} ms` : "—",
                egress: c.egressHosts.length ? <span className="flex flex-wrap gap-1">{c.egressHosts.map((h) => <code key={h} className="text-xs">{h}</code>)}</span> : <span className="text-slate-500 dark:text-slate-400">none</span>,
              },
            }))}
            total={page.total}
            totalCapped={page.totalCapped}
            page={page.page}
            pageSize={page.pageSize}
            csvHref={csvHref}
            empty={<EmptyState title="No tool calls match">Widen the time range or clear the filters. Calls arrive when a gateway with the Warden plugin is connected.</EmptyState>}
          />
        </div>
      </CallDrawerProvider>
    </>
  );
}
