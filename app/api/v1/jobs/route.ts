import { runApiRead } from "@/lib/api";
import { listJobs } from "@/lib/jobs/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/jobs → { data: [{ name, everyMs, runs, lastStartedAt, lastFinishedAt, lastOk,
 * lastError, lastReplica, nextRunAt, runningOn }] }: the background jobs shared by the replicas
 * (admins and auditors).
 */
export function GET() {
  return runApiRead("jobs:read", "jobs", async () => ({ data: await listJobs() }));
}
