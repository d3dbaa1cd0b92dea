import { Badge } from "@/components/ui/Badge";
import { EmptyState } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import type { JobView } from "@/lib/jobs/schema";

type JobRow = JobView;

/** "every 2 s", "every 5 min", "every 6 h". */
export function fmtEvery(ms: number): string {
  if (ms % 3_600_000 === 0) return `every ${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `every ${ms / 60_000} min`;
  if (ms % 1_000 === 0) return `every ${ms / 1_000} s`;
  return `every ${ms} ms`;
}

function status(j: JobRow) {
  if (j.runningOn) return <Badge tone="blue">running</Badge>;
  if (j.lastOk === null) return <Badge tone="gray">{j.runs ? "interrupted" : "not run yet"}</Badge>;
  return j.lastOk ? <Badge tone="green">ok</Badge> : <Badge tone="red">failed</Badge>;
}

/** The background jobs shared by the replicas: last run, where, its error, the next run. */
export function JobsTable({ jobs }: { jobs: JobRow[] }) {
  if (jobs.length === 0) {
    return (
      <EmptyState title="No background job has run yet">
        Each replica registers the jobs when it starts (unless it runs with <code>WARDEN_SCHEDULER=off</code>); they appear here after the first one does.
      </EmptyState>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <caption className="sr-only">Background jobs</caption>
        <thead className="bg-slate-50 dark:bg-slate-900/60">
          <tr>
            {["Job", "Period", "Status", "Last run", "Replica", "Runs", "Next run"].map((h) => (
              <th key={h} scope="col" className="px-3 py-2 text-left font-medium text-slate-600 dark:text-slate-300">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {jobs.map((j) => (
            <tr key={j.name} data-job={j.name}>
              <td className="px-3 py-2">
                <code>{j.name}</code>
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-xs">{fmtEvery(j.everyMs)}</td>
              <td className="px-3 py-2">
                {status(j)}
                {j.lastError && <p className="mt-1 max-w-md break-words text-xs text-red-700 dark:text-red-300">{j.lastError}</p>}
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-xs">
                {j.lastStartedAt ? fmtDate(j.lastStartedAt) : "never"}
                {j.lastFinishedAt && j.lastStartedAt && j.lastFinishedAt >= j.lastStartedAt && (
                  <span className="text-slate-500"> · {Math.max(0, Date.parse(j.lastFinishedAt) - Date.parse(j.lastStartedAt))} ms</span>
                )}
              </td>
              <td className="px-3 py-2 text-xs">
                <code>{j.runningOn ?? j.lastReplica ?? "—"}</code>
              </td>
              <td className="px-3 py-2 text-xs">{j.runs}</td>
              <td className="whitespace-nowrap px-3 py-2 text-xs">{fmtDate(j.nextRunAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
