import "server-only";
import { evaluateBudgetsSoon } from "@/lib/spend/breaker";
import type pg from "pg";
import { pgPool } from "@/lib/db-raw";
import { copyFrom, copyText, pgTextArray } from "@/lib/pg-copy";
import { regexes, z } from "zod";
import { db } from "@/lib/db";
import { redactedJson, redactString } from "@/lib/redact";
import { fieldErrorsOf } from "@/lib/validation";
import { connectorError } from "@/lib/connector/auth";
import { grouped } from "@/lib/db-group";
import { callKeyOf, mergeCall, rollupKey, sameRow, type CallRow } from "./merge";
import { settings } from "@/lib/env";
import { normalizeRequester, requesterKey, type Requester } from "@/lib/people/keys";

export const MAX_EVENTS_PER_BATCH = 1000;
/** params and result are each capped at this many bytes of JSON; a bigger one rejects its event. */
export const MAX_JSON_FIELD_BYTES = 64 * 1024;
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
const INT4_MAX = 2_147_483_647;
// Partitions are prepared for recent days only: a backlog older than this lands in the default
// partition (still stored, still unique) instead of making one partition per day since 1970.
const PARTITION_BACKFILL_DAYS = 31;

// Postgres refuses NUL in text and jsonb: one such event would fail the whole multi-row INSERT.
const noNul = (s: string) => !s.includes("\u0000");
const ZText = (max: number) => z.string().max(max).refine(noNul, "Must not contain NUL characters.");

const ZJsonValue = z.unknown().superRefine((value, ctx) => {
  if (value === undefined) return;
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > MAX_JSON_FIELD_BYTES) ctx.addIssue({ code: "custom", message: `Larger than ${MAX_JSON_FIELD_BYTES} bytes of JSON.` });
  else if (text.includes("\\u0000")) ctx.addIssue({ code: "custom", message: "Must not contain NUL characters." });
});

const ZCount = z.number().int().min(0).max(INT4_MAX);

/** Who asked (OpenClaw ctx.requester as the plugin normalises it); unknown keys are dropped. */
const ZRequester = z.object({
  channel: ZText(100).optional(),
  accountId: ZText(200).optional(),
  senderId: ZText(200).optional(),
  senderIsOwner: z.boolean().optional(),
  roleIds: z.array(ZText(200)).max(50).optional(),
});
/** At most this many agents in a delegation chain. */
export const MAX_CHAIN = 16;

/** One tool call as a gateway reports it. */
export const ZToolCallEvent = z
  .object({
    eventId: ZText(200).min(1, "Required."),
    occurredAt: z.iso
      .datetime({ offset: true, error: "An ISO 8601 date-time, e.g. 2026-01-31T12:00:00.000Z." })
      .refine((s) => Date.parse(s) <= Date.now() + MAX_FUTURE_MS, "More than 1 day in the future."),
    /** The gateway's agent id (Agent.externalId), or a Warden agent UUID. */
    agentId: ZText(200).min(1).optional(),
    agentName: ZText(200).min(1, "Required."),
    sessionKey: ZText(500).optional(),
    toolName: ZText(200).min(1, "Required."),
    toolVersion: ZText(100).optional(),
    toolHash: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "A SHA-256 hex digest (64 hex characters).")
      .transform((h) => h.toLowerCase())
      .optional(),
    params: ZJsonValue.optional(),
    result: ZJsonValue.optional(),
    /** not_run: the tool never ran although Warden did not block it (the gateway refused the call first). */
    decision: z.enum(["allowed", "blocked", "not_run"]),
    /** With decision not_run only: what Warden's policy decided, or would have, for this call. */
    policyDecision: z.enum(["allowed", "blocked"]).optional(),
    blockReason: ZText(4000).optional(),
    durationMs: ZCount.optional(),
    error: ZText(4000).optional(),
    egressHosts: z.array(ZText(253).min(1)).max(50).optional(),
    tokensIn: ZCount.optional(),
    tokensOut: ZCount.optional(),
    costUsd: z.number().min(0).max(999_999.999999).optional(),
    /** The gateway agent id this call reaches (OpenClaw sessions_send / sessions_spawn): an agent → agent edge. */
    targetAgentId: ZText(200).min(1).optional(),
    /** The person whose message started the run (for a delegated call: the originating one). */
    requester: ZRequester.optional(),
    /** Gateway agent ids from the agent the person addressed to the calling agent ([] or absent: a direct call). */
    chain: z.array(ZText(200).min(1)).max(MAX_CHAIN).optional(),
    tier: z.enum(["interactive", "subagent"]).optional(),
  })
  .refine((e) => e.policyDecision === undefined || e.decision === "not_run", { path: ["policyDecision"], message: "Only with decision not_run." });
export type TToolCallEvent = z.infer<typeof ZToolCallEvent>;

// ── The hot path without zod ──
// Validating 500 events with ZToolCallEvent costs several ms of CPU per batch. parseEventFast
// applies the same rules by hand to the common case and returns exactly what safeParse would; it
// returns null for anything it is not sure about, and the event then goes through the zod schema,
// which accepts or rejects it with its field errors. It must never accept what the schema rejects:
// events.test.ts runs both over valid and invalid events. Change them together.
const DATETIME = regexes.datetime({ offset: true, local: false, precision: null });
const HEX64 = /^[0-9a-fA-F]{64}$/;
const isText = (v: unknown, min: number, max: number): v is string => typeof v === "string" && v.length >= min && v.length <= max && !v.includes("\u0000");
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= INT4_MAX;
/** The JSON text of a params or result value within the limits, or null. */
const jsonFieldText = (v: unknown): string | null => {
  const text = JSON.stringify(v);
  return typeof text === "string" && Buffer.byteLength(text) <= MAX_JSON_FIELD_BYTES && !text.includes("\\u0000") ? text : null;
};
const OPTIONAL_TEXT: [keyof TToolCallEvent, number, number][] = [
  ["agentId", 1, 200],
  ["sessionKey", 0, 500],
  ["toolVersion", 0, 100],
  ["blockReason", 0, 4000],
  ["error", 0, 4000],
  ["targetAgentId", 1, 200],
];
const OPTIONAL_COUNT: (keyof TToolCallEvent)[] = ["durationMs", "tokensIn", "tokensOut"];

/** ZToolCallEvent.safeParse(raw).data for a valid event, or null when zod must decide. */
export function parseEventFast(raw: unknown, nowMs = Date.now()): TToolCallEvent | null {
  return parseEventWithJson(raw, nowMs)?.event ?? null;
}

/** A valid event and the JSON texts of its params and result (computed for the size check anyway). */
type ParsedEvent = { event: TToolCallEvent; json: { params?: string; result?: string } };

function parseEventWithJson(raw: unknown, nowMs: number): ParsedEvent | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (!isText(r.eventId, 1, 200) || !isText(r.agentName, 1, 200) || !isText(r.toolName, 1, 200)) return null;
  if (typeof r.occurredAt !== "string" || !DATETIME.test(r.occurredAt) || !(Date.parse(r.occurredAt) <= nowMs + MAX_FUTURE_MS)) return null;
  if (r.decision !== "allowed" && r.decision !== "blocked" && r.decision !== "not_run") return null;
  if (r.policyDecision !== undefined && (r.decision !== "not_run" || (r.policyDecision !== "allowed" && r.policyDecision !== "blocked"))) return null;
  const out: Record<string, unknown> = { eventId: r.eventId, occurredAt: r.occurredAt };
  for (const [key, min, max] of OPTIONAL_TEXT) {
    if (r[key] === undefined) continue;
    if (!isText(r[key], min, max)) return null;
    out[key] = r[key];
  }
  out.agentName = r.agentName;
  out.toolName = r.toolName;
  if (r.toolHash !== undefined) {
    if (typeof r.toolHash !== "string" || !HEX64.test(r.toolHash)) return null;
    out.toolHash = r.toolHash.toLowerCase();
  }
  const json: ParsedEvent["json"] = {};
  for (const key of ["params", "result"] as const) {
    if (r[key] === undefined) continue;
    const text = jsonFieldText(r[key]);
    if (text === null) return null;
    out[key] = r[key];
    json[key] = text;
  }
  out.decision = r.decision;
  if (r.policyDecision !== undefined) out.policyDecision = r.policyDecision;
  for (const key of OPTIONAL_COUNT) {
    if (r[key] === undefined) continue;
    if (!isCount(r[key])) return null;
    out[key] = r[key];
  }
  if (r.egressHosts !== undefined) {
    const hosts = r.egressHosts;
    if (!Array.isArray(hosts) || hosts.length > 50 || !hosts.every((h) => isText(h, 1, 253))) return null;
    out.egressHosts = [...hosts];
  }
  if (r.costUsd !== undefined) {
    if (typeof r.costUsd !== "number" || !Number.isFinite(r.costUsd) || r.costUsd < 0 || r.costUsd > 999_999.999999) return null;
    out.costUsd = r.costUsd;
  }
  if (r.requester !== undefined) {
    const q = r.requester;
    if (typeof q !== "object" || q === null || Array.isArray(q)) return null;
    const req = q as Record<string, unknown>;
    const o: Record<string, unknown> = {};
    for (const [key, max] of [
      ["channel", 100],
      ["accountId", 200],
      ["senderId", 200],
    ] as const) {
      if (req[key] === undefined) continue;
      if (!isText(req[key], 0, max)) return null;
      o[key] = req[key];
    }
    if (req.senderIsOwner !== undefined) {
      if (typeof req.senderIsOwner !== "boolean") return null;
      o.senderIsOwner = req.senderIsOwner;
    }
    if (req.roleIds !== undefined) {
      if (!Array.isArray(req.roleIds) || req.roleIds.length > 50 || !req.roleIds.every((x) => isText(x, 0, 200))) return null;
      o.roleIds = [...req.roleIds];
    }
    out.requester = o;
  }
  if (r.chain !== undefined) {
    if (!Array.isArray(r.chain) || r.chain.length > MAX_CHAIN || !r.chain.every((x) => isText(x, 1, 200))) return null;
    out.chain = [...r.chain];
  }
  if (r.tier !== undefined) {
    if (r.tier !== "interactive" && r.tier !== "subagent") return null;
    out.tier = r.tier;
  }
  return { event: out as TToolCallEvent, json };
}

/** The body of POST /api/v1/connector/events (the documented contract). */
export const ZEventBatch = z.object({ events: z.array(ZToolCallEvent).min(1).max(MAX_EVENTS_PER_BATCH) });

// At run time the envelope is checked first, then each event on its own, so that one bad event
// does not cost the batch.
const ZEnvelope = z.object({ events: z.array(z.unknown()).min(1, "Send at least one event.").max(MAX_EVENTS_PER_BATCH, `At most ${MAX_EVENTS_PER_BATCH} events per batch.`) });

export type RejectedEvent = { index: number; eventId?: string; errors: Record<string, string[]> };
export type IngestResult = { accepted: number; duplicates: number; rejected: RejectedEvent[] };

type Row = CallRow;

// Column order of the COPY (and of the idempotent INSERT) and the type the INSERT's
// json_to_recordset reads each column as (params and result travel as JSON text there).
const COLUMNS: [keyof Row | "gatewayId", string, string][] = [
  ["gatewayId", "gateway_id", "uuid"],
  ["occurredAt", "occurred_at", "timestamptz"],
  ["eventId", "event_id", "text"],
  ["agentId", "agent_id", "uuid"],
  ["agentName", "agent_name", "text"],
  ["sessionKey", "session_key", "text"],
  ["toolName", "tool_name", "text"],
  ["toolVersion", "tool_version", "text"],
  ["toolHash", "tool_hash", "text"],
  ["params", "params", "text"],
  ["result", "result", "text"],
  ["decision", "decision", '"CallDecision"'],
  ["policyDecision", "policy_decision", '"CallDecision"'],
  ["blockReason", "block_reason", "text"],
  ["durationMs", "duration_ms", "int4"],
  ["error", "error", "text"],
  ["egressHosts", "egress_hosts", "text[]"],
  ["tokensIn", "tokens_in", "int4"],
  ["tokensOut", "tokens_out", "int4"],
  ["costUsd", "cost_usd", "numeric"],
  ["targetAgentId", "target_agent_id", "text"],
  ["requester", "requester", "text"],
  ["requesterKind", "requester_kind", '"RequesterKind"'],
  ["personId", "person_id", "uuid"],
  ["chain", "chain", "text[]"],
  ["teamId", "team_id", "uuid"],
];
/** Columns sent as JSON text and stored as jsonb. */
const JSON_COLUMNS = new Set<string>(["params", "result", "requester"]);

// New rows go in with COPY: Postgres parses COPY's text format for about half the CPU of the
// same rows as one json_to_recordset parameter (5,000 rows: ~210 ms against ~320 ms here), and
// Postgres is what bounds ingestion on a small machine. COPY has no ON CONFLICT: a unique violation
// (a re-sent event) fails the whole COPY, and the rows are then inserted with ON CONFLICT DO
// NOTHING from one JSON parameter, which skips the events already stored. Re-sent events are rare.
const COPY_SQL = `COPY tool_calls (${COLUMNS.map(([, col]) => col).join(", ")}) FROM STDIN`;
const INSERT_IDEMPOTENT_SQL = `INSERT INTO tool_calls (${COLUMNS.map(([, col]) => col).join(", ")})
SELECT ${COLUMNS.map(([key, col]) => (JSON_COLUMNS.has(key) ? `u.${col}::jsonb` : `u.${col}`)).join(", ")}
  FROM json_to_recordset($1::json) AS u(${COLUMNS.map(([, col, type]) => `${col} ${type}`).join(", ")})
ON CONFLICT (gateway_id, event_id, occurred_at) DO NOTHING
RETURNING gateway_id::text, event_id`;

// A stored row is updated in place by its key when merging a call's events changes nothing the rollups count.
const UPDATE_MERGED_SQL = `UPDATE tool_calls t SET ${COLUMNS.filter(([key]) => !["gatewayId", "occurredAt", "eventId"].includes(key))
  .map(([key, col]) => `${col} = ${JSON_COLUMNS.has(key) ? `u.${col}::jsonb` : `u.${col}`}`)
  .join(", ")}
  FROM json_to_recordset($1::json) AS u(${COLUMNS.map(([, col, type]) => `${col} ${type}`).join(", ")})
 WHERE t.gateway_id = u.gateway_id AND t.occurred_at = u.occurred_at AND t.event_id = u.event_id`;

type InsertJob = { gatewayId: string; rows: Row[] };
type InsertOutcome = { inserted: number } | { error: unknown };

/** A \udXXX escape that is not itself an escaped backslash followed by "udXXX". */
const LONE_SURROGATE = /(?<=(?:^|[^\\])(?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

/**
 * JSON text Postgres accepts: JSON.stringify writes a lone UTF-16 surrogate as \udXXX, which
 * Postgres refuses; it becomes U+FFFD (what a UTF-8 encoder does with it), only when the text has one.
 */
function pgJsonText(json: string): string {
  return json.includes("\\ud") ? json.replace(LONE_SURROGATE, "\\ufffd") : json;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One row as json_to_recordset reads it: the column names as keys. */
function jsonRow(gatewayId: string, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, col] of COLUMNS) out[col] = key === "gatewayId" ? gatewayId : row[key];
  return out;
}

/** One row in COPY's text format, columns in COPY_SQL's order (lone surrogates become U+FFFD when encoded). */
function copyLine(gatewayId: string, row: Row): string {
  let line = "";
  for (const [key] of COLUMNS) {
    const v = key === "gatewayId" ? gatewayId : row[key];
    line += (line ? "\t" : "") + copyText(key === "egressHosts" || key === "chain" ? pgTextArray(v as string[]) : v);
  }
  return line + "\n";
}

/** COPY the rows; on a re-sent event (unique violation) insert them skipping those already stored. Returns the keys inserted, or null for all. */
/**
 * "copy, else insert" (outside a transaction), "copy" (inside one: a failed COPY ends it, the caller
 * redoes the group with "insert"), or "insert".
 */
async function copyRows(client: pg.PoolClient, all: { gatewayId: string; row: Row }[], how: "copy, else insert" | "copy" | "insert"): Promise<Set<string> | null> {
  if (how !== "insert") {
    let text = "";
    for (const { gatewayId, row } of all) text += copyLine(gatewayId, row);
    try {
      await copyFrom(client, COPY_SQL, text);
      return null;
    } catch (err) {
      if ((err as { code?: string }).code !== "23505" || how === "copy") throw err;
    }
  }
  const json = pgJsonText(JSON.stringify(all.map(({ gatewayId, row }) => jsonRow(gatewayId, row))));
  const { rows } = await client.query<{ gateway_id: string; event_id: string }>(INSERT_IDEMPOTENT_SQL, [json]);
  return new Set(rows.map((r) => `${r.gateway_id} ${r.event_id}`));
}

/** Insert the rows of several requests in one statement; how many of each request's rows were new. */
async function insertJobs(jobs: InsertJob[]): Promise<{ inserted: number }[]> {
  // Rows in key order: concurrent statements then take the unique index's locks in the same
  // order and cannot deadlock on events that two of them carry (a retry racing its original).
  const all = jobs.flatMap((j) => j.rows.map((row) => ({ gatewayId: j.gatewayId, row })));
  all.sort((x, y) => cmp(x.gatewayId, y.gatewayId) || cmp(x.row.occurredAt, y.row.occurredAt) || cmp(x.row.eventId, y.row.eventId));
  const client = await ingestPool().connect();
  try {
    if (!all.some(({ row }) => callKeyOf(row.eventId))) {
      const fresh = await copyRows(client, all, "copy, else insert");
      if (!fresh) return jobs.map((j) => ({ inserted: j.rows.length }));
      // Each new row is counted once, for the first request that carried it.
      return jobs.map((j) => ({ inserted: j.rows.filter((row) => fresh.delete(`${j.gatewayId} ${row.eventId}`)).length }));
    }
    // Events of calls ("<call>.decision" / "<call>.result") are merged into one row per call,
    // in one transaction per group. A re-sent event fails the COPY: the group is then redone with
    // the INSERT that skips stored events (no savepoint: one round trip less on the common path).
    let copy = true;
    for (let attempt = 1; ; attempt++) {
      try {
        const counts = await mergeAndInsert(client, jobs, all, copy);
        await client.query("COMMIT");
        return counts;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        const code = (err as { code?: string }).code ?? "";
        if (code === "23505" && copy) {
          copy = false;
          continue;
        }
        // Two merges adjusting the same rollup rows in different orders: one of them is retried.
        if (attempt < 4 && ["40P01", "40001"].includes(code)) continue;
        throw err;
      }
    }
  } finally {
    client.release();
  }
}

/** Advisory-lock namespace of a gateway's call merges (int4 pair: this, hashtext(gateway id)). */
const MERGE_LOCK = 7_210_004;
/** A result's decision is looked up this far before it (plus the call's duration, up to 2 h) and after it. */
const DECISION_BEFORE_MS = 2 * 60_000;
const MAX_CALL_MS = 2 * 3_600_000;
const DECISION_AFTER_MS = 60_000;

type StoredRow = Row & { gatewayId: string };
/** The Row fields of a stored row read back (and nothing else the query added). */
const storedRow = (r: StoredRow): Row => Object.fromEntries(COLUMNS.filter(([key]) => key !== "gatewayId").map(([key]) => [key, r[key as keyof Row]])) as Row;
const STORED_COLUMNS = `t.gateway_id::text as "gatewayId", to_char(t.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt",
  t.event_id as "eventId", t.agent_id::text as "agentId", t.agent_name as "agentName", t.session_key as "sessionKey", t.tool_name as "toolName",
  t.tool_version as "toolVersion", t.tool_hash as "toolHash", t.params::text as params, t.result::text as result, t.decision::text as decision,
  t.policy_decision::text as "policyDecision", t.block_reason as "blockReason", t.duration_ms as "durationMs", t.error, t.egress_hosts as "egressHosts",
  t.tokens_in as "tokensIn", t.tokens_out as "tokensOut", t.cost_usd::text as "costUsd", t.target_agent_id as "targetAgentId",
  t.requester::text as requester, t.requester_kind::text as "requesterKind", t.person_id::text as "personId", t.chain, t.team_id::text as "teamId"`;

/**
 * Inside the caller's transaction: lock each gateway's merges, find the rows already stored for the
 * calls of these events, and write one row per call: new calls are COPYed, a stored row is updated
 * in place (or replaced when what the rollups count changes), and a call stored from one of its
 * two events is remembered in tool_call_open_calls so that the other one finds its row by key.
 * Concurrent batches of one gateway (two replicas, a retry racing its original) wait on the lock.
 */
async function mergeAndInsert(client: pg.PoolClient, jobs: InsertJob[], all: { gatewayId: string; row: Row }[], copy: boolean): Promise<{ inserted: number }[]> {
  const gateways = [...new Set(all.filter(({ row }) => callKeyOf(row.eventId)).map((x) => x.gatewayId))].sort();

  // Events by call, in the order of `all`.
  const calls = new Map<string, { gatewayId: string; callId: string; events: { gatewayId: string; row: Row }[] }>();
  const plain: { gatewayId: string; row: Row }[] = [];
  for (const x of all) {
    const key = callKeyOf(x.row.eventId);
    if (!key) {
      plain.push(x);
      continue;
    }
    const k = `${x.gatewayId} ${key.callId}`;
    let c = calls.get(k);
    if (!c) calls.set(k, (c = { gatewayId: x.gatewayId, callId: key.callId, events: [] }));
    c.events.push(x);
  }

  // Rows already stored for these calls: through tool_call_open_calls (a call stored from one of
  // its events), else (rows stored before that table existed) a result looks for its decision row
  // near its own time.
  const list = [...calls.values()];
  const stored = new Map<string, StoredRow[]>();
  // BEGIN, the gateway locks and the open calls of these events in one round trip (simple query
  // protocol: gateway ids are UUIDs from Warden's own table, call ids escaped by node-postgres).
  // (Two small reads, not one join: the open entries are few or none, and each one found is then
  // read by its exact key, never by a plan that could scan tool_calls.)
  if (!gateways.every((g) => UUID.test(g)) || !list.every((c) => UUID.test(c.gatewayId))) throw new Error("unexpected gateway id");
  const results = (await client.query(
    `BEGIN; ${gateways.map((g) => `SELECT pg_advisory_xact_lock(${MERGE_LOCK}, hashtext('${g}'));`).join(" ")}
     SELECT o.gateway_id::text AS "gatewayId", o.call_id AS "callId", o.occurred_at AS "occurredAt", o.event_id AS "eventId"
       FROM unnest('{${list.map((c) => c.gatewayId).join(",")}}'::uuid[], ${client.escapeLiteral(pgTextArray(list.map((c) => c.callId)))}::text[]) AS k(gateway_id, call_id)
       JOIN tool_call_open_calls o ON o.gateway_id = k.gateway_id AND o.call_id = k.call_id`,
  )) as unknown as pg.QueryResult[];
  const open = results[results.length - 1] as pg.QueryResult<{ gatewayId: string; callId: string; occurredAt: Date; eventId: string }>;
  const openKeys = new Set(open.rows.map((r) => `${r.gatewayId} ${r.callId}`));
  if (open.rows.length) {
    const found = await client.query<StoredRow & { k: string }>(
      `select k.k, ${STORED_COLUMNS} from unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::text[]) as k(k, gateway_id, occurred_at, event_id)
         cross join lateral (select * from tool_calls t where t.gateway_id = k.gateway_id and t.occurred_at = k.occurred_at and t.event_id = k.event_id) t`,
      [open.rows.map((r) => `${r.gatewayId} ${r.callId}`), open.rows.map((r) => r.gatewayId), open.rows.map((r) => r.occurredAt), open.rows.map((r) => r.eventId)],
    );
    for (const r of found.rows) stored.set(r.k, [r]);
  }
  const probe = list.flatMap((c) => {
    const k = `${c.gatewayId} ${c.callId}`;
    const results = c.events.filter((e) => callKeyOf(e.row.eventId)!.phase === "result").map((e) => e.row);
    if (!results.length || openKeys.has(k)) return [];
    const lo = Math.min(...results.map((r) => Date.parse(r.occurredAt) - Math.min(r.durationMs ?? 0, MAX_CALL_MS))) - DECISION_BEFORE_MS;
    const hi = Math.max(...results.map((r) => Date.parse(r.occurredAt))) + DECISION_AFTER_MS;
    return [{ k, gatewayId: c.gatewayId, eventId: `${c.callId}.decision`, lo: new Date(lo).toISOString(), hi: new Date(hi).toISOString() }];
  });
  if (probe.length) {
    const found = await client.query<StoredRow & { k: string }>(
      `select k.k, ${STORED_COLUMNS} from unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[]) as k(k, gateway_id, event_id, lo, hi)
         cross join lateral (select * from tool_calls t where t.gateway_id = k.gateway_id and t.event_id = k.event_id and t.occurred_at between k.lo and k.hi) t`,
      [probe.map((p) => p.k), probe.map((p) => p.gatewayId), probe.map((p) => p.eventId), probe.map((p) => p.lo), probe.map((p) => p.hi)],
    );
    for (const r of found.rows) {
      const prev = stored.get(r.k) ?? [];
      if (!prev.some((p) => p.eventId === r.eventId && p.occurredAt === r.occurredAt)) prev.push(r);
      stored.set(r.k, prev);
    }
  }

  const accepted = new Set<Row>(); // source rows that changed something
  const inserts: { gatewayId: string; row: Row; sources: Row[] }[] = plain.map((x) => ({ ...x, sources: [x.row] }));
  const forget: { gatewayId: string; occurredAt: string; eventId: string }[] = [];
  const updates: { gatewayId: string; row: Row }[] = [];
  const openAdd: { gatewayId: string; callId: string; occurredAt: string; eventId: string; row: Row }[] = [];
  const openDel: { gatewayId: string; callId: string }[] = [];
  for (const c of list) {
    const k = `${c.gatewayId} ${c.callId}`;
    const old = (stored.get(k) ?? []).map(storedRow);
    // The same event twice (same id and time) counts once.
    const seen = new Set(old.map((r) => `${r.eventId} ${r.occurredAt}`));
    const fresh: Row[] = [];
    for (const { row } of c.events) {
      const id = `${row.eventId} ${row.occurredAt}`;
      if (seen.has(id)) continue;
      seen.add(id);
      fresh.push(row);
    }
    if (!fresh.length) continue;
    const merged = old.length + fresh.length > 1 ? mergeCall([...old, ...fresh]) : fresh[0];
    const keeper = old.find((r) => r.eventId === merged.eventId && r.occurredAt === merged.occurredAt);
    if (keeper && sameRow(keeper, merged) && old.length === 1) continue; // nothing new: duplicates
    for (const r of fresh) accepted.add(r);
    for (const r of old) if (r !== keeper) forget.push({ gatewayId: c.gatewayId, occurredAt: r.occurredAt, eventId: r.eventId });
    if (keeper && rollupKey(keeper) === rollupKey(merged)) updates.push({ gatewayId: c.gatewayId, row: merged });
    else {
      if (keeper) forget.push({ gatewayId: c.gatewayId, occurredAt: keeper.occurredAt, eventId: keeper.eventId });
      inserts.push({ gatewayId: c.gatewayId, row: merged, sources: fresh });
    }
    // Stored from a result alone, or a decision alone: remembered until the other event arrives.
    const halfDone =
      callKeyOf(merged.eventId)!.phase === "result" ||
      (merged.result === null && merged.durationMs === null && merged.error === null && ![...old, ...fresh].some((r) => callKeyOf(r.eventId)!.phase === "result"));
    if (halfDone) openAdd.push({ gatewayId: c.gatewayId, callId: c.callId, occurredAt: merged.occurredAt, eventId: merged.eventId, row: merged });
    else if (openKeys.has(k)) openDel.push({ gatewayId: c.gatewayId, callId: c.callId });
  }

  if (forget.length) {
    await client.query("select warden_tool_call_forget($1::uuid[], $2::timestamptz[], $3::text[])", [forget.map((f) => f.gatewayId), forget.map((f) => f.occurredAt), forget.map((f) => f.eventId)]);
  }
  if (updates.length) {
    const json = pgJsonText(JSON.stringify(updates.map(({ gatewayId, row }) => jsonRow(gatewayId, row))));
    // Each row by its key (index), never a hash join over a day of tool_calls.
    await client.query("select set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)");
    await client.query(UPDATE_MERGED_SQL, [json]);
    await client.query("select set_config('enable_hashjoin', 'on', true), set_config('enable_mergejoin', 'on', true)");
  }
  let skipped: Set<string> | null = null;
  if (inserts.length) {
    inserts.sort((x, y) => cmp(x.gatewayId, y.gatewayId) || cmp(x.row.occurredAt, y.row.occurredAt) || cmp(x.row.eventId, y.row.eventId));
    const fresh = await copyRows(client, inserts, copy ? "copy" : "insert");
    if (fresh) skipped = new Set(inserts.filter((x) => !fresh.has(`${x.gatewayId} ${x.row.eventId}`)).map((x) => `${x.gatewayId} ${x.row.eventId}`));
    for (const x of inserts) {
      const dup = skipped?.has(`${x.gatewayId} ${x.row.eventId}`) ?? false;
      for (const r of x.sources) {
        if (dup) accepted.delete(r);
        else accepted.add(r);
      }
    }
  }
  if (openDel.length) {
    await client.query("delete from tool_call_open_calls o using unnest($1::uuid[], $2::text[]) as k(g, c) where o.gateway_id = k.g and o.call_id = k.c", [
      openDel.map((o) => o.gatewayId),
      openDel.map((o) => o.callId),
    ]);
  }
  // (Not for a row the insert skipped: an event already stored is no news.)
  const notInserted = new Set(inserts.filter((x) => skipped?.has(`${x.gatewayId} ${x.row.eventId}`)).map((x) => x.row));
  const toOpen = openAdd.filter((o) => !notInserted.has(o.row));
  if (toOpen.length) {
    await client.query(
      `insert into tool_call_open_calls (gateway_id, call_id, occurred_at, event_id)
       select * from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[]) order by 1, 2
       on conflict (gateway_id, call_id) do update set occurred_at = excluded.occurred_at, event_id = excluded.event_id`,
      [toOpen.map((o) => o.gatewayId), toOpen.map((o) => o.callId), toOpen.map((o) => o.occurredAt), toOpen.map((o) => o.eventId)],
    );
  }
  // Each source row is counted once, for the first request that carried it.
  const counted = new Set<Row>();
  return jobs.map((j) => ({ inserted: j.rows.filter((r) => accepted.has(r) && !counted.has(r) && counted.add(r)).length }));
}

/** Rows of one group insert at most (requests are never split). */
const GROUP_MAX_ROWS = 5_000;
/** Group inserts running at once (WARDEN_INGEST_WRITERS, default 2). */
const INGEST_WRITERS = settings.ingestWriters();

/**
 * Requests that arrive while inserts are running are inserted together (group commit): one
 * statement, one commit and one run of the rollup trigger for several batches. On this 2-core
 * reference machine one 50,000-row COPY is ~35% faster per row than 500-row COPYs, for exactly
 * those per-statement costs. A group that fails for another reason than a re-sent event is
 * retried request by request, so one bad batch cannot fail the others.
 */
const insertGrouped = grouped(
  async (jobs: InsertJob[]): Promise<InsertOutcome[]> => {
    try {
      return await insertJobs(jobs);
    } catch (err) {
      if (jobs.length === 1) return [{ error: err }];
      // One at a time, so the retries cannot contend with each other.
      const out: InsertOutcome[] = [];
      for (const j of jobs)
        out.push(
          await insertJobs([j]).then(
            (r) => r[0],
            (error: unknown) => ({ error }),
          ),
        );
      return out;
    }
  },
  GROUP_MAX_ROWS,
  INGEST_WRITERS,
  (job) => job.rows.length,
);

/** Connections of the ingestion pool (WARDEN_INGEST_CONNECTIONS, default 4). */
const INGEST_CONNECTIONS = settings.ingestConnections();

/**
 * The ingestion hot path talks to Postgres through node-postgres directly: a batch is a small
 * query (its agents) and its share of one COPY; through Prisma's query compiler, serialising 19
 * arrays of up to 1,000 values cost more CPU than the insert itself.
 */
function ingestPool(): pg.Pool {
  return pgPool("ingest", INGEST_CONNECTIONS);
}

/** What toISOString() writes: such a time is already normalised. */
const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ingest a batch of tool-call events from an authenticated gateway: each event is validated on
 * its own, redacted, attributed to a known agent, and stored idempotently by eventId in one
 * INSERT. Tool calls are telemetry, not mutations: no audit event is written per call.
 */
export async function ingestEvents(gateway: { id: string }, rawBody: string): Promise<{ ok: true; value: IngestResult } | { ok: false; response: Response }> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, response: connectorError("invalid", { message: "The body is not valid JSON." }) };
  }
  const envelope = ZEnvelope.safeParse(body);
  if (!envelope.success) return { ok: false, response: connectorError("invalid", { fieldErrors: fieldErrorsOf(envelope.error) }) };

  const rejected: RejectedEvent[] = [];
  const valid: ParsedEvent[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const nowMs = Date.now();
  envelope.data.events.forEach((raw, index) => {
    const fast = parseEventWithJson(raw, nowMs);
    const parsed = fast ? ({ success: true, data: fast.event } as const) : ZToolCallEvent.safeParse(raw);
    if (!parsed.success) {
      const eventId = raw && typeof raw === "object" && typeof (raw as { eventId?: unknown }).eventId === "string" ? (raw as { eventId: string }).eventId.slice(0, 200) : undefined;
      rejected.push({ index, ...(eventId ? { eventId } : {}), errors: fieldErrorsOf(parsed.error) });
      return;
    }
    // The same event twice in one batch is a duplicate, like one already stored.
    if (seen.has(parsed.data.eventId)) {
      duplicates++;
      return;
    }
    seen.add(parsed.data.eventId);
    valid.push(fast ?? { event: parsed.data, json: {} });
  });
  if (!valid.length) return { ok: true, value: { accepted: 0, duplicates, rejected } };

  const events = valid.map((v) => v.event);
  // A batch usually carries a few senders many times: each distinct requester is normalised, hashed
  // and redacted once.
  const seenRequesters = new Map<string, { key: string | null; text: string | null }>();
  const asked = events.map((e) => {
    if (e.requester === undefined) return { key: null, text: null };
    const id = JSON.stringify(e.requester);
    let a = seenRequesters.get(id);
    if (!a) {
      const r = normalizeRequester(e.requester);
      a = { key: requesterKey(r) ?? null, text: r ? pgJsonText(JSON.stringify(redactRequester(r))) : null };
      seenRequesters.set(id, a);
    }
    return a;
  });
  const keys = asked.map((a) => a.key);
  const { agentIdOf, teamOfAgent, gatewayTeam, personOf } = await resolveBatch(gateway.id, events, keys);
  const rows: Row[] = valid.map(({ event: e, json }, i) => {
    const agentId = agentIdOf(e);
    const personId = keys[i] ? (personOf.get(keys[i]) ?? null) : null;
    return {
      // Normalised to milliseconds (the column's precision) so that a re-sent event matches exactly.
      occurredAt: CANONICAL_TIME.test(e.occurredAt) ? e.occurredAt : new Date(e.occurredAt).toISOString(),
      eventId: e.eventId,
      agentId,
      agentName: e.agentName,
      // Free text a gateway fills as it likes: a credential in it is redacted like one in params.
      sessionKey: e.sessionKey == null ? null : redactString(e.sessionKey),
      toolName: e.toolName,
      toolVersion: e.toolVersion ?? null,
      toolHash: e.toolHash ?? null,
      params: e.params == null ? null : pgJsonText(redactedJson(e.params, json.params ?? JSON.stringify(e.params))),
      result: e.result == null ? null : pgJsonText(redactedJson(e.result, json.result ?? JSON.stringify(e.result))),
      decision: e.decision,
      policyDecision: e.policyDecision ?? null,
      blockReason: e.blockReason === undefined ? null : redactString(e.blockReason),
      durationMs: e.durationMs ?? null,
      error: e.error === undefined ? null : redactString(e.error),
      egressHosts: e.egressHosts ? e.egressHosts.map(redactString) : [],
      tokensIn: e.tokensIn ?? null,
      tokensOut: e.tokensOut ?? null,
      costUsd: e.costUsd === undefined ? null : String(e.costUsd),
      targetAgentId: e.targetAgentId === undefined ? null : redactString(e.targetAgentId),
      // Who asked: the key is of the sender as reported; what is stored is redacted like any free text.
      requester: asked[i].text,
      requesterKind: personId ? "person" : keys[i] ? "unmapped" : "none",
      personId,
      chain: e.chain ? e.chain.map(redactString) : [],
      teamId: (agentId ? teamOfAgent.get(agentId) : undefined) ?? gatewayTeam,
    };
  });

  const times = rows.map((r) => Date.parse(r.occurredAt));
  await ensurePartitions(Math.min(...times), Math.max(...times));

  const outcome = await insertGrouped({ gatewayId: gateway.id, rows });
  if ("error" in outcome) throw outcome.error;
  const inserted = outcome.inserted;
  // Spend may have crossed a budget threshold: the breaker runs within about a second.
  if (inserted > 0 && rows.some((r) => r.costUsd !== null)) evaluateBudgetsSoon();
  return { ok: true, value: { accepted: inserted, duplicates: duplicates + rows.length - inserted, rejected } };
}

/** The requester's strings through the redactor (a credential pasted as a role id is not stored). */
function redactRequester(r: Requester): Requester {
  return {
    ...(r.channel !== undefined ? { channel: redactString(r.channel) } : {}),
    ...(r.accountId !== undefined ? { accountId: redactString(r.accountId) } : {}),
    ...(r.senderId !== undefined ? { senderId: redactString(r.senderId) } : {}),
    ...(r.senderIsOwner !== undefined ? { senderIsOwner: r.senderIsOwner } : {}),
    ...(r.roleIds ? { roleIds: r.roleIds.map(redactString) } : {}),
  };
}

/**
 * Everything a batch is attributed with, in one query: its agents (with their teams), the gateway's
 * team, and the enabled people whose sender keys it carries.
 */
async function resolveBatch(gatewayId: string, events: TToolCallEvent[], keys: (string | null)[]) {
  const ids = [...new Set(events.flatMap((e) => (e.agentId ? [e.agentId] : [])))];
  const uuids = ids.filter((id) => UUID.test(id));
  const names = [...new Set(events.map((e) => e.agentName))];
  const wanted = [...new Set(keys.filter((k): k is string => k !== null))];
  const { rows } = await ingestPool().query<{ t: "a" | "g" | "p"; id: string | null; x: string | null; name: string | null; team: string | null }>(
    `select 'a' as t, id::text as id, external_id as x, name, team_id::text as team from agents
      where gateway_id = $1::uuid and (external_id = any($2::text[]) or id = any($3::uuid[]) or name = any($4::text[]))
     union all select 'g', null, null, null, team_id::text from gateways where id = $1::uuid
     union all select 'p', i.person_id::text, i.key, null, null from person_identities i join people p on p.id = i.person_id
      where cardinality($5::text[]) > 0 and i.key = any($5::text[]) and p.disabled_at is null`,
    [gatewayId, ids, uuids, names, wanted],
  );
  const agents = rows.filter((r) => r.t === "a").map((r) => ({ id: r.id!, externalId: r.x, name: r.name! }));
  return {
    agentIdOf: agentMatcher(agents),
    teamOfAgent: new Map(rows.flatMap((r) => (r.t === "a" && r.team ? [[r.id!, r.team] as const] : []))),
    gatewayTeam: rows.find((r) => r.t === "g")?.team ?? null,
    personOf: new Map(rows.flatMap((r) => (r.t === "p" ? [[r.x!, r.id!] as const] : []))),
  };
}

function agentMatcher<E extends { agentId?: string; agentName: string }>(agents: { id: string; externalId: string | null; name: string }[]): (e: E) => string | null {
  const byExternal = new Map(agents.flatMap((a) => (a.externalId ? [[a.externalId, a.id] as const] : [])));
  const byId = new Map(agents.map((a) => [a.id.toLowerCase(), a.id] as const));
  const byName = new Map(agents.map((a) => [a.name, a.id] as const));
  return (e) => (e.agentId ? (byExternal.get(e.agentId) ?? byId.get(e.agentId.toLowerCase())) : undefined) ?? byName.get(e.agentName) ?? null;
}

/** Map each event to a Warden agent of this gateway: by external id, by Warden id, then by name (model usage reports too). */
export async function resolveAgents<E extends { agentId?: string; agentName: string }>(gatewayId: string, events: E[]): Promise<(e: E) => string | null> {
  const ids = [...new Set(events.flatMap((e) => (e.agentId ? [e.agentId] : [])))];
  const uuids = ids.filter((id) => UUID.test(id));
  const names = [...new Set(events.map((e) => e.agentName))];
  const { rows: agents } = await ingestPool().query<{ id: string; externalId: string | null; name: string }>(
    `select id::text as id, external_id as "externalId", name from agents
      where gateway_id = $1::uuid and (external_id = any($2::text[]) or id = any($3::uuid[]) or name = any($4::text[]))`,
    [gatewayId, ids, uuids, names],
  );
  return agentMatcher(agents);
}

// Days whose partitions this process has already ensured: a steady stream then skips the call.
const ensuredDays = new Set<string>();
const PARTITION_LOCK = 7_210_003;

/** Make sure the day partitions for [minMs, maxMs] exist: one call of the SQL function per batch at most. */
async function ensurePartitions(minMs: number, maxMs: number): Promise<void> {
  const floor = Date.now() - PARTITION_BACKFILL_DAYS * 86_400_000;
  const from = Math.max(minMs, floor);
  if (from > maxMs) return; // the whole batch is older than the window: the default partition takes it
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const days: string[] = [];
  for (let d = Date.parse(day(from)); d <= maxMs; d += 86_400_000) days.push(day(d));
  if (days.every((d) => ensuredDays.has(d))) return;
  try {
    // Serialised: two batches creating the same day's partition at once would collide.
    await db.$transaction([db.$executeRaw`select pg_advisory_xact_lock(${PARTITION_LOCK})`, db.$queryRaw`select warden_ensure_tool_call_partitions(${days[0]}::date, ${days[days.length - 1]}::date)`]);
    for (const d of days) ensuredDays.add(d);
  } catch (err) {
    // Not fatal: without its day partition a row lands in the default partition, still stored.
    console.error("warden: could not prepare tool_calls partitions", err);
  }
}
