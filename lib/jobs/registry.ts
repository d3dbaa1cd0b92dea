import "server-only";
import { db } from "@/lib/db";
import { redactString } from "@/lib/redact";
import { replicaId } from "@/lib/replica";
import { shutdownSignal, shutdownTimeoutMs } from "@/lib/shutdown";

/**
 * The background jobs of every Warden replica, scheduled through one table (background_jobs) instead
 * of a timer per module. Each replica that runs the scheduler (all but WARDEN_SCHEDULER=off) ticks
 * about once a second with ONE conditional UPDATE that claims the jobs that are due and whose lease
 * is free or expired: the update sets the lease (now + timeoutMs) and the next run time in the same
 * statement, so whichever replica's update commits first owns that period and the others' updates
 * find the row no longer due. Each period therefore runs on exactly one replica, however many run;
 * a replica that dies mid-run loses only its lease (another takes the job over timeoutMs later).
 * The time is always the database's, so replicas' clocks do not matter.
 *
 * A run that outlives its timeoutMs may overlap the next replica's run: every job here must stay
 * safe if that happens (they claim their rows with conditional updates / SKIP LOCKED).
 */

export type JobDefinition = {
  /** Unique, lower-case words with dashes (the row's key and what the console shows). */
  name: string;
  /** The period: a run starts about this long after the previous one started. */
  everyMs: number;
  /** How long a run holds the job; a dead replica's job is taken over after this (default max(everyMs, 60 s)). */
  timeoutMs: number;
  run: () => Promise<unknown>;
};

/** Runs kept per job in background_job_runs. */
export const KEEP_RUNS = 200;
const MAX_ERROR = 1_000;
const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const MAX_MS = 2_147_483_647;

type State = {
  defs: Map<string, JobDefinition>;
  /** Definitions whose row exists (or was refreshed) since this process started the scheduler. */
  registered: Set<string>;
  /** Jobs running in this process now: never claimed again here until they finish. */
  running: Set<string>;
  inFlight: Set<Promise<void>>;
  timer: ReturnType<typeof setInterval> | null;
  ticking: Promise<void> | null;
  tickAgain: boolean;
};

// On globalThis: Next may load this module once per route bundle, and a kick from any route must
// reach the scheduler instrumentation.ts started.
const state: State = ((globalThis as { __wardenJobs?: State }).__wardenJobs ??= {
  defs: new Map(),
  registered: new Set(),
  running: new Set(),
  inFlight: new Set(),
  timer: null,
  ticking: null,
  tickAgain: false,
});

/** Declare a job (defining a name again replaces it). Returns the definition. */
export function defineJob(def: { name: string; everyMs: number; timeoutMs?: number; run: () => Promise<unknown> }): JobDefinition {
  if (!NAME.test(def.name)) throw new Error(`bad job name ${JSON.stringify(def.name)}`);
  const everyMs = Math.round(def.everyMs);
  const timeoutMs = Math.round(def.timeoutMs ?? Math.max(everyMs, 60_000));
  if (!(everyMs >= 50 && everyMs <= MAX_MS) || !(timeoutMs >= 50 && timeoutMs <= MAX_MS)) throw new Error(`bad period or timeout for job ${def.name}`);
  const job: JobDefinition = { name: def.name, everyMs, timeoutMs, run: def.run };
  state.defs.set(job.name, job);
  state.registered.delete(job.name);
  return job;
}

/**
 * Take part in running the defined jobs: register them (a new job is due at once) and claim due
 * jobs every `tickMs`. Idempotent; the timer is unref'd. Called once from instrumentation.ts unless
 * WARDEN_SCHEDULER=off.
 */
export function startJobs(opts: { tickMs?: number } = {}): void {
  if (state.timer) return;
  const signal = shutdownSignal();
  if (signal.aborted) return;
  state.timer = setInterval(() => void tick(), opts.tickMs ?? 1_000);
  state.timer.unref?.();
  signal.addEventListener("abort", () => void handOver(), { once: true });
  void tick();
}

/**
 * On SIGTERM (lib/shutdown.ts): claim nothing more, and shorten the leases of the runs still going
 * here to the end of the shutdown deadline, so that another replica takes those jobs over seconds
 * after this one exits instead of at their full timeout. A run that finishes in time is recorded.
 */
async function handOver(): Promise<void> {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  if (!state.running.size) return;
  const graceMs = shutdownTimeoutMs() + 1_000;
  await db.$executeRaw`
    update background_jobs set lease_until = least(lease_until, now() + ${graceMs} * interval '1 millisecond')
     where name = any(${[...state.running]}::text[]) and lease_owner = ${replicaId()} and lease_until > now()`.catch((err) =>
    console.error(`warden: handing background jobs over failed: ${describe(err)}`),
  );
}

/** Whether this process runs the scheduler (startJobs was called and not stopped). */
export function jobsStarted(): boolean {
  return state.timer !== null;
}

/** Stop claiming jobs in this process and wait for the runs in flight here (tests, shutdown). */
export async function stopJobs(): Promise<void> {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  await idle();
}

/**
 * Make a job due now (a post-commit kick: e.g. a notification was queued). Whichever replica ticks
 * next runs it — this one at once when it runs the scheduler; a run in progress is followed by
 * another. A no-op for a job no replica has registered yet (it runs at its first tick anyway).
 */
export async function kickJob(name: string): Promise<void> {
  await db.$executeRaw`update background_jobs set next_run_at = now() where name = ${name} and next_run_at > now()`;
  if (state.timer) void tick();
}

/** One tick now, then wait for the runs it started (tests; the scheduler ticks on its own). */
export async function runDueJobs(): Promise<void> {
  await tick();
  await idle();
}

async function idle(): Promise<void> {
  while (state.ticking || state.inFlight.size) {
    await state.ticking;
    await Promise.all([...state.inFlight]);
  }
}

/** Claim and start due jobs; a tick asked for while one is running runs once more after it. */
function tick(): Promise<void> {
  if (state.ticking) {
    state.tickAgain = true;
    return state.ticking;
  }
  state.ticking = (async () => {
    try {
      do {
        state.tickAgain = false;
        await claimAndStart();
      } while (state.tickAgain);
    } catch (err) {
      console.error(`warden: claiming background jobs failed: ${describe(err)}`);
    } finally {
      state.ticking = null;
    }
  })();
  return state.ticking;
}

async function register(): Promise<void> {
  const fresh = [...state.defs.values()].filter((d) => !state.registered.has(d.name));
  if (!fresh.length) return;
  // A shorter period than before takes effect at once; the schedule of a known job is kept otherwise.
  await db.$executeRaw`
    insert into background_jobs (name, every_ms, timeout_ms, next_run_at)
    select n, e, t, now() from unnest(${fresh.map((d) => d.name)}::text[], ${fresh.map((d) => d.everyMs)}::int[], ${fresh.map((d) => d.timeoutMs)}::int[]) as x(n, e, t)
    on conflict (name) do update set every_ms = excluded.every_ms, timeout_ms = excluded.timeout_ms,
      next_run_at = least(background_jobs.next_run_at, now() + excluded.every_ms * interval '1 millisecond')`;
  for (const d of fresh) state.registered.add(d.name);
}

async function claimAndStart(): Promise<void> {
  await register();
  const idleNames = [...state.defs.keys()].filter((n) => !state.running.has(n));
  // A process shutting down takes nothing new (the other replicas will).
  if (!idleNames.length || shutdownSignal().aborted) return;
  const me = replicaId();
  // The claim: due, and no live lease. Concurrent claims of one row serialise on its row lock, and
  // the loser re-checks the condition against the winner's update (no longer due): no double run.
  // The next run is one period after the due time (no drift), or after now when periods were missed.
  // The run records the due time it was claimed for (the row's next_run_at before this update, read
  // from the locked row in the same statement): a due time is claimed once.
  const claimed = await db.$queryRaw<{ run_id: bigint; name: string; started_at: Date }[]>`
    with claimed as (
      update background_jobs j
         set lease_owner = ${me}, lease_until = now() + j.timeout_ms * interval '1 millisecond',
             next_run_at = case when d.due_at + j.every_ms * interval '1 millisecond' > now() then d.due_at + j.every_ms * interval '1 millisecond'
                                else now() + j.every_ms * interval '1 millisecond' end,
             runs = j.runs + 1, last_started_at = now(), last_replica = ${me}
        from (select name, next_run_at as due_at from background_jobs
               where name = any(${idleNames}::text[]) and next_run_at <= now() and (lease_until is null or lease_until <= now())
               order by name for update) d
       where j.name = d.name and j.next_run_at <= now() and (j.lease_until is null or j.lease_until <= now())
      returning j.name, j.last_started_at, d.due_at
    ), started as (
      insert into background_job_runs (job, replica, started_at, due_at) select name, ${me}, now(), due_at from claimed returning id, job
    )
    select s.id as run_id, c.name, c.last_started_at as started_at from claimed c join started s on s.job = c.name`;
  for (const c of claimed) {
    const def = state.defs.get(c.name);
    if (!def) continue;
    state.running.add(def.name);
    const p: Promise<void> = runClaimed(def, c.run_id, c.started_at).finally(() => {
      state.inFlight.delete(p);
      state.running.delete(def.name);
      // Kicked while it ran, or more jobs due: look again now rather than at the next tick.
      if (state.timer) void tick();
    });
    state.inFlight.add(p);
  }
}

async function runClaimed(def: JobDefinition, runId: bigint, startedAt: Date): Promise<void> {
  let error: string | null = null;
  try {
    await def.run();
  } catch (err) {
    error = describe(err);
    console.error(`warden: background job ${def.name} failed: ${error}`);
  }
  const ok = error === null;
  const me = replicaId();
  try {
    // Released only while the lease is still this run's (this replica, this start): after a timeout
    // another replica may own it.
    await db.$executeRaw`
      with finished as (
        update background_job_runs set finished_at = now(), ok = ${ok}, error = ${error} where id = ${runId} returning id
      ), pruned as (
        delete from background_job_runs where job = ${def.name}
           and id < (select id from background_job_runs where job = ${def.name} order by id desc offset ${KEEP_RUNS - 1} limit 1)
        returning id
      )
      update background_jobs set lease_owner = null, lease_until = null, last_finished_at = now(), last_ok = ${ok}, last_error = ${error}
       where name = ${def.name} and lease_owner = ${me} and last_started_at = ${startedAt}::timestamptz`;
  } catch (err) {
    console.error(`warden: recording the run of background job ${def.name} failed: ${describe(err)}`);
  }
}

/** An error as one redacted, clipped line (it is stored, shown to admins and logged). */
function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err);
  return redactString(text).replace(/\s+/g, " ").trim().slice(0, MAX_ERROR) || "failed";
}
