/** A background job as the API and the console show it. */
export type JobView = {
  name: string;
  everyMs: number;
  runs: number;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastOk: boolean | null;
  lastError: string | null;
  lastReplica: string | null;
  nextRunAt: string;
  /** The replica running it now, while its lease lasts (null when idle). */
  runningOn: string | null;
};
