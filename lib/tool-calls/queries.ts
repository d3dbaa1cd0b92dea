import "server-only";
import { z } from "zod";
import { dbRead } from "@/lib/db-read";
import { Prisma } from "@/lib/generated/prisma/client";
import { can, type RoleName } from "@/lib/auth/roles";
import { CSV_MAX_ROWS, parseListQuery, skipTake } from "@/lib/list";
import { agentsUsingTool, type AgentToolUse } from "./usage";
import type { Actor } from "@/lib/auth/actor";
import { teamScopeOf, teamSqlOf, toolCallWhereOf, type TeamScope } from "@/lib/teams/scope";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const RANGES = { "1h": HOUR, "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY } as const;
export type RangeKey = keyof typeof RANGES;
/** The widest window one query may scan (custom from/to included): every read stays time-bounded. */
export const MAX_WINDOW_MS = 31 * DAY;

const ZIso = z.iso.datetime({ offset: true });

export const TOOL_CALL_FILTERS = {
  range: z.enum(Object.keys(RANGES) as [RangeKey, ...RangeKey[]]).default("24h"),
  from: ZIso.optional(),
  to: ZIso.optional(),
  tool: z.string().trim().min(1).max(200).optional(),
  /** An agent id (uuid) or the agent name as the gateway reported it. */
  agent: z.string().trim().min(1).max(200).optional(),
  gateway: z.uuid().optional(),
  decision: z.enum(["allowed", "blocked", "not_run"]).optional(),
  /** Who asked: calls of one person (directory id). */
  person: z.uuid().optional(),
  /** Who asked: person (a directory entry), unmapped (a sender not in the directory), none (no provable requester). */
  requester: z.enum(["person", "unmapped", "none"]).optional(),
  // The only sort is time; "at" is the table column id.
  sort: z.enum(["at"]).optional(),
  dir: z.enum(["asc", "desc"]).default("desc"),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
};

const MAX_BIGINT = 9_223_372_036_854_775_807n;
/** tool_call_hourly's agent_key for calls not attributed to a registered agent. */
const NO_AGENT = "00000000-0000-0000-0000-000000000000";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parse the explorer's URL/API params. Always resolves a bounded window `[from, to]`: either the
 * explicit from/to (at most 31 days apart) or the last `range` (default 24h) before `to`/now.
 */
export function parseToolCallQuery(params: Parameters<typeof parseListQuery>[0], now = new Date()) {
  const { query, invalid } = parseListQuery(params, TOOL_CALL_FILTERS);
  let to = query.to ? new Date(query.to) : now;
  let from = query.from ? new Date(query.from) : new Date(to.getTime() - RANGES[query.range]);
  if (from >= to || to.getTime() - from.getTime() > MAX_WINDOW_MS) {
    invalid.push(...(query.from ? ["from"] : []), ...(query.to ? ["to"] : []));
    to = now;
    from = new Date(now.getTime() - RANGES[query.range]);
  }
  return { query: { ...query, window: { from, to } }, invalid: [...new Set(invalid)] };
}
/** A parsed view; `scope` (set by scopedQuery, never from the URL) limits it to a team's calls. */
export type ToolCallQuery = ReturnType<typeof parseToolCallQuery>["query"] & { scope?: TeamScope };

/** The view as the actor may see it: a team-scoped actor's reads only see their team's calls. */
export function scopedQuery<Q extends ToolCallQuery>(q: Q, actor: Actor): Q {
  return { ...q, scope: teamScopeOf(actor) };
}

/** May this role see tool-call parameters and results? (Managers may not.) */
export function paramsAllowed(role: RoleName | null | undefined): boolean {
  return can(role, "tool_calls:read_params");
}

function agentWhere(agent: string): Prisma.ToolCallWhereInput {
  return UUID.test(agent) ? { agentId: agent.toLowerCase() } : { agentName: agent };
}

function toolCallWhere(q: ToolCallQuery): Prisma.ToolCallWhereInput {
  // Prisma passes `contains` to ILIKE unescaped, so the user's % and _ are escaped here.
  const text = q.q ? { contains: escapeLike(q.q), mode: "insensitive" as const } : null;
  return {
    ...toolCallWhereOf(q.scope ?? null),
    occurredAt: { gte: q.window.from, lte: q.window.to },
    ...(q.tool ? { toolName: q.tool } : {}),
    ...(q.agent ? agentWhere(q.agent) : {}),
    ...(q.gateway ? { gatewayId: q.gateway } : {}),
    ...(q.decision ? { decision: q.decision } : {}),
    ...(q.person ? { personId: q.person } : {}),
    ...(q.requester ? { requesterKind: q.requester } : {}),
    ...(text ? { OR: [{ toolName: text }, { agentName: text }, { blockReason: text }, { error: text }] } : {}),
  };
}

/** Escape LIKE wildcards so the user's %, _ and \ match themselves. */
function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The same filters as toolCallWhere, as a parameterised SQL fragment for raw aggregates. */
function toolCallSqlWhere(q: ToolCallQuery, time: Prisma.Sql = Prisma.sql`occurred_at >= ${q.window.from} and occurred_at <= ${q.window.to}`): Prisma.Sql {
  const parts: Prisma.Sql[] = [time];
  if (q.scope) parts.push(teamSqlOf(q.scope));
  if (q.tool) parts.push(Prisma.sql`tool_name = ${q.tool}`);
  if (q.agent) parts.push(UUID.test(q.agent) ? Prisma.sql`agent_id = ${q.agent.toLowerCase()}::uuid` : Prisma.sql`agent_name = ${q.agent}`);
  if (q.gateway) parts.push(Prisma.sql`gateway_id = ${q.gateway}::uuid`);
  if (q.decision) parts.push(Prisma.sql`decision = ${q.decision}::"CallDecision"`);
  if (q.person) parts.push(Prisma.sql`person_id = ${q.person}::uuid`);
  if (q.requester) parts.push(Prisma.sql`requester_kind = ${q.requester}::"RequesterKind"`);
  if (q.q) {
    const p = `%${escapeLike(q.q)}%`;
    parts.push(Prisma.sql`(tool_name ilike ${p} or agent_name ilike ${p} or block_reason ilike ${p} or error ilike ${p})`);
  }
  return Prisma.join(parts, " and ");
}

const META_SELECT = {
  id: true,
  occurredAt: true,
  gatewayId: true,
  eventId: true,
  agentId: true,
  agentName: true,
  sessionKey: true,
  toolName: true,
  toolVersion: true,
  toolHash: true,
  decision: true,
  policyDecision: true,
  blockReason: true,
  durationMs: true,
  error: true,
  egressHosts: true,
  tokensIn: true,
  tokensOut: true,
  costUsd: true,
  ingestedAt: true,
  requester: true,
  requesterKind: true,
  personId: true,
  chain: true,
} satisfies Prisma.ToolCallSelect;

type MetaRow = Prisma.ToolCallGetPayload<{ select: typeof META_SELECT }>;

/** A tool call's metadata, JSON-safe (bigint id and decimal cost as strings). */
export type ToolCallRow = Omit<MetaRow, "id" | "costUsd"> & { id: string; costUsd: string | null; gatewayName: string | null; personName: string | null };
/** A row with parameters and results: only ever built when the caller may read them. */
export type ToolCallRowWithParams = ToolCallRow & { params: unknown; result: unknown };

async function gatewayNames(ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await dbRead.gateway.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } });
  return new Map(rows.map((g) => [g.id, g.name]));
}

type Names = { gateways: Map<string, string>; people: Map<string, string> };

/** The gateway and person names of some rows (one small read each, none when no row names a person). */
async function namesOf(rows: { gatewayId: string; personId: string | null }[]): Promise<Names> {
  const ids = [...new Set(rows.flatMap((r) => (r.personId ? [r.personId] : [])))];
  const [gateways, people] = await Promise.all([
    gatewayNames(rows.map((r) => r.gatewayId)),
    ids.length ? dbRead.person.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } }) : Promise.resolve([]),
  ]);
  return { gateways, people: new Map(people.map((p) => [p.id, p.displayName])) };
}

function shape(r: MetaRow, names: Names): ToolCallRow {
  return {
    ...r,
    id: r.id.toString(),
    costUsd: r.costUsd?.toString() ?? null,
    gatewayName: names.gateways.get(r.gatewayId) ?? null,
    personName: r.personId ? (names.people.get(r.personId) ?? null) : null,
  };
}

/** Above this many matching calls, a view that the rollup cannot count says "10,000+" (totalCapped). */
export const COUNT_CAP = 10_000;

/**
 * A page of tool calls in the query's window (offset pagination; the time bound is always applied).
 * Parameters and results are selected only when `withParams` — callers pass `paramsAllowed(role)`.
 * `all` returns up to CSV_MAX_ROWS rows from the first one (exports) and skips the count.
 * The total is exact when a rollup can count the view (no text search, agent by id; see
 * rollupFor); otherwise counting stops at COUNT_CAP + 1 and `totalCapped` says so.
 */
export async function listToolCalls(
  q: ToolCallQuery,
  opts: { withParams: true; all?: boolean },
): Promise<{ rows: ToolCallRowWithParams[]; total: number; totalCapped: boolean; page: number; pageSize: number }>;
export async function listToolCalls(
  q: ToolCallQuery,
  opts: { withParams: boolean; all?: boolean },
): Promise<{ rows: ToolCallRow[]; total: number; totalCapped: boolean; page: number; pageSize: number }>;
export async function listToolCalls(q: ToolCallQuery, opts: { withParams: boolean; all?: boolean }) {
  const where = toolCallWhere(q);
  const orderBy: Prisma.ToolCallOrderByWithRelationInput[] = [{ occurredAt: q.dir }, { id: q.dir }];
  const page = opts.all ? { skip: 0, take: CSV_MAX_ROWS } : skipTake(q);
  const select = opts.withParams ? { ...META_SELECT, params: true, result: true } : META_SELECT;
  const [rows, count] = await Promise.all([
    dbRead.toolCall.findMany({ where, orderBy, ...page, select }) as Promise<(MetaRow & { params?: unknown; result?: unknown })[]>,
    opts.all ? Promise.resolve(null) : countToolCalls(q),
  ]);
  const names = await namesOf(rows);
  return {
    rows: rows.map((r) => {
      const { params, result, ...meta } = r;
      return opts.withParams ? { ...shape(meta, names), params: params ?? null, result: result ?? null } : shape(meta, names);
    }),
    total: count ? count.total : rows.length,
    totalCapped: count?.capped ?? false,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/**
 * What the explorer page shows for a view (app/(console)/tool-calls/page.tsx): a page of rows and
 * the hourly series, with the total summed from the series. The series counts every call of the
 * window exactly (whole hours from a rollup when one can answer the view, the rest from
 * tool_calls), so the separate count of listToolCalls — a second read of the same partial hours,
 * or up to 10,001 rows for a view no rollup can count — is not needed, and the total is exact for
 * every view. Gateway names are looked up as soon as the rows are in, beside the series.
 */
export async function explorerPage(q: ToolCallQuery): Promise<{ page: { rows: ToolCallRow[]; total: number; totalCapped: boolean; page: number; pageSize: number }; series: SeriesPoint[] }> {
  const rows = dbRead.toolCall.findMany({ where: toolCallWhere(q), orderBy: [{ occurredAt: q.dir }, { id: q.dir }], ...skipTake(q), select: META_SELECT }).then(async (found) => {
    const names = await namesOf(found);
    return found.map((r) => shape(r, names));
  });
  const [shaped, series] = await Promise.all([rows, toolCallSeries(q)]);
  const total = series.reduce((n, p) => n + p.calls, 0);
  return { page: { rows: shaped, total, totalCapped: false, page: q.page, pageSize: q.pageSize }, series };
}

/**
 * Which rollup can count this view: tool_call_fleet_hourly (hour, decision) when only the time
 * and the decision are filtered, tool_call_hourly (hour, gateway, agent id, tool, decision) for
 * those filters, none for a text search or an agent given by name.
 */
function rollupFor(q: ToolCallQuery): "fleet" | "hourly" | null {
  // The rollups have no team: a team-scoped view is counted from tool_calls itself.
  if (q.scope || q.q || (q.agent && !UUID.test(q.agent)) || q.person || q.requester) return null;
  return q.tool || q.agent || q.gateway ? "hourly" : "fleet";
}

/**
 * The window split for the rollup: whole hours [h0, rollupEnd) come from tool_call_hourly, the
 * partial hours from tool_calls. Usually rollupEnd = h1 and the partial hours are [from, h0) and
 * [h1, to]. When the window ends in the current hour (every preset range: "the last 24 hours"),
 * that hour is the one being written, and during an incident the busiest: it comes from the
 * rollup as a whole (rollupEnd = h1 + 1 h), less the calls of that hour after `to` (`tail`
 * "after": only calls a gateway dated ahead of Warden's clock, usually none), so the result is
 * still exact without reading the hour's calls. Null when the window holds no rollup hour.
 */
function hourSplit(q: ToolCallQuery, nowMs = Date.now()): { h0: Date; h1: Date; rollupEnd: Date; tail: "until" | "after" } | null {
  const h0 = new Date(Math.ceil(q.window.from.getTime() / HOUR) * HOUR);
  const h1 = new Date(Math.floor(q.window.to.getTime() / HOUR) * HOUR);
  if (h1.getTime() === Math.floor(nowMs / HOUR) * HOUR && h0 <= h1) return { h0, h1, rollupEnd: new Date(h1.getTime() + HOUR), tail: "after" };
  return h0 < h1 ? { h0, h1, rollupEnd: h1, tail: "until" } : null;
}

/** Calls per whole hour [h0, h1) of the view, from its rollup. */
function rollupHours(q: ToolCallQuery, source: "fleet" | "hourly", h0: Date, h1: Date): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`hour >= ${h0} and hour < ${h1}`];
  if (q.tool) parts.push(Prisma.sql`tool_name = ${q.tool}`);
  if (q.agent) parts.push(Prisma.sql`agent_key = ${q.agent.toLowerCase()}::uuid`);
  if (q.gateway) parts.push(Prisma.sql`gateway_id = ${q.gateway}::uuid`);
  if (q.decision) parts.push(Prisma.sql`decision = ${q.decision}::"CallDecision"`);
  const table = source === "fleet" ? Prisma.sql`tool_call_fleet_hourly` : Prisma.sql`tool_call_hourly`;
  return Prisma.sql`
    select hour, sum(calls)::int as calls, coalesce(sum(calls) filter (where decision = 'blocked'), 0)::int as blocked
      from ${table} where ${Prisma.join(parts, " and ")} group by hour`;
}

/**
 * The view's calls in the partial hours at both ends of the window, as two separate time ranges
 * (so each is one index range, not the whole window filtered), each with its weight `w`: +1, or
 * −1 for the calls after `to` in an hour the rollup counted whole (see hourSplit).
 */
function edgeRows(q: ToolCallQuery, split: NonNullable<ReturnType<typeof hourSplit>>, columns: Prisma.Sql): Prisma.Sql {
  const tail =
    split.tail === "after"
      ? Prisma.sql`select ${columns}, -1 as w from tool_calls where ${toolCallSqlWhere(q, Prisma.sql`occurred_at > ${q.window.to} and occurred_at < ${split.rollupEnd}`)}`
      : Prisma.sql`select ${columns}, 1 as w from tool_calls where ${toolCallSqlWhere(q, Prisma.sql`occurred_at >= ${split.h1} and occurred_at <= ${q.window.to}`)}`;
  return Prisma.sql`
    select ${columns}, 1 as w from tool_calls where ${toolCallSqlWhere(q, Prisma.sql`occurred_at >= ${q.window.from} and occurred_at < ${split.h0}`)}
    union all
    ${tail}`;
}

/** How many calls the view matches: exact through the rollup, else counted up to COUNT_CAP + 1. */
async function countToolCalls(q: ToolCallQuery): Promise<{ total: number; capped: boolean }> {
  const source = rollupFor(q);
  const split = source ? hourSplit(q) : null;
  if (source && split) {
    const [rollup, edges] = await Promise.all([
      dbRead.$queryRaw<{ n: bigint | null }[]>`select sum(calls) as n from (${rollupHours(q, source, split.h0, split.rollupEnd)}) hours`,
      dbRead.$queryRaw<{ n: bigint | null }[]>`select sum(w) as n from (${edgeRows(q, split, Prisma.sql`1 as one`)}) edges`,
    ]);
    return { total: Number(rollup[0]?.n ?? 0) + Number(edges[0]?.n ?? 0), capped: false };
  }
  const [{ n }] = await dbRead.$queryRaw<{ n: bigint }[]>`select count(*) as n from (select 1 from tool_calls where ${toolCallSqlWhere(q)} limit ${COUNT_CAP + 1}) capped`;
  const total = Number(n);
  return { total, capped: total > COUNT_CAP };
}

export type SeriesPoint = { hour: string; calls: number; blocked: number };

/**
 * Calls and blocked calls per UTC hour across the query's window (every hour present, zeros
 * included). Whole hours come from a rollup when one can answer the view (see rollupFor).
 */
export async function toolCallSeries(q: ToolCallQuery): Promise<SeriesPoint[]> {
  type Bucket = { hour: Date; calls: number; blocked: number };
  const source = rollupFor(q);
  const split = source ? hourSplit(q) : null;
  const raw = split ? edgeRows(q, split, Prisma.sql`occurred_at, decision`) : Prisma.sql`select occurred_at, decision, 1 as w from tool_calls where ${toolCallSqlWhere(q)}`;
  const [rolled, counted] = await Promise.all([
    source && split ? dbRead.$queryRaw<Bucket[]>`${rollupHours(q, source, split.h0, split.rollupEnd)}` : Promise.resolve([] as Bucket[]),
    dbRead.$queryRaw<Bucket[]>`
      select date_trunc('hour', occurred_at at time zone 'UTC') at time zone 'UTC' as hour,
             sum(w)::int as calls,
             coalesce(sum(w) filter (where decision = 'blocked'), 0)::int as blocked
        from (${raw}) calls
       group by 1`,
  ]);
  const byHour = new Map<number, { calls: number; blocked: number }>();
  for (const r of [...rolled, ...counted]) {
    const t = new Date(r.hour).getTime();
    const b = byHour.get(t) ?? { calls: 0, blocked: 0 };
    b.calls += r.calls;
    b.blocked += r.blocked;
    byHour.set(t, b);
  }
  const out: SeriesPoint[] = [];
  const first = Math.floor(q.window.from.getTime() / HOUR) * HOUR;
  for (let t = first; t <= q.window.to.getTime(); t += HOUR) {
    const r = byHour.get(t);
    out.push({ hour: new Date(t).toISOString(), calls: r?.calls ?? 0, blocked: r?.blocked ?? 0 });
  }
  return out;
}

/** Parse a look-back like "24h" or "7d" (1h … 30d) into milliseconds; null when invalid. */
export function parseSince(value: string | null | undefined): number | null {
  const m = /^(\d{1,4})([hd])$/.exec(value?.trim() ?? "");
  if (!m) return null;
  const ms = Number(m[1]) * (m[2] === "h" ? HOUR : DAY);
  return ms >= HOUR && ms <= RANGES["30d"] ? ms : null;
}

export const ZAgentsByTool = z.object({
  tool: z.string().trim().min(1, "Name a tool.").max(200),
  since: z
    .string()
    .trim()
    .default("24h")
    .refine((s) => parseSince(s) !== null, "Use Nh or Nd, from 1h up to 30d."),
});

export type { AgentToolUse };

/** Which agents called `tool` in the last `sinceMs` (by agent), most calls first: see agentsUsingTool (hourly rollup). */
export async function agentsByTool(tool: string, sinceMs: number, now?: Date, scope: TeamScope = null): Promise<AgentToolUse[]> {
  const all = await agentsUsingTool(tool, Math.min(sinceMs, RANGES["30d"]), now);
  if (!scope) return all;
  // The rollup has no team: keep the team's own agents (unattributed calls are fleet-only).
  const mine = new Set((await dbRead.agent.findMany({ where: { teamId: scope.teamId }, select: { id: true } })).map((a) => a.id));
  return all.filter((a) => a.agentId && mine.has(a.agentId));
}

/** The pickers of a team-scoped explorer: its agents' names and the tools they called in the last 7 days. */
async function teamPickers(scope: { teamId: string }, now: Date): Promise<[string[], string[]]> {
  const agents = await dbRead.agent.findMany({ where: { teamId: scope.teamId }, orderBy: { name: "asc" }, select: { id: true, name: true }, take: 500 });
  if (!agents.length) return [[], []];
  const since = new Date(Math.floor((now.getTime() - 7 * DAY) / HOUR) * HOUR);
  const ids = agents.map((a) => a.id);
  const tools = await dbRead.$queryRaw<{ name: string }[]>`
    select distinct tool_name as name from tool_call_hourly
     where agent_key = any(${ids}::uuid[]) and hour >= ${since} and hour <= ${now}
     order by 1 limit 500`;
  return [tools.map((t) => t.name), agents.map((a) => a.name)];
}

/**
 * Distinct tool names called in the last `days` days (for pickers), from the hourly rollup: a loose
 * index scan visits each tool name once instead of reading every call of the period.
 */
export async function listRecentToolNames(days = 7, now = new Date()): Promise<string[]> {
  const since = new Date(Math.floor((now.getTime() - days * DAY) / HOUR) * HOUR);
  const rows = await dbRead.$queryRaw<{ name: string }[]>`
    with recursive names as (
      (select tool_name from tool_call_hourly order by tool_name limit 1)
      union all
      select (select h.tool_name from tool_call_hourly h where h.tool_name > n.tool_name order by h.tool_name limit 1)
        from names n where n.tool_name is not null
    )
    select n.tool_name as name from names n
     where n.tool_name is not null
       and exists (select 1 from tool_call_hourly h where h.tool_name = n.tool_name and h.hour >= ${since} and h.hour <= ${now})
     order by n.tool_name
     limit 500`;
  return rows.map((r) => r.name);
}

/**
 * Distinct agent names that made calls in the last `days` days (for pickers), from the hourly
 * rollup: each agent's latest reported name, and the names of calls not attributed to an agent.
 */
export async function listRecentAgentNames(days = 7, now = new Date()): Promise<string[]> {
  const since = new Date(Math.floor((now.getTime() - days * DAY) / HOUR) * HOUR);
  const rows = await dbRead.$queryRaw<{ name: string }[]>`
    with recursive agents as (
      (select agent_key from tool_call_hourly order by agent_key limit 1)
      union all
      select (select h.agent_key from tool_call_hourly h where h.agent_key > a.agent_key order by h.agent_key limit 1)
        from agents a where a.agent_key is not null
    )
    select distinct name from (
      select (select h.agent_name from tool_call_hourly h where h.agent_key = a.agent_key and h.hour >= ${since} and h.hour <= ${now} order by h.hour desc limit 1) as name
        from agents a where a.agent_key is not null and a.agent_key <> ${NO_AGENT}::uuid
      union all
      select h.agent_name from tool_call_hourly h where h.agent_key = ${NO_AGENT}::uuid and h.hour >= ${since} and h.hour <= ${now}
    ) recent
     where name is not null
     order by name
     limit 500`;
  return rows.map((r) => r.name);
}

const PICKER_TTL_MS = 30_000;
type PickerCache = Map<string, { at: number; value: Promise<string[]> }>;
const pickerCache: PickerCache = ((globalThis as { __wardenPickerCache?: PickerCache }).__wardenPickerCache ??= new Map());

/**
 * The explorer's tool and agent pickers (names seen in the last 7 days), kept 30 s per process:
 * they are suggestions for a filter field, and every explorer page load would otherwise repeat
 * the same two loose index scans of the rollup. listRecentToolNames/AgentNames stay uncached.
 */
export function explorerPickers(now = Date.now(), scope: TeamScope = null): Promise<[string[], string[]]> {
  if (scope) return teamPickers(scope, new Date(now));
  const get = (key: string, load: () => Promise<string[]>) => {
    const hit = pickerCache.get(key);
    if (hit && now - hit.at < PICKER_TTL_MS) return hit.value;
    const value = load();
    pickerCache.set(key, { at: now, value });
    // A failed read is not kept: the next page load tries again.
    value.catch(() => pickerCache.get(key)?.value === value && pickerCache.delete(key));
    return value;
  };
  return Promise.all([get("tools", () => listRecentToolNames(7)), get("agents", () => listRecentAgentNames(7))]);
}

/**
 * One tool call for the detail drawer, found by its primary key (id + occurred_at, so Postgres
 * reads one partition). Parameters and results only when `withParams`.
 */
export async function getToolCall(
  id: string,
  occurredAt: Date,
  opts: { withParams: boolean; scope?: TeamScope },
): Promise<((ToolCallRow | ToolCallRowWithParams) & { chainAgents: ChainAgent[] }) | null> {
  if (!/^\d{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT || Number.isNaN(occurredAt.getTime())) return null;
  // Another team's call is "not found", like one that does not exist.
  const key = { occurredAt, id: BigInt(id), ...toolCallWhereOf(opts.scope ?? null) };
  if (opts.withParams) {
    const r = await dbRead.toolCall.findFirst({ where: key, select: { ...META_SELECT, params: true, result: true } });
    if (!r) return null;
    const { params, result, ...meta } = r;
    const [names, chainAgents] = await Promise.all([namesOf([meta]), chainAgentsOf(meta.gatewayId, meta.chain)]);
    return { ...shape(meta, names), params, result, chainAgents };
  }
  const r = await dbRead.toolCall.findFirst({ where: key, select: META_SELECT });
  if (!r) return null;
  const [names, chainAgents] = await Promise.all([namesOf([r]), chainAgentsOf(r.gatewayId, r.chain)]);
  return { ...shape(r, names), chainAgents };
}

/** One hop of a delegation chain: the gateway agent id and the registered agent it is, when known. */
export type ChainAgent = { externalId: string; agentId: string | null; name: string | null };

/** The chain's gateway agent ids resolved to registered agents of the call's gateway. */
async function chainAgentsOf(gatewayId: string, chain: string[]): Promise<ChainAgent[]> {
  if (!chain.length) return [];
  const agents = await dbRead.agent.findMany({ where: { gatewayId, OR: [{ externalId: { in: chain } }, { name: { in: chain } }] }, select: { id: true, name: true, externalId: true } });
  return chain.map((x) => {
    const a = agents.find((g) => g.externalId === x) ?? agents.find((g) => g.name === x);
    return { externalId: x, agentId: a?.id ?? null, name: a?.name ?? null };
  });
}

/**
 * The explorer's live tail polls again this far before its cursor: a batch's rows carry the time
 * its transaction started (ingested_at), so a slow batch commits rows older than ones already
 * seen, and a read replica shows them later still. The browser drops the ids it already holds.
 */
export const TAIL_OVERLAP_MS = 10_000;
/** At most this many calls per poll of the tail (the newest); `more` says some were left out. */
export const TAIL_MAX_ROWS = 200;
/** A cursor older than this is moved up to it: the tail never re-reads more than the last hour. */
const TAIL_MAX_LOOKBACK_MS = HOUR;

/**
 * Calls of the view stored since `since` (less TAIL_OVERLAP_MS), newest stored first, for the
 * explorer's live tail: every filter of the view applies, the window's start too (a preset range
 * has no end, so a call a gateway dates a little ahead of Warden's clock still shows). State lives
 * in the cursor the browser sends back, so any replica answers any poll (no in-process pub/sub).
 * Reads tool_calls_ingested_at_idx: each poll costs the new rows, not the window.
 */
export async function tailToolCalls(q: ToolCallQuery, since: Date, now = new Date()): Promise<{ rows: ToolCallRow[]; cursor: string; more: boolean }> {
  const floor = Math.max(since.getTime(), now.getTime() - TAIL_MAX_LOOKBACK_MS);
  const fixedWindow = Boolean(q.from || q.to);
  const where: Prisma.ToolCallWhereInput = {
    ...toolCallWhere(q),
    occurredAt: fixedWindow ? { gte: q.window.from, lte: q.window.to } : { gte: q.window.from },
    ingestedAt: { gt: new Date(floor - TAIL_OVERLAP_MS) },
  };
  const found = await dbRead.toolCall.findMany({ where, orderBy: [{ ingestedAt: "desc" }, { id: "desc" }], take: TAIL_MAX_ROWS + 1, select: META_SELECT });
  const more = found.length > TAIL_MAX_ROWS;
  const rows = found.slice(0, TAIL_MAX_ROWS);
  const names = await namesOf(rows);
  const newest = rows.reduce((t, r) => Math.max(t, r.ingestedAt.getTime()), floor);
  return { rows: rows.map((r) => shape(r, names)), cursor: new Date(newest).toISOString(), more };
}
