import "server-only";
import { createHash } from "node:crypto";
import { connectorPool } from "@/lib/db-raw";
import { redactString } from "@/lib/redact";
import { fieldErrorsOf, sanitizeJsonText } from "@/lib/validation";
import { connectorError } from "@/lib/connector/auth";
import { evaluateBudgetsSoon } from "@/lib/spend/breaker";
import { resolveAgents } from "@/lib/tool-calls/ingest";
import { ZModelCall, ZUsageEnvelope, type TModelCall } from "./schema";

export type RejectedCall = { index: number; eventId?: string; errors: Record<string, string[]> };
export type UsageIngestResult = { accepted: number; duplicates: number; rejected: RejectedCall[] };

/** What toISOString() writes: such a time is already normalised. */
const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Free text a gateway fills as it likes, without anything credential-shaped. For a key (eventId,
 * runId) a redacted value is replaced by a digest of the original, so two different keys never
 * collide and a re-sent call still matches, while the secret itself is not stored.
 */
function clean(text: string): string {
  return redactString(text);
}
function cleanKey(text: string): string {
  const r = redactString(text);
  return r === text ? text : `redacted:${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
}

/** The lower-case model id the price table is searched with (a leading "<provider>/" dropped). */
export function priceKeyOf(provider: string, model: string): string {
  const p = provider.toLowerCase();
  const m = model.toLowerCase();
  return m.startsWith(`${p}/`) ? m.slice(p.length + 1) : m;
}

// A price row prices the model with its exact id, or a dated/pinned snapshot of it: the suffix
// must be a date or version stamp, so "gpt-5-pro" is never priced as "gpt-5".
const SNAPSHOT_SUFFIX = "^(-[0-9]{4}-[0-9]{2}-[0-9]{2}|-[0-9]{8}|-[0-9]{4}|-latest|@[0-9]{8}|-v[0-9]+(:[0-9]+)?|:[0-9]+)$";

const COLUMNS: [string, string][] = [
  ["event_id", "text"],
  ["occurred_at", "timestamptz"],
  ["agent_id", "uuid"],
  ["agent_name", "text"],
  ["session_key", "text"],
  ["run_id", "text"],
  ["provider", "text"],
  ["model", "text"],
  ["price_key", "text"],
  ["tokens_in", "int4"],
  ["tokens_out", "int4"],
  ["cache_read_tokens", "int4"],
  ["cache_write_tokens", "int4"],
  ["fallback", "bool"],
  ["primary_model", "text"],
  ["cost_usd", "numeric"],
];

/**
 * One statement per batch: price each call (the gateway's cost, else the price table, else
 * unpriced), insert it unless (gateway, eventId) is stored already, and add what was inserted to
 * the per-day rollup. Rows go in eventId order and rollup keys in key order, so concurrent batches
 * carrying the same calls wait for each other instead of deadlocking, and a call is counted once.
 */
const INSERT_SQL = `
WITH u AS (
  SELECT * FROM json_to_recordset($2::json) AS u(${COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ")})
), priced AS (
  SELECT u.*, p.id AS price_id, p.input_usd_per_mtok AS pin, p.output_usd_per_mtok AS pout,
         coalesce(p.cache_read_usd_per_mtok, p.input_usd_per_mtok) AS pcr, coalesce(p.cache_write_usd_per_mtok, p.input_usd_per_mtok) AS pcw
    FROM u LEFT JOIN LATERAL (
      SELECT * FROM model_prices p
       WHERE p.provider = lower(u.provider)
         AND (p.model = u.price_key OR (starts_with(u.price_key, p.model) AND substr(u.price_key, length(p.model) + 1) ~ '${SNAPSHOT_SUFFIX}'))
       ORDER BY (p.model = u.price_key) DESC, length(p.model) DESC
       LIMIT 1
    ) p ON true
), ins AS (
  INSERT INTO model_calls (gateway_id, event_id, occurred_at, agent_id, agent_name, session_key, run_id, provider, model,
                           tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, fallback, primary_model, cost_usd, cost_source)
  SELECT $1::uuid, event_id, occurred_at, agent_id, agent_name, session_key, run_id, provider, model,
         tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, fallback, primary_model,
         CASE WHEN cost_usd IS NOT NULL THEN cost_usd
              WHEN price_id IS NOT NULL THEN round((tokens_in::numeric * pin + tokens_out::numeric * pout + cache_read_tokens::numeric * pcr + cache_write_tokens::numeric * pcw) / 1000000, 6)
         END,
         (CASE WHEN cost_usd IS NOT NULL THEN 'gateway' WHEN price_id IS NOT NULL THEN 'price_table' ELSE 'unpriced' END)::"CostSource"
    FROM priced
   ORDER BY event_id
  ON CONFLICT (gateway_id, event_id) DO NOTHING
  RETURNING event_id, occurred_at, gateway_id, agent_id, agent_name, provider, model, fallback, cost_source,
            tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd
), roll AS (
  INSERT INTO model_usage_daily AS d (day, gateway_id, agent_key, provider, model, agent_name, calls, fallback_calls, unpriced_calls,
                                      tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd)
  SELECT (occurred_at AT TIME ZONE 'UTC')::date, gateway_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), provider, model,
         max(agent_name), count(*)::int, (count(*) FILTER (WHERE fallback))::int, (count(*) FILTER (WHERE cost_source = 'unpriced'))::int,
         sum(tokens_in), sum(tokens_out), sum(cache_read_tokens), sum(cache_write_tokens), coalesce(sum(cost_usd), 0)
    FROM ins
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (day, gateway_id, agent_key, provider, model) DO UPDATE SET
    agent_name = excluded.agent_name, calls = d.calls + excluded.calls, fallback_calls = d.fallback_calls + excluded.fallback_calls,
    unpriced_calls = d.unpriced_calls + excluded.unpriced_calls, tokens_in = d.tokens_in + excluded.tokens_in, tokens_out = d.tokens_out + excluded.tokens_out,
    cache_read_tokens = d.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens,
    cost_usd = d.cost_usd + excluded.cost_usd
)
SELECT count(*)::int AS inserted, (count(*) FILTER (WHERE cost_usd IS NOT NULL))::int AS priced FROM ins`;

/**
 * Ingest a batch of model calls from an authenticated gateway (POST /api/v1/connector/usage):
 * each call is validated on its own, cleaned of credential-shaped text, attributed to a known
 * agent like tool-call events, priced, and stored idempotently by (gateway, eventId). Telemetry:
 * not audited one by one. Spend that may cross a budget wakes the breaker.
 */
export async function ingestUsage(gateway: { id: string }, rawBody: string): Promise<{ ok: true; value: UsageIngestResult } | { ok: false; response: Response }> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, response: connectorError("invalid", { message: "The body is not valid JSON." }) };
  }
  const envelope = ZUsageEnvelope.safeParse(body);
  if (!envelope.success) return { ok: false, response: connectorError("invalid", { fieldErrors: fieldErrorsOf(envelope.error) }) };

  const rejected: RejectedCall[] = [];
  const valid: TModelCall[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  envelope.data.calls.forEach((raw, index) => {
    const parsed = ZModelCall.safeParse(raw);
    if (!parsed.success) {
      const id = raw && typeof raw === "object" ? (raw as { eventId?: unknown }).eventId : undefined;
      rejected.push({ index, ...(typeof id === "string" && id ? { eventId: cleanKey(id.slice(0, 200)) } : {}), errors: fieldErrorsOf(parsed.error) });
      return;
    }
    const key = cleanKey(parsed.data.eventId);
    // The same call twice in one batch is a duplicate, like one already stored.
    if (seen.has(key)) {
      duplicates++;
      return;
    }
    seen.add(key);
    valid.push(parsed.data);
  });
  if (!valid.length) return { ok: true, value: { accepted: 0, duplicates, rejected } };

  const agentIdOf = await resolveAgents(gateway.id, valid);
  const rows = valid.map((c) => {
    // Provider and model ids are case-insensitive: stored lower-case, so one model is one row of the rollup.
    const provider = clean(c.provider).toLowerCase();
    const model = clean(c.model).toLowerCase();
    const tokens = c.tokensIn + c.tokensOut + (c.cacheReadTokens ?? 0) + (c.cacheWriteTokens ?? 0);
    return {
      event_id: cleanKey(c.eventId),
      // Normalised to milliseconds (the column's precision).
      occurred_at: CANONICAL_TIME.test(c.occurredAt) ? c.occurredAt : new Date(c.occurredAt).toISOString(),
      agent_id: agentIdOf(c),
      agent_name: clean(c.agentName),
      session_key: c.sessionKey === undefined ? null : clean(c.sessionKey),
      run_id: c.runId === undefined ? null : cleanKey(c.runId),
      provider,
      model,
      price_key: priceKeyOf(provider, model),
      tokens_in: c.tokensIn,
      tokens_out: c.tokensOut,
      cache_read_tokens: c.cacheReadTokens ?? 0,
      cache_write_tokens: c.cacheWriteTokens ?? 0,
      fallback: c.fallback ?? false,
      primary_model: c.primaryModel === undefined ? null : clean(c.primaryModel),
      // A gateway without configured prices reports 0 for a call that used tokens: that is "not
      // priced", not "free", so Warden's table prices it (and the breaker cannot be fed zeros).
      cost_usd: c.costUsd === undefined || (c.costUsd === 0 && tokens > 0) ? null : c.costUsd.toFixed(6),
    };
  });

  // A lone UTF-16 surrogate in a string (valid JSON, refused by Postgres) becomes U+FFFD.
  const { rows: out } = await connectorPool().query<{ inserted: number; priced: number }>(INSERT_SQL, [gateway.id, sanitizeJsonText(JSON.stringify(rows))]);
  const inserted = out[0]?.inserted ?? 0;
  if ((out[0]?.priced ?? 0) > 0) evaluateBudgetsSoon();
  return { ok: true, value: { accepted: inserted, duplicates: duplicates + rows.length - inserted, rejected } };
}
