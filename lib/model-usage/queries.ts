import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { dayKey, utcDayStart } from "@/lib/spend/queries";
import { priceView, type ModelPriceView } from "./service";
import type { CostSourceName } from "./schema";
import { modelKey } from "./policy";

const DAY_MS = 86_400_000;
export const SPEND_DAYS = 30;
const ZERO_AGENT = "00000000-0000-0000-0000-000000000000";

/** Every model price, by provider and model. */
export async function listModelPrices(): Promise<ModelPriceView[]> {
  const rows = await db.modelPrice.findMany({
    select: { id: true, provider: true, model: true, inputUsdPerMTok: true, outputUsdPerMTok: true, cacheReadUsdPerMTok: true, cacheWriteUsdPerMTok: true, source: true, updatedAt: true },
    orderBy: [{ provider: "asc" }, { model: "asc" }],
  });
  return rows.map(priceView);
}

export type ModelRuleView = { id: string; scope: "internal" | "external"; pattern: string; status: "allowed" | "weak" | "denied"; note: string; updatedAt: Date };

/** Every model policy rule, by scope and pattern. */
export async function listModelRules(): Promise<ModelRuleView[]> {
  return db.modelRule.findMany({ select: { id: true, scope: true, pattern: true, status: true, note: true, updatedAt: true }, orderBy: [{ scope: "asc" }, { pattern: "asc" }] });
}

export type SpendSlice = { todayUsd: string; days30Usd: string; todayCalls: number; days30Calls: number; unpricedToday: number; unpriced30: number; tokensToday: number };
export type ModelSpendRow = SpendSlice & { provider: string; model: string };
export type GatewaySpendRow = { gatewayId: string; gatewayName: string | null; toolTodayUsd: string; modelTodayUsd: string; todayUsd: string; days30Usd: string; modelCallsToday: number };
export type AgentSpend30 = { agentId: string | null; agentName: string; days30Usd: string; modelTodayUsd: string; modelCallsToday: number; unpricedToday: number };

const dec = (v: string | null | undefined) => new Prisma.Decimal(v ?? 0);

/**
 * Spend per model, per gateway and per agent, today (UTC) and over the last 30 days (today
 * included). Model figures come from the per-day rollup model_usage_daily; tool-call cost per
 * gateway from the hourly rollup and per agent from the per-agent-day rollup, so nothing scans raw rows.
 */
export async function getSpendBreakdown(now: Date = new Date()): Promise<{ day: string; from: string; models: ModelSpendRow[]; gateways: GatewaySpendRow[]; agents: AgentSpend30[] }> {
  const today = utcDayStart(now);
  const from = new Date(today.getTime() - (SPEND_DAYS - 1) * DAY_MS);
  const [t, f] = [dayKey(today), dayKey(from)];
  const [models, gwModel, gwTool, agentModel, agentTool] = await Promise.all([
    db.$queryRaw<{ provider: string; model: string; todayUsd: string; days30Usd: string; todayCalls: number; days30Calls: number; unpricedToday: number; unpriced30: number; tokensToday: bigint }[]>`
      select provider, model,
             coalesce(sum(cost_usd) filter (where day = ${t}::date), 0)::text as "todayUsd", sum(cost_usd)::text as "days30Usd",
             coalesce(sum(calls) filter (where day = ${t}::date), 0)::int as "todayCalls", sum(calls)::int as "days30Calls",
             coalesce(sum(unpriced_calls) filter (where day = ${t}::date), 0)::int as "unpricedToday", sum(unpriced_calls)::int as "unpriced30",
             coalesce(sum(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) filter (where day = ${t}::date), 0)::bigint as "tokensToday"
        from model_usage_daily where day >= ${f}::date and day <= ${t}::date
       group by provider, model`,
    db.$queryRaw<{ gatewayId: string; todayUsd: string; days30Usd: string; callsToday: number }[]>`
      select gateway_id::text as "gatewayId", coalesce(sum(cost_usd) filter (where day = ${t}::date), 0)::text as "todayUsd", sum(cost_usd)::text as "days30Usd",
             coalesce(sum(calls) filter (where day = ${t}::date), 0)::int as "callsToday"
        from model_usage_daily where day >= ${f}::date and day <= ${t}::date group by 1`,
    db.$queryRaw<{ gatewayId: string; todayUsd: string; days30Usd: string }[]>`
      select gateway_id::text as "gatewayId", coalesce(sum(cost_usd) filter (where hour >= ${today}), 0)::text as "todayUsd", sum(cost_usd)::text as "days30Usd"
        from tool_call_hourly where hour >= ${from} and hour < ${new Date(today.getTime() + DAY_MS)} group by 1`,
    db.$queryRaw<{ agentKey: string; agentName: string; todayUsd: string; days30Usd: string; callsToday: number; unpricedToday: number }[]>`
      select agent_key::text as "agentKey", max(agent_name) as "agentName", coalesce(sum(cost_usd) filter (where day = ${t}::date), 0)::text as "todayUsd",
             sum(cost_usd)::text as "days30Usd", coalesce(sum(calls) filter (where day = ${t}::date), 0)::int as "callsToday",
             coalesce(sum(unpriced_calls) filter (where day = ${t}::date), 0)::int as "unpricedToday"
        from model_usage_daily where day >= ${f}::date and day <= ${t}::date group by 1`,
    db.$queryRaw<{ agentKey: string; agentName: string; days30Usd: string }[]>`
      select agent_key::text as "agentKey", max(agent_name) as "agentName", sum(cost_usd)::text as "days30Usd"
        from tool_call_agent_daily where day >= ${f}::date and day <= ${t}::date group by 1`,
  ]);

  const gatewayIds = [...new Set([...gwModel, ...gwTool].map((r) => r.gatewayId))];
  const names = new Map((gatewayIds.length ? await db.gateway.findMany({ where: { id: { in: gatewayIds } }, select: { id: true, name: true } }) : []).map((g) => [g.id, g.name]));
  const gateways: GatewaySpendRow[] = gatewayIds.map((id) => {
    const m = gwModel.find((r) => r.gatewayId === id);
    const tl = gwTool.find((r) => r.gatewayId === id);
    return {
      gatewayId: id,
      gatewayName: names.get(id) ?? null,
      toolTodayUsd: dec(tl?.todayUsd).toFixed(),
      modelTodayUsd: dec(m?.todayUsd).toFixed(),
      todayUsd: dec(tl?.todayUsd).add(dec(m?.todayUsd)).toFixed(),
      days30Usd: dec(tl?.days30Usd).add(dec(m?.days30Usd)).toFixed(),
      modelCallsToday: m?.callsToday ?? 0,
    };
  });
  gateways.sort((a, b) => dec(b.days30Usd).cmp(a.days30Usd) || (a.gatewayName ?? "").localeCompare(b.gatewayName ?? ""));

  const agentKeys = [...new Set([...agentModel, ...agentTool].map((r) => r.agentKey))];
  const agents: AgentSpend30[] = agentKeys.map((k) => {
    const m = agentModel.find((r) => r.agentKey === k);
    const tl = agentTool.find((r) => r.agentKey === k);
    return {
      agentId: k === ZERO_AGENT ? null : k,
      agentName: k === ZERO_AGENT ? "agents not in the registry" : (m?.agentName ?? tl?.agentName ?? k),
      days30Usd: dec(tl?.days30Usd).add(dec(m?.days30Usd)).toFixed(),
      modelTodayUsd: dec(m?.todayUsd).toFixed(),
      modelCallsToday: m?.callsToday ?? 0,
      unpricedToday: m?.unpricedToday ?? 0,
    };
  });

  const modelRows: ModelSpendRow[] = models.map((r) => ({
    provider: r.provider,
    model: r.model,
    todayUsd: dec(r.todayUsd).toFixed(),
    days30Usd: dec(r.days30Usd).toFixed(),
    todayCalls: r.todayCalls,
    days30Calls: r.days30Calls,
    unpricedToday: r.unpricedToday,
    unpriced30: r.unpriced30,
    tokensToday: Number(r.tokensToday),
  }));
  modelRows.sort((a, b) => dec(b.days30Usd).cmp(a.days30Usd) || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  return { day: t, from: f, models: modelRows, gateways, agents };
}

export type RunModelCall = {
  eventId: string;
  occurredAt: Date;
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  fallback: boolean;
  primaryModel: string | null;
  costUsd: string | null;
  costSource: CostSourceName;
};

/** The run id of a tool call's event id (`<toolCallId>@<runId>.decision|.result`), or null. */
export function runIdOfEventId(eventId: string): string | null {
  const m = /^.+@(.+)\.(decision|result)$/.exec(eventId);
  return m ? m[1] : null;
}

/** The model calls a gateway reported for one run (the same turn as a tool call), oldest first. */
export async function modelCallsOfRun(gatewayId: string, runId: string): Promise<RunModelCall[]> {
  const rows = await db.modelCall.findMany({
    where: { gatewayId, runId },
    select: {
      eventId: true,
      occurredAt: true,
      provider: true,
      model: true,
      tokensIn: true,
      tokensOut: true,
      cacheReadTokens: true,
      cacheWriteTokens: true,
      fallback: true,
      primaryModel: true,
      costUsd: true,
      costSource: true,
    },
    orderBy: { occurredAt: "asc" },
    take: 50,
  });
  return rows.map((r) => ({ ...r, costUsd: r.costUsd?.toFixed() ?? null }));
}

export type ObservedModels = { primary: string | null; fallbacks: string[] };

/**
 * What agents actually ran over the last `days` days, from their model calls: the primary (the
 * newest primary a gateway reported, else the model of most non-fallback calls) and the models
 * they fell back to. Agents without model calls are absent: their registry record stands.
 */
export async function observedModels(agentIds: string[], now: Date = new Date(), days = 30): Promise<Map<string, ObservedModels>> {
  if (!agentIds.length) return new Map();
  const since = new Date(now.getTime() - days * DAY_MS);
  const rows = await db.$queryRaw<{ agentId: string; provider: string; model: string; fallback: boolean; calls: number; primary: string | null; lastAt: Date }[]>`
    select agent_id::text as "agentId", provider, model, fallback, count(*)::int as calls,
           (array_agg(primary_model order by occurred_at desc) filter (where primary_model is not null))[1] as primary, max(occurred_at) as "lastAt"
      from model_calls
     where agent_id = any(${agentIds}::uuid[]) and occurred_at >= ${since}
     group by 1, 2, 3, 4`;
  const out = new Map<string, ObservedModels & { best: number; primaryAt: number }>();
  for (const r of rows) {
    const o = out.get(r.agentId) ?? { primary: null, fallbacks: [], best: -1, primaryAt: -1 };
    const key = modelKey(r.provider, r.model);
    if (r.fallback && !o.fallbacks.includes(key)) o.fallbacks.push(key);
    if (r.primary && r.lastAt.getTime() > o.primaryAt) {
      o.primary = r.primary.toLowerCase();
      o.primaryAt = r.lastAt.getTime();
    } else if (!r.fallback && o.primaryAt < 0 && r.calls > o.best) {
      o.primary = key;
      o.best = r.calls;
    }
    out.set(r.agentId, o);
  }
  return new Map([...out].map(([k, v]) => [k, { primary: v.primary, fallbacks: v.fallbacks.sort() }]));
}
