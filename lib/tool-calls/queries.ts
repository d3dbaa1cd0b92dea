import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { can, type RoleName } from "@/lib/auth/roles";
import { CSV_MAX_ROWS, parseListQuery, skipTake } from "@/lib/list";

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
  decision: z.enum(["allowed", "blocked"]).optional(),
  // The only sort is time; "at" is the table column id.
  sort: z.enum(["at"]).optional(),
  dir: z.enum(["asc", "desc"]).default("desc"),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
};

const MAX_BIGINT = 9_223_372_036_854_775_807n;
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
export type ToolCallQuery = ReturnType<typeof parseToolCallQuery>["query"];

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
    occurredAt: { gte: q.window.from, lte: q.window.to },
    ...(q.tool ? { toolName: q.tool } : {}),
    ...(q.agent ? agentWhere(q.agent) : {}),
    ...(q.gateway ? { gatewayId: q.gateway } : {}),
    ...(q.decision ? { decision: q.decision } : {}),
    ...(text ? { OR: [{ toolName: text }, { agentName: text }, { blockReason: text }, { error: text }] } : {}),
  };
}

/** Escape LIKE wildcards so the user's %, _ and \ match themselves. */
function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The same filters as toolCallWhere, as a parameterised SQL fragment for raw aggregates. */
function toolCallSqlWhere(q: ToolCallQuery): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`occurred_at >= ${q.window.from} and occurred_at <= ${q.window.to}`];
  if (q.tool) parts.push(Prisma.sql`tool_name = ${q.tool}`);
  if (q.agent) parts.push(UUID.test(q.agent) ? Prisma.sql`agent_id = ${q.agent.toLowerCase()}::uuid` : Prisma.sql`agent_name = ${q.agent}`);
  if (q.gateway) parts.push(Prisma.sql`gateway_id = ${q.gateway}::uuid`);
  if (q.decision) parts.push(Prisma.sql`decision = ${q.decision}::"CallDecision"`);
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
  blockReason: true,
  durationMs: true,
  error: true,
  egressHosts: true,
  tokensIn: true,
  tokensOut: true,
  costUsd: true,
  ingestedAt: true,
} satisfies Prisma.ToolCallSelect;

type MetaRow = Prisma.ToolCallGetPayload<{ select: typeof META_SELECT }>;

/** A tool call's metadata, JSON-safe (bigint id and decimal cost as strings). */
export type ToolCallRow = Omit<MetaRow, "id" | "costUsd"> & { id: string; costUsd: string | null; gatewayName: string | null };
/** A row with parameters and results: only ever built when the caller may read them. */
export type ToolCallRowWithParams = ToolCallRow & { params: unknown; result: unknown };

async function gatewayNames(ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await db.gateway.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } });
  return new Map(rows.map((g) => [g.id, g.name]));
}

function shape(r: MetaRow, names: Map<string, string>): ToolCallRow {
  return { ...r, id: r.id.toString(), costUsd: r.costUsd?.toString() ?? null, gatewayName: names.get(r.gatewayId) ?? null };
}

/**
 * A page of tool calls in the query's window (offset pagination; the time bound is always applied).
 * Parameters and results are selected only when `withParams` — callers pass `paramsAllowed(role)`.
 * `all` returns up to CSV_MAX_ROWS rows from the first one (exports) and skips the count.
 */
export async function listToolCalls(q: ToolCallQuery, opts: { withParams: true; all?: boolean }): Promise<{ rows: ToolCallRowWithParams[]; total: number; page: number; pageSize: number }>;
export async function listToolCalls(q: ToolCallQuery, opts: { withParams: boolean; all?: boolean }): Promise<{ rows: ToolCallRow[]; total: number; page: number; pageSize: number }>;
export async function listToolCalls(q: ToolCallQuery, opts: { withParams: boolean; all?: boolean }) {
  const where = toolCallWhere(q);
  const orderBy: Prisma.ToolCallOrderByWithRelationInput[] = [{ occurredAt: q.dir }, { id: q.dir }];
  const page = opts.all ? { skip: 0, take: CSV_MAX_ROWS } : skipTake(q);
  const select = opts.withParams ? { ...META_SELECT, params: true, result: true } : META_SELECT;
  const [rows, total] = await Promise.all([
    db.toolCall.findMany({ where, orderBy, ...page, select }) as Promise<(MetaRow & { params?: unknown; result?: unknown })[]>,
    opts.all ? Promise.resolve(-1) : db.toolCall.count({ where }),
  ]);
  const names = await gatewayNames(rows.map((r) => r.gatewayId));
  return {
    rows: rows.map((r) => {
      const { params, result, ...meta } = r;
      return opts.withParams ? { ...shape(meta, names), params: params ?? null, result: result ?? null } : shape(meta, names);
    }),
    total: total < 0 ? rows.length : total,
    page: q.page,
    pageSize: q.pageSize,
  };
}

export type SeriesPoint = { hour: string; calls: number; blocked: number };

/** Calls and blocked calls per UTC hour across the query's window (every hour present, zeros included). */
export async function toolCallSeries(q: ToolCallQuery): Promise<SeriesPoint[]> {
  const rows = await db.$queryRaw<{ hour: Date; calls: number; blocked: number }[]>`
    select date_trunc('hour', occurred_at at time zone 'UTC') at time zone 'UTC' as hour,
           count(*)::int as calls,
           (count(*) filter (where decision = 'blocked'))::int as blocked
      from tool_calls
     where ${toolCallSqlWhere(q)}
     group by 1
     order by 1`;
  const byHour = new Map(rows.map((r) => [new Date(r.hour).getTime(), r]));
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
  since: z.string().trim().default("24h").refine((s) => parseSince(s) !== null, "Use Nh or Nd, from 1h up to 30d."),
});

export type AgentToolUse = { agentId: string | null; agentName: string; calls: number; blocked: number; lastAt: Date };

/** Which agents called `tool` in the last `sinceMs` (by agent id and reported name), most calls first. */
export async function agentsByTool(tool: string, sinceMs: number, now = new Date()): Promise<AgentToolUse[]> {
  const since = new Date(now.getTime() - Math.min(sinceMs, RANGES["30d"]));
  const rows = await db.$queryRaw<{ agent_id: string | null; agent_name: string; calls: number; blocked: number; last_at: Date }[]>`
    select agent_id::text as agent_id, agent_name,
           count(*)::int as calls,
           (count(*) filter (where decision = 'blocked'))::int as blocked,
           max(occurred_at) as last_at
      from tool_calls
     where tool_name = ${tool} and occurred_at >= ${since} and occurred_at <= ${now}
     group by agent_id, agent_name
     order by calls desc, agent_name asc
     limit 1000`;
  return rows.map((r) => ({ agentId: r.agent_id, agentName: r.agent_name, calls: r.calls, blocked: r.blocked, lastAt: new Date(r.last_at) }));
}

/** Distinct tool names called in the last `days` days (for pickers). */
export async function listRecentToolNames(days = 7, now = new Date()): Promise<string[]> {
  const rows = await db.toolCall.groupBy({ by: ["toolName"], where: { occurredAt: { gte: new Date(now.getTime() - days * DAY), lte: now } }, orderBy: { toolName: "asc" }, take: 500 });
  return rows.map((r) => r.toolName);
}

/** Distinct agent names that made calls in the last `days` days (for pickers). */
export async function listRecentAgentNames(days = 7, now = new Date()): Promise<string[]> {
  const rows = await db.toolCall.groupBy({ by: ["agentName"], where: { occurredAt: { gte: new Date(now.getTime() - days * DAY), lte: now } }, orderBy: { agentName: "asc" }, take: 500 });
  return rows.map((r) => r.agentName);
}

/**
 * One tool call for the detail drawer, found by its primary key (id + occurred_at, so Postgres
 * reads one partition). Parameters and results only when `withParams`.
 */
export async function getToolCall(id: string, occurredAt: Date, opts: { withParams: boolean }): Promise<ToolCallRow | ToolCallRowWithParams | null> {
  if (!/^\d{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT || Number.isNaN(occurredAt.getTime())) return null;
  const key = { id_occurredAt: { id: BigInt(id), occurredAt } };
  if (opts.withParams) {
    const r = await db.toolCall.findUnique({ where: key, select: { ...META_SELECT, params: true, result: true } });
    if (!r) return null;
    const { params, result, ...meta } = r;
    return { ...shape(meta, await gatewayNames([meta.gatewayId])), params, result };
  }
  const r = await db.toolCall.findUnique({ where: key, select: META_SELECT });
  return r ? shape(r, await gatewayNames([r.gatewayId])) : null;
}
