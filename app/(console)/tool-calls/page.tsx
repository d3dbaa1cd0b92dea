import type { Metadata } from "next";
import Link from "next/link";
import Form from "next/form";
import { requireScope } from "@/lib/auth/session";
import { listGateways } from "@/lib/fleet/queries";
import { agentsByTool, explorerPage, explorerPickers, paramsAllowed, parseToolCallQuery, RANGES, scopedQuery } from "@/lib/tool-calls/queries";
import { teamScopeOf } from "@/lib/teams/scope";
import { Badge } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { Button } from "@/components/ui/Button";
import { Input } from "@/components/ui/Field";
import { fmtDate } from "@/components/ui/format";
import { CallsChart } from "@/components/charts/CallsChart";
import { ExplorerTable, type LiveTail } from "@/components/tool-calls/ExplorerTable";
import { SavedViews } from "@/components/tool-calls/SavedViews";
import { listViews } from "@/lib/tool-calls/views/queries";
import { viewQueryString } from "@/lib/tool-calls/views/schema";
import { ToolCallFilters } from "@/components/tool-calls/ToolCallFilters";
import { personOptions } from "@/lib/people/queries";

export const metadata: Metadata = { title: "Tool calls" };

const TOOL_LIST = "tool-calls-recent-tools";
const AGENT_LIST = "tool-calls-recent-agents";
const RANGE_LABELS: Record<keyof typeof RANGES, string> = { "1h": "the last hour", "24h": "the last 24 hours", "7d": "the last 7 days", "30d": "the last 30 days" };

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
  // The live tail's first cursor: taken before the rows are read (polls overlap it by 10 s).
  const renderedAt = new Date();
  const sp = await searchParams;
  const parsed = parseToolCallQuery(sp);
  const { invalid } = parsed;
  const query = scopedQuery(parsed.query, actor);
  const scope = teamScopeOf(actor);
  const withParams = paramsAllowed(actor.role);
  const usedBy = first(sp.usedBy).slice(0, 200);

  const [{ page, series }, gateways, [toolNames, agentNames], usedByAgents, views, people] = await Promise.all([
    explorerPage(query), // metadata only: the drawer fetches a call's params (by role)
    listGateways(scope),
    explorerPickers(renderedAt.getTime(), scope),
    usedBy ? agentsByTool(usedBy, RANGES["24h"], undefined, scope) : Promise.resolve(null),
    actor.userId ? listViews(actor.userId) : Promise.resolve([]),
    personOptions(actor),
  ]);

  const windowLabel = query.from || query.to ? `${fmtDate(query.window.from)} – ${fmtDate(query.window.to)}` : RANGE_LABELS[query.range];
  const csvHref = `/api/v1/tool-calls?${viewParams(sp, ["page", "usedBy", "format"], { format: "csv" })}`;
  const keep = viewParams(sp, ["page", "usedBy"]);
  const filterQuery = viewParams(sp, ["page", "usedBy", "format", "sort", "dir", "pageSize"]).toString();
  // The tail runs on the view's first page, newest first, over a moving range; anything else is a
  // fixed list (paging back or sorting oldest first would have rows jump under the reader).
  const custom = Boolean(query.from || query.to);
  const offReason = query.page > 1 ? `you are on page ${query.page}` : query.dir === "asc" ? "sorted oldest first" : custom ? "a fixed time window is shown" : null;
  const liveHref = `/tool-calls?${viewParams(sp, ["page", "usedBy", "sort", "dir", "from", "to"])}`;
  const live: LiveTail = offReason ? { on: false, reason: offReason, liveHref } : { on: true, query: filterQuery, since: renderedAt.toISOString() };
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const pageHref = (n: number) => `/tool-calls?${viewParams(sp, ["page", "usedBy"], n > 1 ? { page: String(n) } : {})}`;

  return (
    <>
      <PageHeader title="Tool calls" description="Every tool call of the fleet and who asked for it: filter by time, tool, agent, gateway, decision, person and text; open a call for its details." />

      <div role="note" className="mb-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
        <p>Credential-shaped strings (API keys, tokens, passwords in URLs, private keys) are redacted before storage.</p>
        {!withParams && <p className="mt-1">Parameters and results of calls are hidden for your role; you see metadata only.</p>}
      </div>

      {invalid.length > 0 && (
        <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-300">
          Ignored invalid filters: {invalid.join(", ")}
        </p>
      )}

      <datalist id={TOOL_LIST}>
        {toolNames.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <datalist id={AGENT_LIST}>
        {agentNames.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <SavedViews views={views.map((v) => ({ id: v.id, name: v.name, query: viewQueryString(v.filters) }))} />
      <ToolCallFilters gateways={gateways.map((g) => ({ id: g.id, name: g.name }))} people={people.map((p) => ({ id: p.id, name: p.displayName }))} toolListId={TOOL_LIST} agentListId={AGENT_LIST} />

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
            {[...keep.entries()].map(([k, v]) => (
              <input key={k} type="hidden" name={k} value={v} />
            ))}
            <label className="flex-1 text-sm">
              <span className="mb-1 block text-slate-700 dark:text-slate-300">Tool name</span>
              <Input name="usedBy" list={TOOL_LIST} defaultValue={usedBy} required maxLength={200} placeholder="e.g. exec" autoComplete="off" key={usedBy} />
            </label>
            <Button type="submit" variant="secondary">
              Show agents
            </Button>
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
                      <th scope="col" className="py-1 pr-2 font-medium">
                        Agent
                      </th>
                      <th scope="col" className="py-1 pr-2 text-right font-medium">
                        Calls
                      </th>
                      <th scope="col" className="py-1 pr-2 text-right font-medium">
                        Blocked
                      </th>
                      <th scope="col" className="py-1 font-medium">
                        Last call
                      </th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {usedByAgents.map((a) => (
                      <tr key={`${a.agentId}:${a.agentName}`}>
                        <td className="py-1 pr-2">
                          {a.agentId ? (
                            <Link href={`/agents/${a.agentId}`} className="text-brand-600 hover:underline dark:text-brand-100">
                              {a.agentName}
                            </Link>
                          ) : (
                            <span>
                              {a.agentName} <Badge>not in registry</Badge>
                            </span>
                          )}
                        </td>
                        <td className="py-1 pr-2 text-right tabular-nums">{a.calls.toLocaleString("en")}</td>
                        <td className="py-1 pr-2 text-right tabular-nums">{a.blocked ? <Badge tone="red">{a.blocked.toLocaleString("en")}</Badge> : 0}</td>
                        <td className="py-1 whitespace-nowrap">{fmtDate(a.lastAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="mt-3 flex flex-wrap gap-4">
                  <Link href={`/tool-calls?${new URLSearchParams({ tool: usedBy, range: "24h", usedBy })}`} className="text-brand-600 hover:underline dark:text-brand-100">
                    Show these calls
                  </Link>
                  <a href={`/api/v1/tool-calls/agents-by-tool?${new URLSearchParams({ tool: usedBy, since: "24h" })}`} className="text-brand-600 hover:underline dark:text-brand-100">
                    As JSON
                  </a>
                </p>
              </>
            )}
          </div>
        </Card>
      </div>

      <ExplorerTable
        key={`${filterQuery}|${query.page}|${query.dir}|${query.pageSize}`}
        caption={`Tool calls, ${windowLabel}`}
        rows={page.rows.map((c) => ({
          id: c.id,
          occurredAt: c.occurredAt.toISOString(),
          ingestedAt: c.ingestedAt.toISOString(),
          agentId: c.agentId,
          agentName: c.agentName,
          toolName: c.toolName,
          toolVersion: c.toolVersion,
          decision: c.decision,
          policyDecision: c.policyDecision,
          blockReason: c.blockReason,
          durationMs: c.durationMs,
          egressHosts: c.egressHosts,
          requesterKind: c.requesterKind,
          personId: c.personId,
          personName: c.personName,
          requester: c.requester,
          chain: c.chain,
        }))}
        total={page.total}
        page={page.page}
        pageSize={page.pageSize}
        dir={query.dir}
        sortHref={`/tool-calls?${viewParams(sp, ["page", "usedBy", "sort", "dir"], { sort: "at", dir: query.dir === "desc" ? "asc" : "desc" })}`}
        prevHref={page.page > 1 ? pageHref(page.page - 1) : null}
        nextHref={page.page < pages ? pageHref(page.page + 1) : null}
        csvHref={csvHref}
        live={live}
        empty={
          <EmptyState title="No tool calls match">
            Widen the time range or clear the filters. Calls arrive when a gateway with the Warden plugin is connected.{live.on ? " New calls appear here as they arrive." : ""}
          </EmptyState>
        }
      />
    </>
  );
}
