import "server-only";
import { dbRead } from "@/lib/db-read";
import { Prisma } from "@/lib/generated/prisma/client";
import { DAY_MS, HOUR_MS, type OverviewWindows } from "./windows";

/**
 * The dashboard's reads over tool calls, from the two coarse rollups the insert trigger keeps
 * (see the fleet_rollups migration): fleet calls per hour and decision (~1,500 rows for 30 days)
 * and per-agent cost per UTC day. Their size does not grow with the number of tool calls, so the
 * overview stays fast at any volume without caching.
 */
export type Calls = { allowed: number; blocked: number };
export type AgentCost = Map<string, { name: string; usd: Prisma.Decimal }>;

export type RollupSlices = {
  /** Calls per hour for every hour from `from30d` to `hourNow`. */
  hourCalls: Map<number, Calls>;
  /** Spend per agent today (UTC) and over the 7-day window (today included). */
  today: AgentCost;
  week: AgentCost;
};

type CostRow = { day: Date; agentKey: string; agentName: string; usd: string };

export async function readRollupSlices(w: OverviewWindows): Promise<RollupSlices> {
  const [calls, costs] = await Promise.all([
    dbRead.$queryRaw<{ hour: Date; blocked: boolean; calls: number }[]>`
      select hour, (decision = 'blocked') as blocked, calls from tool_call_fleet_hourly
       where hour >= ${w.from30d} and hour <= ${w.hourNow}`,
    dbRead.$queryRaw<CostRow[]>`
      select day, agent_key::text as "agentKey", agent_name as "agentName", cost_usd::text as usd from tool_call_agent_daily
       where day >= ${w.week}::date and day <= ${w.today}::date
      union all -- model spend (POST /api/v1/connector/usage) counts like tool-call spend
      select day, agent_key::text, agent_name, cost_usd::text from model_usage_daily
       where day >= ${w.week}::date and day <= ${w.today}::date`,
  ]);
  const hourCalls = new Map<number, Calls>();
  for (let h = w.from30d.getTime(); h <= w.hourNow.getTime(); h += HOUR_MS) hourCalls.set(h, { allowed: 0, blocked: 0 });
  for (const r of calls) {
    const c = hourCalls.get(new Date(r.hour).getTime());
    if (!c) continue;
    if (r.blocked) c.blocked += Number(r.calls);
    else c.allowed += Number(r.calls);
  }
  const today: AgentCost = new Map();
  const week: AgentCost = new Map();
  const add = (into: AgentCost, r: CostRow) => {
    const cur = into.get(r.agentKey);
    const usd = new Prisma.Decimal(r.usd);
    into.set(r.agentKey, { name: r.agentName, usd: cur ? cur.usd.add(usd) : usd });
  };
  const todayMs = w.today.getTime();
  for (const r of costs) {
    add(week, r);
    if (Math.abs(new Date(r.day).getTime() - todayMs) < DAY_MS / 2) add(today, r);
  }
  return { hourCalls, today, week };
}
