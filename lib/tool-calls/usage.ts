import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { dbRead } from "@/lib/db-read";

const HOUR = 3_600_000;
/** tool_call_hourly's agent_key for calls not attributed to a registered agent. */
const NO_AGENT = "00000000-0000-0000-0000-000000000000";
/** The widest look-back "which agents use this tool" answers (the explorer's longest range). */
export const MAX_USAGE_WINDOW_MS = 30 * 24 * HOUR;
/** Rollup slices read in parallel. */
const MAX_SLICES = 2;

export type AgentToolUse = { agentId: string | null; agentName: string; calls: number; blocked: number; lastAt: Date };

type HourlyRow = { agent_key: string; agent_name: string; calls: number; blocked: number; last_at: Date; unattributed_hours: Date[] | null };
type RawRow = { agent_id: string | null; agent_name: string; calls: number; blocked: number; last_at: Date };

/** One row per agent key from the per-slice rollup rows (sums, latest call, all unattributed hours). */
function mergeSlices(slices: HourlyRow[][]): HourlyRow[] {
  if (slices.length === 1) return slices[0];
  const byKey = new Map<string, HourlyRow>();
  for (const r of slices.flat()) {
    const acc = byKey.get(r.agent_key);
    if (!acc) {
      byKey.set(r.agent_key, { ...r, unattributed_hours: r.unattributed_hours ? [...r.unattributed_hours] : null });
      continue;
    }
    acc.calls += r.calls;
    acc.blocked += r.blocked;
    if (new Date(r.last_at) > new Date(acc.last_at)) {
      acc.last_at = r.last_at;
      acc.agent_name = r.agent_name;
    }
    if (r.unattributed_hours) acc.unattributed_hours = [...(acc.unattributed_hours ?? []), ...r.unattributed_hours];
  }
  return [...byKey.values()];
}

/**
 * Which agents called `tool` in the last `sinceMs` (at most 30 days) before `at` (default: now),
 * with their call and block counts and the exact time of their last call; most calls first (at
 * most 1,000 agents).
 *
 * Whole hours inside the window come from the hourly rollup (tool_call_hourly, which also keeps the
 * time of the last call of each row); only the partial hours at both ends are read from tool_calls,
 * so the cost depends on the number of agents, not on the number of calls. Asked about the present
 * (no `at`), the current hour is read from the rollup too (all its calls are before now, but for a
 * gateway whose clock runs ahead): during an incident it is the busiest hour of the window. Calls
 * of agents not in the registry are grouped by the name the gateway reported: the rollup keeps one
 * name per hour for them, so the hours where the rollup has such calls are read from tool_calls
 * (by name). A registered agent appears once, under its registry name.
 */
export async function agentsUsingTool(tool: string, sinceMs: number, at?: Date): Promise<AgentToolUse[]> {
  const now = at ?? new Date();
  const since = new Date(now.getTime() - Math.min(Math.max(sinceMs, 0), MAX_USAGE_WINDOW_MS));
  // Whole hours [h0, h1) come from the rollup; [since, h0) and [h1, now] from tool_calls (but see `live`).
  let h0 = new Date(Math.ceil(since.getTime() / HOUR) * HOUR);
  let h1 = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  if (h0 >= h1) h0 = h1 = since; // less than one whole hour: everything from tool_calls
  // The rollup covers [h0, end): up to the end of the current hour when asked about the present.
  const live = !at && h0 < h1;
  const end = live ? new Date(h1.getTime() + HOUR) : h1;

  const rawSelect = Prisma.sql`
      select t.agent_id::text as agent_id, coalesce(max(a.name), t.agent_name) as agent_name,
             count(*)::int as calls,
             (count(*) filter (where t.decision = 'blocked'))::int as blocked,
             max(t.occurred_at) as last_at
        from tool_calls t left join agents a on a.id = t.agent_id
       where t.tool_name = ${tool}`;
  // The whole hours are read as two slices at once, each on its own connection: the hottest tool's
  // day is ~20,000 rollup entries, aggregated in parallel on two cores (on the 2-core reference
  // machine four slices were slower than one). The slices are merged below.
  const hours = Math.round((end.getTime() - h0.getTime()) / HOUR);
  const sliceCount = Math.min(MAX_SLICES, Math.max(1, Math.ceil(hours / 12)));
  const slices = Array.from({ length: h0 < end ? sliceCount : 0 }, (_, i) => [
    new Date(h0.getTime() + Math.round((hours * i) / sliceCount) * HOUR),
    new Date(h0.getTime() + Math.round((hours * (i + 1)) / sliceCount) * HOUR),
  ]);
  const [edges, ...hourlySlices] = await Promise.all([
    // The partial hours at both ends (at the start only, when the rollup has the current hour).
    dbRead.$queryRaw<RawRow[]>`${rawSelect}
         and ((t.occurred_at >= ${since} and t.occurred_at < ${h0}) or (${!live} and t.occurred_at >= ${h1} and t.occurred_at <= ${now}))
       group by t.agent_id, t.agent_name`,
    ...slices.map(
      ([from, to]) =>
        dbRead.$queryRaw<HourlyRow[]>`
          select g.agent_key::text as agent_key, coalesce(a.name, g.agent_name) as agent_name, g.calls, g.blocked, g.last_at, g.unattributed_hours
            from (select agent_key,
                         max(agent_name) as agent_name,
                         sum(calls)::int as calls,
                         coalesce(sum(calls) filter (where decision = 'blocked'), 0)::int as blocked,
                         max(coalesce(last_at, hour)) as last_at,
                         array_agg(hour) filter (where agent_key = ${NO_AGENT}::uuid) as unattributed_hours
                    from tool_call_hourly
                   where tool_name = ${tool} and hour >= ${from} and hour < ${to}
                   group by agent_key) g
            left join agents a on a.id = g.agent_key`,
    ),
  ]);
  const hourly = mergeSlices(hourlySlices);
  // Unregistered agents' calls in the whole hours where the rollup saw some, read by name.
  const unattributedHours = hourly.find((r) => r.agent_key === NO_AGENT)?.unattributed_hours ?? [];
  const unattributed = unattributedHours.length
    ? await dbRead.$queryRaw<RawRow[]>`${rawSelect}
         and t.agent_id is null and t.occurred_at >= ${h0} and t.occurred_at < ${end}
         and date_trunc('hour', t.occurred_at, 'UTC') = any(${unattributedHours.map((h) => new Date(h).toISOString())}::timestamptz[])
       group by t.agent_id, t.agent_name`
    : [];

  type Acc = { agentId: string | null; agentName: string; calls: number; blocked: number; lastAt: Date };
  const byKey = new Map<string, Acc>();
  for (const r of hourly) {
    if (r.agent_key === NO_AGENT) continue; // counted by name from tool_calls
    byKey.set(r.agent_key, { agentId: r.agent_key, agentName: r.agent_name, calls: r.calls, blocked: r.blocked, lastAt: new Date(r.last_at) });
  }
  for (const r of [...edges, ...unattributed]) {
    const key = r.agent_id ?? `name:${r.agent_name}`;
    const lastAt = new Date(r.last_at);
    const acc = byKey.get(key);
    if (!acc) {
      byKey.set(key, { agentId: r.agent_id, agentName: r.agent_name, calls: r.calls, blocked: r.blocked, lastAt });
      continue;
    }
    acc.calls += r.calls;
    acc.blocked += r.blocked;
    if (lastAt > acc.lastAt) acc.lastAt = lastAt;
  }

  return [...byKey.values()].sort((x, y) => y.calls - x.calls || (x.agentName < y.agentName ? -1 : x.agentName > y.agentName ? 1 : 0)).slice(0, 1000);
}
