import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import type { RoleName } from "@/lib/auth/roles";
import { makeUser, rid } from "@/test/factories";
import { leaks, wardenSamples, secretlintSamples } from "@/test/secret-samples";
import { KEEP_RUNS, defineJob, kickJob, runDueJobs } from "./registry";
import { defineWardenJobs } from "./catalog";
import { replicaId } from "@/lib/replica";
import { GET as LIST_JOBS } from "@/app/api/v1/jobs/route";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { JobsTable } from "@/components/jobs/JobsTable";
import { listJobs } from "./queries";

// The API route resolves the caller through getActor(); tests swap in an actor of a given role.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

// ───────────── replicas: separate Node processes running the real scheduler ─────────────

type Line = { kind: "START" | "END"; job: string; pid: number; at: number };
type Replica = { child: ChildProcess; lines: Line[]; ready: Promise<void>; stderr: string[]; exited: Promise<void> };
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

function startReplica(env: Record<string, string>): Replica {
  const tsx = pathToFileURL(path.resolve("node_modules/tsx/dist/loader.mjs")).href;
  // tsx as a loader (not its CLI, which would run the script in a grandchild a kill does not reach).
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", tsx, "test/jobs-worker.ts"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const lines: Line[] = [];
  const stderr: string[] = [];
  child.stderr!.on("data", (d) => stderr.push(String(d)));
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  createInterface({ input: child.stdout! }).on("line", (l) => {
    if (l === "READY") return onReady();
    const m = /^(START|END) (\S+) (\d+) (\d+)$/.exec(l);
    if (m) lines.push({ kind: m[1] as Line["kind"], job: m[2], pid: Number(m[3]), at: Number(m[4]) });
  });
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  return { child, lines, ready, stderr, exited };
}

async function waitFor<T>(what: string, check: () => T | undefined | null | false, ms: number, replicas: Replica[]): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}; stderr: ${replicas
          .flatMap((r) => r.stderr)
          .join("")
          .slice(-2000)}`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

const jobRow = (name: string) => db.backgroundJob.findUnique({ where: { name } });

describe("background jobs across processes", () => {
  it("two replicas racing for one job: each period runs exactly once", { timeout: 60_000 }, async () => {
    const name = `race-${rid()}`;
    const everyMs = 400;
    const env = { JOB_NAME: name, JOB_EVERY_MS: String(everyMs), JOB_SLEEP_MS: "150", JOB_TIMEOUT_MS: "5000", TICK_MS: "20" };
    const replicas = [startReplica(env), startReplica(env)];
    await Promise.all(replicas.map((r) => r.ready));
    const starts = () => replicas.flatMap((r) => r.lines.filter((l) => l.kind === "START")).sort((a, b) => a.at - b.at);
    await waitFor("12 runs", () => starts().length >= 12, 30_000, replicas);
    for (const r of replicas) r.child.kill("SIGKILL");
    await Promise.all(replicas.map((r) => r.exited));

    // The claims as the database recorded them (its clock decides when a period is due). Each run
    // names the due time it was claimed for: a double run would claim one due time twice, or two
    // due times less than a period apart. (Start times may be closer than a period: a late claim is
    // followed by an on-time one, the schedule does not drift.)
    const runs = await db.backgroundJobRun.findMany({ where: { job: name }, orderBy: { id: "asc" }, select: { startedAt: true, dueAt: true, replica: true } });
    const due = runs.map((r) => r.dueAt!.getTime());
    expect(new Set(due).size).toBe(runs.length);
    const gaps = due.slice(1).map((t, i) => t - due[i]);
    expect(Math.min(...gaps), `due-time gaps ${gaps.join(",")}`).toBeGreaterThanOrEqual(everyMs);
    // And no run started before its due time.
    for (const r of runs) expect(r.startedAt.getTime()).toBeGreaterThanOrEqual(r.dueAt!.getTime());
    expect(runs.length).toBeGreaterThanOrEqual(12);
    // Every run printed by a replica was claimed once, and what the replicas printed agrees.
    const printed = starts();
    expect(printed.length === runs.length || printed.length === runs.length - 1).toBe(true); // a claim just before the kill may not have printed
    expect(Number((await jobRow(name))!.runs)).toBe(runs.length);
  });

  it("a replica killed mid-run loses the job only when its lease ends: the other takes over after timeoutMs", { timeout: 60_000 }, async () => {
    const name = `slow-${rid()}`;
    const timeoutMs = 2_500;
    const env = { JOB_NAME: name, JOB_EVERY_MS: "200", JOB_SLEEP_MS: "600000", JOB_TIMEOUT_MS: String(timeoutMs), TICK_MS: "50" };
    const replicas = [startReplica(env), startReplica(env)];
    await Promise.all(replicas.map((r) => r.ready));
    const first = await waitFor("a first run", () => replicas.flatMap((r) => r.lines).find((l) => l.kind === "START"), 30_000, replicas);
    const owner = replicas.find((r) => r.child.pid === first.pid)!;
    const other = replicas.find((r) => r !== owner)!;
    owner.child.kill("SIGKILL");
    await owner.exited;
    const takeover = await waitFor("the other replica's run", () => other.lines.find((l) => l.kind === "START"), timeoutMs + 10_000, replicas);
    // Not before the lease ends (the job was due again every 200 ms), and promptly after it.
    expect(takeover.at - first.at).toBeGreaterThanOrEqual(timeoutMs - 100);
    expect(takeover.at - first.at).toBeLessThan(timeoutMs + 2_000);
    expect(owner.lines.filter((l) => l.kind === "START")).toHaveLength(1);

    const row = await jobRow(name);
    expect(row!.leaseOwner).toContain(`:${other.child.pid}:`);
    expect(row!.lastReplica).toContain(`:${other.child.pid}:`);
    const runs = await db.backgroundJobRun.findMany({ where: { job: name }, orderBy: { id: "asc" } });
    expect(runs.map((r) => r.replica.split(":")[1])).toEqual([String(first.pid), String(other.child.pid)]);
    expect(runs[0].finishedAt).toBeNull(); // the killed run never finished
  });

  it("a replica stopped with SIGTERM mid-run hands the job over at its shutdown deadline, not at the lease's end", { timeout: 60_000 }, async () => {
    const name = `term-${rid()}`;
    const timeoutMs = 30_000;
    const env = { JOB_NAME: name, JOB_EVERY_MS: "200", JOB_SLEEP_MS: "600000", JOB_TIMEOUT_MS: String(timeoutMs), TICK_MS: "50", WARDEN_SHUTDOWN_TIMEOUT_SECONDS: "1" };
    const replicas = [startReplica(env), startReplica(env)];
    await Promise.all(replicas.map((r) => r.ready));
    const first = await waitFor("a first run", () => replicas.flatMap((r) => r.lines).find((l) => l.kind === "START"), 30_000, replicas);
    const owner = replicas.find((r) => r.child.pid === first.pid)!;
    const other = replicas.find((r) => r !== owner)!;
    owner.child.kill("SIGTERM");
    const takeover = await waitFor("the other replica's run", () => other.lines.find((l) => l.kind === "START"), 15_000, replicas);
    // The shutdown deadline is 1 s (+1 s until exit): well before the 30 s lease, and not before the deadline.
    expect(takeover.at - first.at).toBeGreaterThanOrEqual(1_500);
    expect(takeover.at - first.at).toBeLessThan(6_000);
    await owner.exited;
    expect(owner.child.exitCode ?? owner.child.signalCode).toBe(143);
  });
});

// ───────────── in this process ─────────────

describe("defineJob / runDueJobs / kickJob", () => {
  it("records a failure with its error redacted, and the next run's success", async () => {
    const samples = [...secretlintSamples(), ...wardenSamples()].filter((s) => /^(aws access key id|github|slack|openai)/.test(s.name) && s.text.length < 200).slice(0, 4);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    const name = `fail-${rid()}`;
    let calls = 0;
    defineJob({
      name,
      everyMs: 3_600_000,
      run: async () => {
        calls++;
        if (calls === 1) throw new Error(`upstream refused the request with ${samples.map((s) => s.text).join(" and ")} (status 401)`);
      },
    });
    await runDueJobs();
    const failed = await jobRow(name);
    expect(failed).toMatchObject({ lastOk: false, lastReplica: replicaId(), leaseOwner: null, leaseUntil: null, everyMs: 3_600_000, timeoutMs: 3_600_000 });
    expect(Number(failed!.runs)).toBe(1);
    expect(failed!.lastError).toContain("upstream refused the request");
    for (const s of samples) expect(leaks(failed!.lastError!, s.secret), s.name).toBe(false);
    const [run] = await db.backgroundJobRun.findMany({ where: { job: name } });
    expect(run).toMatchObject({ ok: false, error: failed!.lastError, replica: replicaId() });
    expect(run.finishedAt).not.toBeNull();

    // Not due again for an hour; a kick makes it due now.
    await runDueJobs();
    expect(calls).toBe(1);
    await kickJob(name);
    await runDueJobs();
    expect(calls).toBe(2);
    const ok = await jobRow(name);
    expect(ok).toMatchObject({ lastOk: true, lastError: null });
    expect(Number(ok!.runs)).toBe(2);
    expect(ok!.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    const history = await db.backgroundJobRun.findMany({ where: { job: name }, orderBy: { id: "asc" }, select: { ok: true } });
    expect(history).toEqual([{ ok: false }, { ok: true }]);
  });

  it("a kick during a run is not lost: the job runs once more after it", async () => {
    const name = `kick-${rid()}`;
    let calls = 0;
    let release!: () => void;
    defineJob({
      name,
      everyMs: 3_600_000,
      run: async () => {
        calls++;
        if (calls === 1) await new Promise<void>((r) => (release = r));
      },
    });
    const first = runDueJobs();
    await vi.waitFor(() => expect(calls).toBe(1));
    await kickJob(name);
    release();
    await first;
    await runDueJobs();
    expect(calls).toBe(2);
  });

  it("keeps the last runs of a job only", async () => {
    const name = `prune-${rid()}`;
    defineJob({ name, everyMs: 3_600_000, run: async () => {} });
    await db.backgroundJobRun.createMany({ data: Array.from({ length: KEEP_RUNS + 30 }, () => ({ job: name, replica: "old", ok: true, finishedAt: new Date() })) });
    await runDueJobs();
    const runs = await db.backgroundJobRun.findMany({ where: { job: name }, orderBy: { id: "desc" } });
    expect(runs).toHaveLength(KEEP_RUNS);
    expect(runs[0].replica).toBe(replicaId());
  });

  it("runs every job of the catalog on a fresh database without an error", { timeout: 120_000 }, async () => {
    defineWardenJobs();
    await runDueJobs();
    const rows = await db.backgroundJob.findMany({
      where: { name: { in: ["tool-call-partitions", "findings", "webhook-dispatch", "containment-escalation", "approval-expiry", "spend-breaker", "playbook-triggers", "audit-checkpoint"] } },
    });
    expect(rows.map((r) => [r.name, r.lastOk, r.lastError])).toEqual(expect.arrayContaining(rows.map((r) => [r.name, true, null])));
    expect(rows).toHaveLength(8);
  });
});

describe("GET /api/v1/jobs", () => {
  const as = async (role: RoleName | null) => {
    session.actor = role ? (await makeUser(role)).actor : null;
  };

  it("lists the jobs for admins and auditors; other roles get 403 (audited), anonymous 401", async () => {
    const name = `api-${rid()}`;
    defineJob({ name, everyMs: 3_600_000, run: async () => {} });
    await runDueJobs();
    for (const role of ["admin", "auditor"] as const) {
      await as(role);
      const res = await LIST_JOBS();
      expect(res.status).toBe(200);
      const { data } = await res.json();
      const job = data.find((j: { name: string }) => j.name === name);
      expect(Object.keys(job).sort()).toEqual(["everyMs", "lastError", "lastFinishedAt", "lastOk", "lastReplica", "lastStartedAt", "name", "nextRunAt", "runningOn", "runs"]);
      expect(job).toMatchObject({ everyMs: 3_600_000, runs: 1, lastOk: true, lastError: null, lastReplica: replicaId(), runningOn: null });
    }
    for (const role of ["security_lead", "operator", "manager"] as const) {
      await as(role);
      const res = await LIST_JOBS();
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain(name);
      const denied = await db.auditEvent.findFirst({ where: { actorId: session.actor!.userId, action: "read:jobs", outcome: "denied" } });
      expect(denied).not.toBeNull();
    }
    await as(null);
    expect((await LIST_JOBS()).status).toBe(401);
  });
});

describe("the console's jobs table", () => {
  it("shows an empty state before any replica registered a job, and 'not run yet' before a job's first run", async () => {
    const empty = renderToStaticMarkup(createElement(JobsTable, { jobs: [] }));
    expect(empty).toContain("No background job has run yet");
    expect(empty).not.toContain("<table");
    const name = `fresh-${rid()}`;
    await db.backgroundJob.create({ data: { name, everyMs: 60_000, timeoutMs: 60_000, nextRunAt: new Date(Date.now() + 60_000) } });
    const html = renderToStaticMarkup(createElement(JobsTable, { jobs: (await listJobs()).filter((j) => j.name === name) }));
    expect(html).toContain("not run yet");
    expect(html).toContain("every 1 min");
    expect(html).toContain("never");
  });
});
