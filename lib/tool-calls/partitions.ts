import "server-only";
import { db } from "@/lib/db";

// Shared with connector ingestion (lib/tool-calls/ingest.ts): one creator of partitions at a time.
const PARTITION_LOCK = 7_210_003;

/** Create daily tool_calls partitions from `backDays` ago to `aheadDays` ahead (idempotent). */
export async function ensureToolCallPartitions(backDays = 8, aheadDays = 7, now = new Date()): Promise<number> {
  const day = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset)).toISOString().slice(0, 10);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(${PARTITION_LOCK})`;
    const rows = await tx.$queryRaw<{ n: number }[]>`select warden_ensure_tool_call_partitions(${day(-backDays)}::date, ${day(aheadDays)}::date) as n`;
    return Number(rows[0]?.n ?? 0);
  });
}
