/**
 * A replica for lib/jobs/registry.test.ts: a separate Node process that defines one job and runs
 * the real scheduler (startJobs) against the test file's database. It prints a line per run start
 * and end ("START <job> <pid> <ms since epoch>", "END …") and "READY" once started.
 * Settings come from the environment: JOB_NAME, JOB_EVERY_MS, JOB_TIMEOUT_MS, JOB_SLEEP_MS, TICK_MS.
 * Run: tsx --conditions=react-server test/jobs-worker.ts
 */
import { defineJob, startJobs } from "@/lib/jobs/registry";
import { installShutdownHandlers } from "@/lib/shutdown";

const name = process.env.JOB_NAME ?? "race";
const sleepMs = Number(process.env.JOB_SLEEP_MS ?? 0);
defineJob({
  name,
  everyMs: Number(process.env.JOB_EVERY_MS ?? 300),
  timeoutMs: Number(process.env.JOB_TIMEOUT_MS ?? 5_000),
  run: async () => {
    process.stdout.write(`START ${name} ${process.pid} ${Date.now()}\n`);
    await new Promise((r) => setTimeout(r, sleepMs));
    process.stdout.write(`END ${name} ${process.pid} ${Date.now()}\n`);
  },
});
// SIGTERM as in the server: the shutdown deadline (WARDEN_SHUTDOWN_TIMEOUT_SECONDS), then exit.
installShutdownHandlers();
startJobs({ tickMs: Number(process.env.TICK_MS ?? 50) });
process.stdout.write("READY\n");
// The scheduler's timer is unref'd (it never keeps a server alive): this process lives until killed.
setInterval(() => {}, 60_000);
