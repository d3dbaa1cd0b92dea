import "server-only";
import { db } from "@/lib/db";

const HOUR = 3_600_000;
/** tool_call_hourly's agent_key for calls not attributed to a registered agent. */
const NO_AGENT = "00000000-0000-0000-0000-000000000000";
/** The widest look-back "which agents use this tool" answers (the explorer's longest range). */
export const MAX_USAGE_WINDOW_MS = 30 * 24 * HOUR;

export type AgentToolUse = { agentId: string | null; agentName: string; calls: number; blocked: number; lastAt: Date };

type HourlyRow = { agent_key: string; agent_name: string; calls: number; blocked: number; last_hour: Date };
type RawRow = { agent_id: string | null; agent_name: string; calls: number; blocked: number; last_at: Date };

/**
 * Which agents called `tool` in the last `sinceMs` (at most 30 days) before `now`, with their call
 * and block counts and the exact time of their last call; most calls first (at most 1,000 agents).
 *
 * Whole hours inside the window come from the hourly rollup (tool_call_hourly); only the partial
 * hours at both ends are read from tool_calls, so the cost depends on the number of agents, not on
 * the number of calls. Calls of agents not in the registry are grouped by the name the gateway
 * reported (the rollup keeps one name per hour for them, so their rows are read from tool_calls).
 * A registered agent appears once, under its registry name.
 */
export async function agentsUsingTool(tool: string, sinceMs: number, now = new Date()): Promise<AgentToolUse[]> {
  const since = new Date(now.getTime() - Math.min(Math.max(sinceMs, 0), MAX_USAGE_WINDOW_MS));
  // Whole hours [h0, h1) come from the rollup; [since, h0) and [h1, now] from tool_calls.
  let h0 = new Date(Math.ceil(since.getTime() / HOUR) * HOUR);
  let h1 = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  if (h0 >= h1) h0 = h1 = since; // less than one whole hour: everything from tool_calls

  const [hourly, raw] = await Promise.all([
    h0 < h1
      ? db.$queryRaw<HourlyRow[]>`
          select agent_key::text as agent_key,
                 max(agent_name) as agent_name,
                 sum(calls)::int as calls,
                 coalesce(sum(calls) filter (where decision = 'blocked'), 0)::int as blocked,
                 max(hour) as last_hour
            from tool_call_hourly
           where tool_name = ${tool} and hour >= ${h0} and hour < ${h1}
           group by agent_key`
      : Promise.resolve([] as HourlyRow[]),
    // The partial hours at both ends, and unregistered agents' calls in the whole hours (by name).
    db.$queryRaw<RawRow[]>`
      select agent_id::text as agent_id, agent_name,
             count(*)::int as calls,
             (count(*) filter (where decision = 'blocked'))::int as blocked,
             max(occurred_at) as last_at
        from tool_calls
       where tool_name = ${tool}
         and ((occurred_at >= ${since} and occurred_at < ${h0})
           or (occurred_at >= ${h1} and occurred_at <= ${now})
           or (agent_id is null and occurred_at >= ${h0} and occurred_at < ${h1}))
       group by agent_id, agent_name`,
  ]);

  type Acc = { agentId: string | null; agentName: string; calls: number; blocked: number; lastAt: Date | null; lastHour: Date | null; nameAt: number };
  const byKey = new Map<string, Acc>();
  for (const r of hourly) {
    if (r.agent_key === NO_AGENT) continue; // counted by name from tool_calls below
    byKey.set(r.agent_key, { agentId: r.agent_key, agentName: r.agent_name, calls: r.calls, blocked: r.blocked, lastAt: null, lastHour: new Date(r.last_hour), nameAt: new Date(r.last_hour).getTime() });
  }
  for (const r of raw) {
    const key = r.agent_id ?? `name:${r.agent_name}`;
    const lastAt = new Date(r.last_at);
    const acc = byKey.get(key);
    if (!acc) {
      byKey.set(key, { agentId: r.agent_id, agentName: r.agent_name, calls: r.calls, blocked: r.blocked, lastAt, lastHour: null, nameAt: lastAt.getTime() });
      continue;
    }
    acc.calls += r.calls;
    acc.blocked += r.blocked;
    if (!acc.lastAt || lastAt > acc.lastAt) acc.lastAt = lastAt;
    if (lastAt.getTime() >= acc.nameAt) {
      acc.agentName = r.agent_name;
      acc.nameAt = lastAt.getTime();
    }
  }

  // Registered agents are shown under their registry name. The rollup knows the hour of an agent's
  // last call; its exact time is read from that hour of tool_calls (by agent, through its index)
  // unless a later call was already read above.
  const registered = [...byKey.values()].filter((a) => a.agentId);
  if (registered.length) {
    const needsExact = (a: Acc) => Boolean(a.lastHour && (!a.lastAt || a.lastAt < a.lastHour));
    const rows = await db.$queryRaw<{ agent_id: string; name: string | null; last_at: Date | null }[]>`
      select k.agent_id::text as agent_id, a.name,
             (select max(t.occurred_at) from tool_calls t
               where k.hour is not null and t.agent_id = k.agent_id and t.tool_name = ${tool}
                 and t.occurred_at >= k.hour and t.occurred_at < k.hour + interval '1 hour') as last_at
        from unnest(${registered.map((a) => a.agentId!)}::uuid[], ${registered.map((a) => (needsExact(a) ? a.lastHour!.toISOString() : null))}::timestamptz[]) as k(agent_id, hour)
        left join agents a on a.id = k.agent_id`;
    const found = new Map(rows.map((r) => [r.agent_id, r]));
    for (const a of registered) {
      const r = found.get(a.agentId!);
      if (r?.name) a.agentName = r.name;
      // Retention may have dropped the rows behind an old rollup hour: then the hour is the answer.
      if (needsExact(a)) a.lastAt = r?.last_at ? new Date(r.last_at) : (a.lastAt ?? a.lastHour);
    }
  }

  return [...byKey.values()]
    .map((a) => ({ agentId: a.agentId, agentName: a.agentName, calls: a.calls, blocked: a.blocked, lastAt: a.lastAt ?? a.lastHour! }))
    .sort((x, y) => y.calls - x.calls || (x.agentName < y.agentName ? -1 : x.agentName > y.agentName ? 1 : 0))
    .slice(0, 1000);
}
