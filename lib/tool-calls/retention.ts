import "server-only";
import { db } from "@/lib/db";
import { envVars } from "@/lib/env";

/** How long tool calls are kept: WARDEN_TOOL_CALL_RETENTION_DAYS (default 90, minimum 1). */
export function retentionDays(env: Record<string, string | undefined> = envVars()): number {
  const n = Number(env.WARDEN_TOOL_CALL_RETENTION_DAYS ?? 90);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 90;
}

/**
 * Drop whole day partitions older than the retention window, without long locks. Postgres cannot
 * DETACH … CONCURRENTLY while a default partition exists, so each partition is detached and
 * dropped in its own short transaction with a 2-second lock_timeout: it never queues behind (or
 * blocks) long queries for longer than that, and a busy partition is simply retried next run.
 * Rows that landed in the default partition are deleted in small batches.
 */
export async function applyRetention(days = retentionDays(), now = new Date()): Promise<{ droppedPartitions: string[]; deletedDefaultRows: number }> {
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days));
  const cutoffName = `tool_calls_${cutoff.toISOString().slice(0, 10).replace(/-/g, "")}`;
  const parts = await db.$queryRaw<{ name: string }[]>`
    select c.relname::text as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
    where p.relname = 'tool_calls' and c.relname ~ '^tool_calls_[0-9]{8}$' and c.relname < ${cutoffName}
    order by c.relname`;
  const dropped: string[] = [];
  for (const { name } of parts) {
    // The app role owns no table: the owner's warden_drop_tool_call_partition() detaches and drops
    // (it accepts only names of day partitions of tool_calls).
    try {
      const [, rows] = await db.$transaction([db.$executeRawUnsafe(`set local lock_timeout = '2s'`), db.$queryRaw<{ dropped: boolean }[]>`select warden_drop_tool_call_partition(${name}) as dropped`]);
      if (rows[0]?.dropped) dropped.push(name);
    } catch (err) {
      console.warn(`warden: retention skipped ${name} this run (${(err as Error).message.slice(0, 120)})`);
    }
  }
  let deleted = 0;
  for (;;) {
    const n = await db.$executeRaw`delete from tool_calls_default where ctid in (select ctid from tool_calls_default where occurred_at < ${cutoff} limit 5000)`;
    deleted += n;
    if (n < 5000) break;
  }
  // The detailed hourly rollup follows the same window (it is the largest of the three); the fleet
  // and per-agent-day rollups are tiny and kept, so long-term trends outlive the raw calls.
  for (;;) {
    const n = await db.$executeRaw`delete from tool_call_hourly where ctid in (select ctid from tool_call_hourly where hour < ${cutoff} limit 5000)`;
    if (n < 5000) break;
  }
  // Model calls follow the same window; their per-day rollup (model_usage_daily) is kept, like
  // the per-agent-day rollup of tool calls, so spend history outlives the raw calls.
  for (;;) {
    const n = await db.$executeRaw`delete from model_calls where id in (select id from model_calls where occurred_at < ${cutoff} limit 5000)`;
    if (n < 5000) break;
  }
  // Calls stored from their result alone whose row is past the window: nothing left to merge into.
  await db.$executeRaw`delete from tool_call_open_calls where occurred_at < ${cutoff}`;
  return { droppedPartitions: dropped, deletedDefaultRows: deleted };
}
