import "server-only";
import { connectorPool } from "@/lib/db-raw";
import { AppError } from "@/lib/errors";
import type { TRateLimitConsume } from "./schema";

/** Width of a counting bucket (seconds): a shared limit's window is read as 13 of them. */
export const BUCKET_SECONDS = 5;
/** The window: every bucket that overlaps the last 60 s (so 60 to 65 s of allowed calls). */
export const WINDOW_SECONDS = 60;

export type ConsumeResult = { allowed: boolean; count: number; limit: number; resetAt: string };

/**
 * Count one call against a shared (Warden-counted) rate limit, for one gateway. The rule must be
 * shared and apply to the gateway (no agent, or an agent on it); otherwise not_found.
 *
 * Window: the sum of the 5 s buckets that overlap the last 60 s, i.e. the allowed calls of the last
 * 60 to 65 s. It never lets more than `perMinute` calls through in any 60 s, and errs on the strict
 * side by at most 5 s. A call is counted only when it is allowed (a refused call never counts).
 *
 * Atomic across replicas: a transaction-scoped advisory lock on (rule, subject) serializes the
 * consumers of one counter, and the read-check-increment then runs as one statement with a snapshot
 * taken after the lock (READ COMMITTED), so it sees every earlier consumer's committed count.
 */
export async function consumeSharedLimit(gatewayId: string, input: TRateLimitConsume): Promise<ConsumeResult> {
  const pool = connectorPool();
  const { rows: rules } = await pool.query<{ per_minute: number; shared: boolean; gateway_id: string | null; agent_id: string | null }>(
    `select r.per_minute, r.shared, a.gateway_id::text, r.agent_id::text from rate_limit_rules r left join agents a on a.id = r.agent_id where r.id = $1::uuid`,
    [input.ruleId],
  );
  const rule = rules[0];
  // One answer for "no such limit" and "not this gateway's": a gateway learns nothing about others.
  if (!rule || (rule.agent_id && rule.gateway_id !== gatewayId)) throw new AppError("not_found", "No such rate limit for this gateway.");
  if (!rule.shared) throw new AppError("invalid", "This limit is counted by each gateway (shared: false), not by Warden.", { ruleId: ["Not a shared limit."] });
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [`rate_limit:${input.ruleId}:${input.subjectKey}`]);
    const { rows } = await client.query<{ n: number; allowed: boolean; oldest: Date | null; bucket: Date; lim: number }>(
      `with t as (select to_timestamp(floor(extract(epoch from clock_timestamp()) / ${BUCKET_SECONDS}) * ${BUCKET_SECONDS}) as b),
            r as (select per_minute from rate_limit_rules where id = $1::uuid and shared),
            w as (select coalesce(sum(c.count), 0)::int as n, min(c.bucket) as oldest from rate_limit_counts c, t
                   where c.rule_id = $1::uuid and c.subject_key = $2 and c.bucket >= t.b - interval '${WINDOW_SECONDS} seconds'),
            ins as (insert into rate_limit_counts (rule_id, subject_key, bucket, count)
                    select $1::uuid, $2, t.b, 1 from t, w, r where w.n < r.per_minute
                    on conflict (rule_id, subject_key, bucket) do update set count = rate_limit_counts.count + 1
                    returning 1)
       select w.n, exists (select 1 from ins) as allowed, w.oldest, t.b as bucket, coalesce((select per_minute from r), 0) as lim from w, t`,
      [input.ruleId, input.subjectKey],
    );
    await client.query("commit");
    const row = rows[0]!;
    const count = row.allowed ? row.n + 1 : row.n;
    // The oldest counted bucket leaves the window this long after it started; that frees room.
    const from = row.oldest ?? row.bucket;
    const resetAt = new Date(from.getTime() + (WINDOW_SECONDS + BUCKET_SECONDS) * 1000).toISOString();
    return { allowed: row.allowed, count, limit: row.lim, resetAt };
  } catch (err) {
    await client.query("rollback").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Drop counting buckets that can no longer fall in any window (the rate-limit-counts job). */
export async function pruneRateLimitCounts(): Promise<number> {
  const { rowCount } = await connectorPool().query(`delete from rate_limit_counts where bucket < now() - interval '${WINDOW_SECONDS + 5 * BUCKET_SECONDS} seconds'`);
  return rowCount ?? 0;
}
