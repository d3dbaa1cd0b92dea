import "server-only";
import { db } from "@/lib/db";
import { dbRead } from "@/lib/db-read";
import { Prisma } from "@/lib/generated/prisma/client";
import type { OnLimit } from "./schema";

const DAY_MS = 86_400_000;
export const CHART_DAYS = 7;

/** Midnight UTC of the day `now` falls in. */
export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** "2026-05-14": the UTC day of a date. */
export const dayKey = (d: Date) => d.toISOString().slice(0, 10);

/** spent / daily in percent, one decimal (exact decimal arithmetic; null without a budget). */
export function percentOf(spent: Prisma.Decimal, daily: Prisma.Decimal | null | undefined): number | null {
  if (!daily || daily.lte(0)) return null;
  return spent.div(daily).mul(100).toDecimalPlaces(1, Prisma.Decimal.ROUND_DOWN).toNumber();
}

export type Usage = {
  /** Tool calls that day. */
  calls: number;
  tokensIn: number;
  tokensOut: number;
  /** Tool-call cost plus model cost: what budgets are measured against. */
  costUsd: Prisma.Decimal;
  /** Model calls reported through POST /api/v1/connector/usage, their cost, and how many had no price. */
  modelCalls: number;
  modelCostUsd: Prisma.Decimal;
  unpricedModelCalls: number;
};
export type DayUsage = { day: string; byAgent: Map<string, Usage>; unattributed: Usage | null; fleet: Usage };

type UsageRow = { agentId: string | null; isTotal: number; calls: number; tokensIn: bigint; tokensOut: bigint; costUsd: string };
type ModelRow = UsageRow & { unpriced: number };

const ZERO_AGENT = "00000000-0000-0000-0000-000000000000";
const zeroUsage = (): Usage => ({ calls: 0, tokensIn: 0, tokensOut: 0, costUsd: new Prisma.Decimal(0), modelCalls: 0, modelCostUsd: new Prisma.Decimal(0), unpricedModelCalls: 0 });
const addTools = (u: Usage, r: UsageRow): Usage => ({
  ...u,
  calls: u.calls + r.calls,
  tokensIn: u.tokensIn + Number(r.tokensIn),
  tokensOut: u.tokensOut + Number(r.tokensOut),
  costUsd: u.costUsd.add(r.costUsd),
});
const addModels = (u: Usage, r: ModelRow): Usage => ({
  ...u,
  tokensIn: u.tokensIn + Number(r.tokensIn),
  tokensOut: u.tokensOut + Number(r.tokensOut),
  costUsd: u.costUsd.add(r.costUsd),
  modelCalls: u.modelCalls + r.calls,
  modelCostUsd: u.modelCostUsd.add(r.costUsd),
  unpricedModelCalls: u.unpricedModelCalls + r.unpriced,
});

/**
 * Usage of the UTC day `now` falls in, per agent and for the whole fleet (calls not attributed to
 * a registered agent count for the fleet only): tool calls (one grouped query over that day's
 * partition) plus model calls (from the per-day rollup model_usage_daily, never raw rows). Sums
 * stay numeric in SQL and Decimal here.
 */
export async function usageForDay(now: Date = new Date(), opts: { agentIds?: string[] } = {}): Promise<DayUsage> {
  const start = utcDayStart(now);
  const end = new Date(start.getTime() + DAY_MS);
  // Only some agents (the breaker without a fleet budget): the (agent_id, occurred_at) index
  // answers without reading the rest of the day; `fleet` is then the total of those agents.
  const only = opts.agentIds ? Prisma.sql`and agent_id = any(${opts.agentIds}::uuid[])` : Prisma.empty;
  const onlyModel = opts.agentIds ? Prisma.sql`and agent_key = any(${opts.agentIds}::uuid[])` : Prisma.empty;
  const [rows, models] = await Promise.all([
    db.$queryRaw<UsageRow[]>`
    select agent_id::text as "agentId", grouping(agent_id)::int as "isTotal", count(*)::int as calls,
           coalesce(sum(tokens_in), 0)::bigint as "tokensIn", coalesce(sum(tokens_out), 0)::bigint as "tokensOut",
           coalesce(sum(cost_usd), 0)::text as "costUsd"
      from tool_calls
     where occurred_at >= ${start} and occurred_at < ${end} ${only}
     group by grouping sets ((agent_id), ())`,
    db.$queryRaw<ModelRow[]>`
    select nullif(agent_key, ${ZERO_AGENT}::uuid)::text as "agentId", grouping(agent_key)::int as "isTotal", coalesce(sum(calls), 0)::int as calls,
           coalesce(sum(tokens_in + cache_read_tokens + cache_write_tokens), 0)::bigint as "tokensIn", coalesce(sum(tokens_out), 0)::bigint as "tokensOut",
           coalesce(sum(cost_usd), 0)::text as "costUsd", coalesce(sum(unpriced_calls), 0)::int as unpriced
      from model_usage_daily
     where day = ${dayKey(start)}::date ${onlyModel}
     group by grouping sets ((agent_key), ())`,
  ]);
  const byAgent = new Map<string, Usage>();
  let unattributed: Usage | null = null;
  let fleet = zeroUsage();
  for (const r of rows) {
    if (r.isTotal) fleet = addTools(fleet, r);
    else if (r.agentId) byAgent.set(r.agentId, addTools(byAgent.get(r.agentId) ?? zeroUsage(), r));
    else unattributed = addTools(unattributed ?? zeroUsage(), r);
  }
  for (const r of models) {
    if (r.isTotal) fleet = addModels(fleet, r);
    else if (r.agentId) byAgent.set(r.agentId, addModels(byAgent.get(r.agentId) ?? zeroUsage(), r));
    else unattributed = addModels(unattributed ?? zeroUsage(), r);
  }
  return { day: dayKey(start), byAgent, unattributed, fleet };
}

export type DayPoint = { day: string; calls: number; tokensIn: number; tokensOut: number; costUsd: string; modelCalls: number; modelCostUsd: string; toolCostUsd: string };

/** Fleet (or one agent's) usage per UTC day for the last `days` days, today included, missing days as zero; cost = tool calls + model calls. */
export async function usageByDay(opts: { now?: Date; days?: number; agentId?: string } = {}): Promise<DayPoint[]> {
  const days = opts.days ?? CHART_DAYS;
  const end = new Date(utcDayStart(opts.now ?? new Date()).getTime() + DAY_MS);
  const start = new Date(end.getTime() - days * DAY_MS);
  const agentFilter = opts.agentId ? Prisma.sql`and agent_id = ${opts.agentId}::uuid` : Prisma.empty;
  const modelFilter = opts.agentId ? Prisma.sql`and agent_key = ${opts.agentId}::uuid` : Prisma.empty;
  type Row = { day: string; calls: number; tokensIn: bigint; tokensOut: bigint; costUsd: string };
  const [rows, models] = await Promise.all([
    dbRead.$queryRaw<Row[]>`
    select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as calls,
           coalesce(sum(tokens_in), 0)::bigint as "tokensIn", coalesce(sum(tokens_out), 0)::bigint as "tokensOut",
           coalesce(sum(cost_usd), 0)::text as "costUsd"
      from tool_calls
     where occurred_at >= ${start} and occurred_at < ${end} ${agentFilter}
     group by 1`,
    dbRead.$queryRaw<Row[]>`
    select to_char(day, 'YYYY-MM-DD') as day, coalesce(sum(calls), 0)::int as calls,
           coalesce(sum(tokens_in + cache_read_tokens + cache_write_tokens), 0)::bigint as "tokensIn", coalesce(sum(tokens_out), 0)::bigint as "tokensOut",
           coalesce(sum(cost_usd), 0)::text as "costUsd"
      from model_usage_daily
     where day >= ${dayKey(start)}::date and day < ${dayKey(end)}::date ${modelFilter}
     group by 1`,
  ]);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const modelByDay = new Map(models.map((r) => [r.day, r]));
  return Array.from({ length: days }, (_, i) => {
    const day = dayKey(new Date(start.getTime() + i * DAY_MS));
    const r = byDay.get(day);
    const m = modelByDay.get(day);
    const tool = new Prisma.Decimal(r?.costUsd ?? 0);
    const model = new Prisma.Decimal(m?.costUsd ?? 0);
    return {
      day,
      calls: r?.calls ?? 0,
      tokensIn: Number(r?.tokensIn ?? 0) + Number(m?.tokensIn ?? 0),
      tokensOut: Number(r?.tokensOut ?? 0) + Number(m?.tokensOut ?? 0),
      costUsd: tool.add(model).toFixed(),
      modelCalls: m?.calls ?? 0,
      modelCostUsd: model.toFixed(),
      toolCostUsd: tool.toFixed(),
    };
  });
}

const BUDGET_SELECT = { id: true, agentId: true, dailyUsd: true, onLimit: true, enabled: true, createdAt: true, updatedAt: true } as const;

export type BudgetView = { id: string; agentId: string | null; dailyUsd: string; onLimit: OnLimit; enabled: boolean; createdAt: Date; updatedAt: Date };

export function budgetView(b: { id: string; agentId: string | null; dailyUsd: Prisma.Decimal; onLimit: string; enabled: boolean; createdAt: Date; updatedAt: Date }): BudgetView {
  return { id: b.id, agentId: b.agentId, dailyUsd: b.dailyUsd.toFixed(2), onLimit: b.onLimit as OnLimit, enabled: b.enabled, createdAt: b.createdAt, updatedAt: b.updatedAt };
}

export type AlertView = { id: string; budgetId: string; day: string; threshold: number; spentUsd: string; firedAt: Date; containmentActionId: string | null };

type AlertRow = { id: string; budgetId: string; day: Date; threshold: number; spentUsd: Prisma.Decimal; firedAt: Date; containmentActionId: string | null };
const alertView = (a: AlertRow): AlertView => ({
  id: a.id,
  budgetId: a.budgetId,
  day: dayKey(a.day),
  threshold: a.threshold,
  spentUsd: a.spentUsd.toFixed(),
  firedAt: a.firedAt,
  containmentActionId: a.containmentActionId,
});

export type UsageView = { calls: number; tokensIn: number; tokensOut: number; costUsd: string; modelCalls: number; modelCostUsd: string; unpricedModelCalls: number };
const usageView = (u: Usage | null | undefined): UsageView => ({
  calls: u?.calls ?? 0,
  tokensIn: u?.tokensIn ?? 0,
  tokensOut: u?.tokensOut ?? 0,
  costUsd: (u?.costUsd ?? new Prisma.Decimal(0)).toFixed(),
  modelCalls: u?.modelCalls ?? 0,
  modelCostUsd: (u?.modelCostUsd ?? new Prisma.Decimal(0)).toFixed(),
  unpricedModelCalls: u?.unpricedModelCalls ?? 0,
});

export type AgentSpend = UsageView & { agentId: string; agentName: string; agentStatus: string; budget: BudgetView | null; percent: number | null; lastAlert: AlertView | null };
export type SpendOverview = {
  day: string;
  fleet: UsageView & { budget: BudgetView | null; percent: number | null; lastAlert: AlertView | null };
  unattributed: UsageView | null;
  agents: AgentSpend[];
};

/**
 * Today's spend (the UTC day of `now`) against budgets: the fleet total and its budget, and every
 * agent that spent today or has a budget, with percent of budget and the budget's newest alert.
 */
export async function getSpendOverview(now: Date = new Date()): Promise<SpendOverview> {
  const [usage, budgets] = await Promise.all([usageForDay(now), db.budget.findMany({ select: BUDGET_SELECT })]);
  const lastAlerts = budgets.length
    ? await db.$queryRaw<AlertRow[]>`
        select distinct on (budget_id) id::text, budget_id::text as "budgetId", day, threshold, spent_usd as "spentUsd",
               fired_at as "firedAt", containment_action_id::text as "containmentActionId"
          from budget_alerts
         where budget_id = any(${budgets.map((b) => b.id)}::uuid[])
         order by budget_id, day desc, threshold desc`
    : [];
  const lastByBudget = new Map(lastAlerts.map((a) => [a.budgetId, alertView({ ...a, spentUsd: new Prisma.Decimal(a.spentUsd) })]));

  const agentIds = [...new Set([...usage.byAgent.keys(), ...budgets.flatMap((b) => (b.agentId ? [b.agentId] : []))])];
  const agents = agentIds.length ? await db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true, status: true } }) : [];
  const budgetByAgent = new Map(budgets.flatMap((b) => (b.agentId ? [[b.agentId, b] as const] : [])));
  const fleetBudget = budgets.find((b) => b.agentId === null) ?? null;
  const zero = new Prisma.Decimal(0);

  const rows: AgentSpend[] = agents.map((a) => {
    const u = usage.byAgent.get(a.id);
    const b = budgetByAgent.get(a.id);
    return {
      agentId: a.id,
      agentName: a.name,
      agentStatus: a.status,
      ...usageView(u),
      budget: b ? budgetView(b) : null,
      percent: b ? percentOf(u?.costUsd ?? zero, b.dailyUsd) : null,
      lastAlert: b ? (lastByBudget.get(b.id) ?? null) : null,
    };
  });
  rows.sort((x, y) => new Prisma.Decimal(y.costUsd).cmp(x.costUsd) || x.agentName.localeCompare(y.agentName));

  return {
    day: usage.day,
    fleet: {
      ...usageView(usage.fleet),
      budget: fleetBudget ? budgetView(fleetBudget) : null,
      percent: fleetBudget ? percentOf(usage.fleet.costUsd, fleetBudget.dailyUsd) : null,
      lastAlert: fleetBudget ? (lastByBudget.get(fleetBudget.id) ?? null) : null,
    },
    unattributed: usage.unattributed ? usageView(usage.unattributed) : null,
    agents: rows,
  };
}

export type BudgetListRow = BudgetView & { agentName: string | null };

/** Every budget (the fleet budget first), with its agent's name. */
export async function listBudgets(): Promise<BudgetListRow[]> {
  const rows = await db.budget.findMany({ select: { ...BUDGET_SELECT, agent: { select: { name: true } } }, orderBy: [{ createdAt: "asc" }] });
  return rows
    .map((b) => ({ ...budgetView(b), agentName: b.agent?.name ?? null }))
    .sort((x, y) => (x.agentId === null ? -1 : y.agentId === null ? 1 : (x.agentName ?? "").localeCompare(y.agentName ?? "")));
}

export type AlertListRow = AlertView & { agentId: string | null; agentName: string | null };

/** Budget alerts, newest first, paged. */
export async function listBudgetAlerts(opts: { page?: number; pageSize?: number } = {}): Promise<{ rows: AlertListRow[]; total: number; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 20, 1), 200);
  const page = Math.max(opts.page ?? 1, 1);
  const [rows, total] = await Promise.all([
    db.budgetAlert.findMany({
      select: {
        id: true,
        budgetId: true,
        day: true,
        threshold: true,
        spentUsd: true,
        firedAt: true,
        containmentActionId: true,
        budget: { select: { agentId: true, agent: { select: { name: true } } } },
      },
      orderBy: [{ firedAt: "desc" }, { threshold: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db.budgetAlert.count(),
  ]);
  return { rows: rows.map((a) => ({ ...alertView(a), agentId: a.budget.agentId, agentName: a.budget.agent?.name ?? null })), total, page, pageSize };
}

/** Agents to pick from when setting a budget (id and name only). */
export async function listAgentChoices(): Promise<{ id: string; name: string }[]> {
  return db.agent.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" }, take: 5000 });
}
