import "server-only";
import { db } from "@/lib/db";
import type { JobView } from "./schema";

export type { JobView };

/** Every job any replica registered, by name; `now` is the database's (leases are judged by it). */
export async function listJobs(): Promise<JobView[]> {
  const rows = await db.$queryRaw<
    {
      name: string;
      every_ms: number;
      runs: bigint;
      last_started_at: Date | null;
      last_finished_at: Date | null;
      last_ok: boolean | null;
      last_error: string | null;
      last_replica: string | null;
      next_run_at: Date;
      running_on: string | null;
    }[]
  >`
    select name, every_ms, runs, last_started_at, last_finished_at, last_ok, last_error, last_replica, next_run_at,
           case when lease_until > now() then lease_owner end as running_on
      from background_jobs order by name`;
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return rows.map((r) => ({
    name: r.name,
    everyMs: r.every_ms,
    runs: Number(r.runs),
    lastStartedAt: iso(r.last_started_at),
    lastFinishedAt: iso(r.last_finished_at),
    lastOk: r.last_ok,
    lastError: r.last_error,
    lastReplica: r.last_replica,
    nextRunAt: r.next_run_at.toISOString(),
    runningOn: r.running_on,
  }));
}
