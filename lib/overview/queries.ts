import "server-only";
import { dbRead } from "@/lib/db-read";
import { Prisma } from "@/lib/generated/prisma/client";
import { countOpenEscalations } from "@/lib/containment/queries";
import { reviewStateWhere } from "@/lib/integrations/queries";
import { readRollupSlices, type AgentCost, type Calls, type RollupSlices } from "./rollups";
import { buildTiles } from "./tiles";
import type { AgentSpendPoint, CallWindow, DayPoint, HourPoint, OverviewDashboard, OverviewTile, WeekPoint } from "./types";
import { CHART_DAYS, DAY_MS, DRILL_DUE_DAYS, GATEWAY_STALE_MINUTES, HOUR_MS, SPEND_TOP_AGENTS, THROUGHPUT_WEEKS, dayKey, overviewWindows, type OverviewWindows } from "./windows";

/** The rollup's key for calls not attributed to a registered agent. */
export const UNATTRIBUTED_AGENT = "00000000-0000-0000-0000-000000000000";

/** 24 h / 7 d totals and the hourly and daily series, from the rollup's calls per hour. */
function callSeries(hourCalls: Map<number, Calls>, w: OverviewWindows) {
  const hourly: HourPoint[] = [];
  for (let t = w.from24h.getTime(); t <= w.hourNow.getTime(); t += HOUR_MS) {
    const p = hourCalls.get(t);
    hourly.push({ hour: new Date(t).toISOString(), allowed: p?.allowed ?? 0, blocked: p?.blocked ?? 0 });
  }
  const daily: DayPoint[] = Array.from({ length: CHART_DAYS }, (_, i) => ({ day: dayKey(new Date(w.from30d.getTime() + i * DAY_MS)), allowed: 0, blocked: 0 }));
  const last24h: CallWindow = { calls: 0, blocked: 0 };
  const last7d: CallWindow = { calls: 0, blocked: 0 };
  for (const [t, p] of hourCalls) {
    const day = daily[Math.floor((t - w.from30d.getTime()) / DAY_MS)];
    if (day) {
      day.allowed += p.allowed;
      day.blocked += p.blocked;
    }
    for (const [win, from] of [
      [last24h, w.from24h],
      [last7d, w.from7d],
    ] as const) {
      if (t < from.getTime() || t > w.hourNow.getTime()) continue;
      win.calls += p.allowed + p.blocked;
      win.blocked += p.blocked;
    }
  }
  return { hourly, daily, last24h, last7d };
}

const sumCost = (m: AgentCost) => [...m.values()].reduce((a, v) => a.add(v.usd), new Prisma.Decimal(0));

/** Spend today and over 7 days, and the agents that spent most over the 7 days (registry names where known). */
async function spendByAgent(today: AgentCost, week: AgentCost) {
  const zero = new Prisma.Decimal(0);
  const spenders = [...week.entries()].map(([agentKey, v]) => ({ agentKey, agentName: v.name, week: v.usd, today: today.get(agentKey)?.usd ?? zero })).filter((r) => r.week.gt(0));
  spenders.sort((a, b) => b.week.cmp(a.week) || b.today.cmp(a.today) || a.agentName.localeCompare(b.agentName));
  const top = spenders.slice(0, SPEND_TOP_AGENTS);
  // The rollup keeps the name the gateway reported; registered agents are shown by their registry name.
  const ids = top.map((r) => r.agentKey).filter((k) => k !== UNATTRIBUTED_AGENT);
  const names = ids.length ? new Map((await dbRead.agent.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((a) => [a.id, a.name])) : new Map<string, string>();
  const points: AgentSpendPoint[] = top.map((r) => {
    const attributed = r.agentKey !== UNATTRIBUTED_AGENT;
    return {
      agentId: attributed ? r.agentKey : null,
      agentName: attributed ? (names.get(r.agentKey) ?? r.agentName) : "Unattributed calls",
      todayUsd: r.today.toNumber(),
      weekUsd: r.week.toNumber(),
    };
  });
  return { today: sumCost(today), week: sumCost(week), points, others: spenders.length - top.length };
}

/** Trust decisions per week by outcome, and tool requests filed per week (Monday-based UTC weeks). */
async function reviewThroughput(w: OverviewWindows): Promise<WeekPoint[]> {
  const [decisions, filed] = await Promise.all([
    dbRead.$queryRaw<{ w: number; outcome: string; n: number }[]>`
      select floor(extract(epoch from (decided_at - ${w.throughputFrom}::timestamptz)) / 604800)::int as w, outcome::text as outcome, count(*)::int as n
        from trust_decisions
       where decided_at >= ${w.throughputFrom} and decided_at <= ${w.now}
       group by 1, 2`,
    dbRead.$queryRaw<{ w: number; n: number }[]>`
      select floor(extract(epoch from (created_at - ${w.throughputFrom}::timestamptz)) / 604800)::int as w, count(*)::int as n
        from tool_requests
       where created_at >= ${w.throughputFrom} and created_at <= ${w.now}
       group by 1`,
  ]);
  const weeks: WeekPoint[] = Array.from({ length: THROUGHPUT_WEEKS }, (_, i) => ({
    week: dayKey(new Date(w.throughputFrom.getTime() + i * 7 * DAY_MS)),
    approved: 0,
    conditional: 0,
    rejected: 0,
    filed: 0,
  }));
  for (const d of decisions) {
    const p = weeks[d.w];
    if (!p) continue;
    if (d.outcome === "approve") p.approved += d.n;
    else if (d.outcome === "approve_with_conditions") p.conditional += d.n;
    else p.rejected += d.n;
  }
  for (const f of filed) if (weeks[f.w]) weeks[f.w].filed += f.n;
  return weeks;
}

/** Open findings per kind, and open unapproved-tool findings last seen in the last 24 h / 7 d. */
async function openFindings(w: OverviewWindows) {
  const since24h = new Date(w.now.getTime() - DAY_MS);
  const since7d = new Date(w.now.getTime() - 7 * DAY_MS);
  const rows = await dbRead.$queryRaw<{ total: number; unapproved24h: number; unapproved7d: number }[]>`
    select count(*)::int as total,
           (count(*) filter (where kind = 'unapproved_tool' and last_seen_at >= ${since24h}))::int as "unapproved24h",
           (count(*) filter (where kind = 'unapproved_tool' and last_seen_at >= ${since7d}))::int as "unapproved7d"
      from findings
     where status = 'open'`;
  return rows[0] ?? { total: 0, unapproved24h: 0, unapproved7d: 0 };
}

type Data = Omit<OverviewDashboard, "tiles">;

/** Reviews waiting: pending tool requests, overdue re-reviews, integrations overdue or advisory-flagged. */
export async function loadReviewsSection(now: Date): Promise<Data["reviews"]> {
  const [pendingRequests, overdueReReviews, integrationsOverdue, integrationsFlagged] = await Promise.all([
    dbRead.toolRequest.count({ where: { status: "pending" } }),
    dbRead.trustDecision.count({ where: { toolVersionId: { not: null }, outcome: { not: "reject" }, revokedAt: null, reReviewAt: { lt: now } } }),
    dbRead.integration.count({ where: reviewStateWhere(now).overdue }),
    dbRead.integration.count({ where: { advisoryFlaggedAt: { not: null } } }),
  ]);
  return { pendingRequests, overdueReReviews, integrationsOverdue, integrationsFlagged };
}

/** Containment, escalations, open incidents and playbook drills. */
export async function loadResponseSection(now: Date): Promise<Pick<Data, "response" | "playbooks">> {
  const drillCutoff = new Date(now.getTime() - DRILL_DUE_DAYS * DAY_MS);
  const [activeContainment, escalations, incidents, playbooksTotal, drillDue] = await Promise.all([
    dbRead.containmentAction.count({ where: { status: "active" } }),
    countOpenEscalations(dbRead),
    dbRead.incident.groupBy({ by: ["status"], where: { status: { in: ["open", "contained"] } }, _count: { _all: true } }),
    dbRead.playbook.count(),
    dbRead.playbook.count({ where: { drills: { none: { startedAt: { gte: drillCutoff } } } } }),
  ]);
  const incidentCount = (s: string) => incidents.find((i) => i.status === s)?._count._all ?? 0;
  return {
    response: { activeContainment, escalations, incidentsOpen: incidentCount("open"), incidentsContained: incidentCount("contained") },
    playbooks: { total: playbooksTotal, drillDue },
  };
}

/** Tool calls over 24 h / 7 d with their hourly and daily series, and open findings. */
export async function loadCallsSection(now: Date, rollup?: Promise<RollupSlices>) {
  const w = overviewWindows(now);
  const [slices, findings] = await Promise.all([rollup ?? readRollupSlices(w), openFindings(w)]);
  const calls = callSeries(slices.hourCalls, w);
  return {
    calls: { last24h: calls.last24h, last7d: calls.last7d, unapproved24h: findings.unapproved24h, unapproved7d: findings.unapproved7d } satisfies Data["calls"],
    findingsOpen: findings.total,
    hourly: calls.hourly,
    daily: calls.daily,
  };
}

/** The fleet's size, gateways not seen, and spend today and over 7 days against the fleet budget. */
export async function loadFleetSection(now: Date, rollup?: Promise<RollupSlices>) {
  const w = overviewWindows(now);
  const staleBefore = new Date(now.getTime() - GATEWAY_STALE_MINUTES * 60_000);
  const [slices, budgets, gatewaysTotal, notSeen, agentsTotal, toolsTotal] = await Promise.all([
    rollup ?? readRollupSlices(w),
    dbRead.budget.findMany({ select: { agentId: true, dailyUsd: true, enabled: true, onLimit: true } }),
    dbRead.gateway.count(),
    dbRead.gateway.count({ where: { OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: staleBefore } }] } }),
    dbRead.agent.count(),
    dbRead.tool.count(),
  ]);
  const spend = await spendByAgent(slices.today, slices.week);
  const fleetBudget = budgets.find((b) => b.agentId === null) ?? null;
  const percent = fleetBudget?.enabled && fleetBudget.dailyUsd.gt(0) ? spend.today.div(fleetBudget.dailyUsd).mul(100).toDecimalPlaces(1, Prisma.Decimal.ROUND_DOWN).toNumber() : null;
  return {
    spend: {
      day: dayKey(w.today),
      todayUsd: spend.today.toFixed(),
      weekUsd: spend.week.toFixed(),
      budget: fleetBudget ? { dailyUsd: fleetBudget.dailyUsd.toFixed(2), enabled: fleetBudget.enabled, onLimit: fleetBudget.onLimit } : null,
      percent,
      agentsWithBudget: budgets.filter((b) => b.agentId !== null && b.enabled).length,
    } satisfies Data["spend"],
    gateways: { total: gatewaysTotal, notSeen, staleAfterMinutes: GATEWAY_STALE_MINUTES },
    fleet: { agents: agentsTotal, tools: toolsTotal },
    spendByAgent: spend.points,
    spendOtherAgents: spend.others,
  };
}

/** Trust decisions and tool requests per week over the last 12 weeks. */
export async function loadReviewThroughput(now: Date): Promise<WeekPoint[]> {
  return reviewThroughput(overviewWindows(now));
}

/** The rollup slices every section at `now` can share (read once per page). */
export function readOverviewRollup(now: Date): Promise<RollupSlices> {
  return readRollupSlices(overviewWindows(now));
}

/** An empty dashboard: the base a section fills in to build only its own tiles. */
const EMPTY: Data = {
  generatedAt: "",
  reviews: { pendingRequests: 0, overdueReReviews: 0, integrationsOverdue: 0, integrationsFlagged: 0 },
  calls: { last24h: { calls: 0, blocked: 0 }, last7d: { calls: 0, blocked: 0 }, unapproved24h: 0, unapproved7d: 0 },
  findingsOpen: 0,
  response: { activeContainment: 0, escalations: 0, incidentsOpen: 0, incidentsContained: 0 },
  spend: { day: "", todayUsd: "0", weekUsd: "0", budget: null, percent: null, agentsWithBudget: 0 },
  playbooks: { total: 0, drillDue: 0 },
  gateways: { total: 0, notSeen: 0, staleAfterMinutes: GATEWAY_STALE_MINUTES },
  fleet: { agents: 0, tools: 0 },
  charts: { hourly: [], daily: [], spendByAgent: [], spendOtherAgents: 0, reviewThroughput: [] },
};

/** The tiles with these ids, built from what one section loaded (the rest of the dashboard left empty). */
export function sectionTiles(ids: readonly string[], part: Partial<Data>): OverviewTile[] {
  const tiles = new Map(buildTiles({ ...EMPTY, ...part }).map((t) => [t.id, t]));
  return ids.flatMap((id) => tiles.get(id) ?? []);
}

/**
 * Everything on the overview dashboard at `now` (GET /api/v1/overview): the same section loaders
 * the page streams card by card. Only the coarse rollups (see ./rollups) and indexed counts, run in
 * parallel; never a scan of tool_calls. Tool-call parameters and results are never read.
 */
export async function getOverviewDashboard(now: Date = new Date()): Promise<OverviewDashboard> {
  const rollup = readOverviewRollup(now);
  const [reviews, response, calls, fleet, throughput] = await Promise.all([
    loadReviewsSection(now),
    loadResponseSection(now),
    loadCallsSection(now, rollup),
    loadFleetSection(now, rollup),
    loadReviewThroughput(now),
  ]);
  const data: Data = {
    generatedAt: now.toISOString(),
    reviews,
    calls: calls.calls,
    findingsOpen: calls.findingsOpen,
    response: response.response,
    spend: fleet.spend,
    playbooks: response.playbooks,
    gateways: fleet.gateways,
    fleet: fleet.fleet,
    charts: { hourly: calls.hourly, daily: calls.daily, spendByAgent: fleet.spendByAgent, spendOtherAgents: fleet.spendOtherAgents, reviewThroughput: throughput },
  };
  return { ...data, tiles: buildTiles(data) };
}

/** Today's fleet spend (UTC day of `now`) from the rollup, as a decimal string. */
export async function fleetSpendToday(now: Date = new Date()): Promise<string> {
  const { today } = await readRollupSlices(overviewWindows(now));
  return sumCost(today).toFixed();
}
