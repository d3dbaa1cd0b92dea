/**
 * Read-path measurements, in process through the same lib functions the pages and API routes call
 * (lib/tool-calls/queries.ts, lib/overview or lib/fleet), against the bench database.
 */
import fs from "node:fs";
import path from "node:path";
import type { Fleet } from "./fleet";
import { measure, summarize, type Timing } from "./stats";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Tools, agents and gateways to query: the hottest, some in the middle, and a rare one. */
function spread<T>(items: T[], weightOf: (t: T) => number): T[] {
  const sorted = [...items].sort((a, b) => weightOf(b) - weightOf(a));
  const picks = [0, 1, 3, Math.floor(sorted.length / 10), Math.floor(sorted.length / 3), sorted.length - 1];
  return [...new Set(picks.filter((i) => i >= 0 && i < sorted.length))].map((i) => sorted[i]);
}

export type QueryResults = {
  agents_by_tool_24h: Timing;
  explorer_first_page: Record<string, Timing>;
  overview: Timing & { function: string };
};

/** The overview the console renders: lib/overview/queries.ts when it exists, else getOverview. */
async function overviewFunction(root: string): Promise<{ name: string; fn: () => Promise<unknown> }> {
  if (fs.existsSync(path.join(root, "lib/overview/queries.ts"))) {
    const mod = (await import("@/lib/overview/queries" as string)) as Record<string, unknown>;
    const names = Object.keys(mod).filter((k) => typeof mod[k] === "function" && /overview|dashboard/i.test(k));
    const name = names.find((k) => /dashboard/i.test(k)) ?? names[0];
    if (name) return { name: `lib/overview/queries.ts ${name}()`, fn: () => (mod[name] as () => Promise<unknown>)() };
  }
  const { getOverview } = await import("@/lib/fleet/queries");
  return { name: "lib/fleet/queries.ts getOverview()", fn: () => getOverview() };
}

export async function measureQueries(root: string, fleet: Fleet, runs: number, log: (m: string) => void): Promise<QueryResults> {
  const q = await import("@/lib/tool-calls/queries");
  const { listGateways } = await import("@/lib/fleet/queries");

  // Tool popularity in the fleet: summed agent activity over the agents that have the tool.
  const toolWeight = new Map<string, number>();
  for (const a of fleet.agents) for (const t of a.tools) toolWeight.set(fleet.tools[t].name, (toolWeight.get(fleet.tools[t].name) ?? 0) + fleet.agentWeights[a.idx]);
  const tools = spread(
    fleet.tools.map((t) => t.name).filter((n) => toolWeight.has(n)),
    (n) => toolWeight.get(n)!,
  );
  const agents = spread(fleet.agents, (a) => fleet.agentWeights[a.idx]);
  const gwWeight = new Map<number, number>();
  for (const a of fleet.agents) gwWeight.set(a.gatewayIdx, (gwWeight.get(a.gatewayIdx) ?? 0) + fleet.agentWeights[a.idx]);
  const gateways = spread(fleet.gateways, (g) => gwWeight.get(g.idx) ?? 0);

  const rot = <T>(list: T[], i: number) => list[((i % list.length) + list.length) % list.length];

  log(`  agents by tool (24h), ${runs} runs over ${tools.length} tools`);
  // Warm-up: one unmeasured pass over every queried value (the first touch of a tool's rollup
  // pages right after the bulk load is a cold-cache read, not the steady state being measured).
  const abt = await measure((i) => q.agentsByTool(rot(tools, i), DAY), runs, tools.length);

  /** What app/(console)/tool-calls/page.tsx loads for a first page (no usedBy panel). */
  const firstPage = async (params: Record<string, string>) => {
    const { query } = q.parseToolCallQuery(params);
    await Promise.all([q.explorerPage(query), listGateways(), q.explorerPickers()]);
  };
  const now = Date.now();
  const windowAt = (i: number) => {
    // 6-hour windows at different points of the 30 days (an incident responder's custom range).
    const daysBack = 1 + (((i % 7) + 7) % 7) * 4;
    const to = new Date(now - daysBack * DAY + (i % 3) * 5 * HOUR);
    return { from: new Date(to.getTime() - 6 * HOUR).toISOString(), to: to.toISOString() };
  };
  const filters: Record<string, (i: number) => Record<string, string>> = {
    none_24h: () => ({}),
    tool: (i) => ({ tool: rot(tools, i) }),
    agent: (i) => ({ agent: rot(agents, i).name }),
    agent_id: (i) => ({ agent: rot(agents, i).id }),
    gateway: (i) => ({ gateway: rot(gateways, i).id }),
    decision: (i) => ({ decision: i % 2 ? "allowed" : "blocked" }),
    time_range: windowAt,
    range_7d: () => ({ range: "7d" }),
    range_30d: () => ({ range: "30d" }),
  };
  const explorer: Record<string, Timing> = {};
  for (const [name, params] of Object.entries(filters)) {
    explorer[name] = summarize(await measure((i) => firstPage(params(i)), runs, Math.max(tools.length, agents.length, gateways.length)));
    log(`  explorer first page, ${name}: median ${explorer[name].median_ms} ms, p95 ${explorer[name].p95_ms} ms`);
  }

  const overview = await overviewFunction(root);
  const ov = await measure(() => overview.fn(), runs);
  return { agents_by_tool_24h: summarize(abt), explorer_first_page: explorer, overview: { ...summarize(ov), function: overview.name } };
}
