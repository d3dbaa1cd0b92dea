/**
 * Evidence exports as database work (lib/evidence/runner.ts): the round trip through the API, two
 * replicas claiming at once, a replica killed mid-export (a real child process, SIGKILL), the
 * attempts cap, SIGTERM's hand-back, a replica that lost its lease, and retention.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { makeUser, rid } from "@/test/factories";
import { saveExport } from "@/test/bundles";

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-export-runner-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const { db } = await import("@/lib/db");
const { ExportRunner, MAX_ATTEMPTS } = await import("./runner");
const { startEvidenceExport, waitForExport, getExportStatus } = await import("./service");
const { verifyEvidenceBundle, formatReport } = await import("./verify");
const { wardenPublicKey } = await import("@/lib/signing/keys");

const MIN = 60_000;
const { actor: auditor } = await makeUser("auditor");

/** A small window with a few tool calls, queued without the post-commit kick (the test decides who claims). */
async function queue(n = 1): Promise<string[]> {
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
  const now = Date.now();
  await db.toolCall.createMany({
    data: [1, 2, 3].map((i) => ({
      occurredAt: new Date(now - i * MIN),
      gatewayId: gw.id,
      eventId: `ev-${rid()}`,
      agentName: "a",
      toolName: "web_fetch",
      decision: "allowed" as const,
      egressHosts: [],
    })),
  });
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push((await startEvidenceExport(auditor, { from: new Date(now - 10 * MIN).toISOString(), to: new Date(now + MIN).toISOString(), gatewayIds: [gw.id] }, { kick: false })).id);
  return ids;
}

const row = (id: string) => db.evidenceExport.findUniqueOrThrow({ where: { id } });
const successAudits = (id: string) => db.auditEvent.count({ where: { action: "evidence.export", outcome: "success", targetId: id } });

async function verified(id: string) {
  const file = await saveExport(id, path.join(dir, `${id}-${rid()}.tar.gz`));
  const report = await verifyEvidenceBundle(file, { publicKeyPem: (await wardenPublicKey()).publicKeyPem });
  expect(report, formatReport(report)).toMatchObject({ ok: true, signature: "ok" });
  expect(report.manifest?.exportId).toBe(id);
  return report;
}

async function until<T>(what: string | (() => string), fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("evidence exports as database work", () => {
  it("round trip through the API: queued → claimed → progress → done → download verifies, audited once", { timeout: 60_000 }, async () => {
    const { POST } = await import("@/app/api/v1/evidence/exports/route");
    const { GET: status } = await import("@/app/api/v1/evidence/exports/[id]/route");
    const { GET: download } = await import("@/app/api/v1/evidence/exports/[id]/download/route");
    session.actor = auditor;
    const [, gw] = [await queue(0), await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } })];
    const from = new Date(Date.now() - 10 * MIN).toISOString();
    const to = new Date(Date.now() + MIN).toISOString();
    // The kick claims it in this process ("replica"): slowed down so the progress can be watched.
    process.env.WARDEN_EXPORT_STEP_DELAY_MS = "150";
    try {
      const res = await POST(
        new Request("http://w/api/v1/evidence/exports", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ from, to, gatewayIds: [gw.id] }) }),
      );
      expect(res.status).toBe(202);
      const { data } = await res.json();
      expect(data).toMatchObject({ id: expect.any(String), state: "running" });
      expect(await db.auditEvent.count({ where: { action: "evidence.export_request", targetId: data.id } })).toBe(1);
      const ctx = { params: Promise.resolve({ id: data.id }) };
      const phases = new Set<string>();
      for (;;) {
        const s = (await (await status(new Request("http://w/x"), ctx)).json()).data;
        phases.add(s.progress.phase);
        if (s.state !== "running") break;
        await new Promise((r) => setTimeout(r, 40));
      }
      // The API saw the build move through its steps (the lease is renewed with the progress).
      expect([...phases].filter((p) => ["counting", "audit", "registry", "response", "tool_calls", "packing"].includes(p)).length).toBeGreaterThanOrEqual(3);
      const done = await row(data.id);
      expect(done).toMatchObject({ state: "done", step: "done", attempts: 1, leaseOwner: null, error: null });
      expect(done.sha256).toMatch(/^[0-9a-f]{64}$/);
      const dl = await download(new Request("http://w/x"), ctx);
      expect(dl.status).toBe(200);
      const bytes = Buffer.from(await dl.arrayBuffer());
      expect(bytes.length).toBe(Number(done.sizeBytes));
      expect(Number(dl.headers.get("content-length"))).toBe(bytes.length);
      expect((await import("node:crypto")).createHash("sha256").update(bytes).digest("hex")).toBe(done.sha256);
      await verified(data.id);
      expect(await successAudits(data.id)).toBe(1);
      expect(await db.auditEvent.count({ where: { action: "evidence.download", targetId: data.id } })).toBe(1);
    } finally {
      delete process.env.WARDEN_EXPORT_STEP_DELAY_MS;
      session.actor = null;
    }
  });

  it("a download before the export is done is a 409, of an unknown id a 404", async () => {
    const { GET: download } = await import("@/app/api/v1/evidence/exports/[id]/download/route");
    session.actor = auditor;
    const [id] = await queue();
    expect((await download(new Request("http://w/x"), { params: Promise.resolve({ id }) })).status).toBe(409);
    expect((await download(new Request("http://w/x"), { params: Promise.resolve({ id: crypto.randomUUID() }) })).status).toBe(404);
    expect((await download(new Request("http://w/x"), { params: Promise.resolve({ id: "../../etc/passwd" }) })).status).toBe(404);
    session.actor = null;
    await new ExportRunner({ owner: `r-${rid()}` }).runPending();
    expect((await waitForExport(id)).state).toBe("done");
  });

  it("two replicas claiming at once: every export is claimed by exactly one and built once", { timeout: 60_000 }, async () => {
    const ids = await queue(4);
    const a = new ExportRunner({ owner: `replica-a-${rid()}`, slots: 2 });
    const b = new ExportRunner({ owner: `replica-b-${rid()}`, slots: 2 });
    // A third replica is in the middle of claiming the oldest one (its row is locked): the two
    // others skip it rather than wait for it or claim it as well.
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    let ca: string[];
    let cb: string[];
    try {
      await c.query("begin");
      await c.query("select id from evidence_exports where id = $1 for update", [ids[0]]);
      const both = Promise.all([a.runPending(), b.runPending()]);
      const blocked = await Promise.race([both.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 10_000))]);
      expect(blocked, "a claim waited for a row another replica is claiming").toBe(false);
      [ca, cb] = await both;
    } finally {
      await c.query("rollback").catch(() => {});
      await c.end();
    }
    expect(ca.filter((id) => cb.includes(id))).toEqual([]);
    expect([...ca, ...cb].sort()).toEqual(ids.slice(1).sort());
    // Released: one of them takes it (a replica claims again as soon as a build of its own ends).
    await Promise.all([a.idle(), b.idle()]);
    await a.runPending();
    await Promise.all([a.idle(), b.idle()]);
    for (const id of ids) {
      expect(await row(id)).toMatchObject({ state: "done", attempts: 1 });
      expect(await successAudits(id)).toBe(1);
      await verified(id);
    }
  });

  it("a replica killed mid-export (SIGKILL): its lease expires, another replica builds it again and it downloads", { timeout: 120_000 }, async () => {
    const [id] = await queue();
    const owner = `doomed-${rid()}`;
    // Node itself with tsx as a loader (the tsx command would run the script in a grandchild that SIGKILL does not reach).
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.resolve("test/export-claimer.ts"), owner], {
      env: { ...process.env, WARDEN_EXPORT_STEP_DELAY_MS: "3000", WARDEN_EXPORT_LEASE_SECONDS: "3" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c) => (output += String(c)));
    child.stderr.on("data", (c) => (output += String(c)));
    const exited = new Promise((r) => child.once("exit", r));
    try {
      // Mid-export: claimed by the child and past its first step.
      await until(
        () => `the child to be building; its output:\n${output}`,
        async () => {
          const r = await row(id);
          return r.leaseOwner === owner && r.state === "running" && r.step !== "queued" && r.step !== "counting";
        },
      );
      const scratch = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`warden-export-${child.pid}-`));
      expect(scratch()).toHaveLength(1);
      child.kill("SIGKILL");
      await exited;
      const survivor = new ExportRunner({ owner: `survivor-${rid()}` });
      // While the dead replica's lease holds, nobody takes its export.
      expect(await survivor.runPending()).toEqual([]);
      // The scratch folder the dead process left behind is swept.
      expect(scratch()).toEqual([]);
      expect(await row(id)).toMatchObject({ state: "running", leaseOwner: owner, attempts: 1 });
      const claimed = await until(
        "the lease to expire",
        async () => {
          const c = await survivor.runPending();
          return c.length ? c : null;
        },
        30_000,
      );
      expect(claimed).toEqual([id]);
      await survivor.idle();
      expect(await row(id)).toMatchObject({ state: "done", attempts: 2, error: null });
      expect(await successAudits(id)).toBe(1);
      // Only the finished attempt's chunks remain.
      expect(await db.evidenceExportChunk.count({ where: { exportId: id, attempt: { not: 2 } } })).toBe(0);
      const s = await getExportStatus(id);
      expect(s).toMatchObject({ state: "done", attempts: 2 });
      await verified(id);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });

  it(`after ${MAX_ATTEMPTS} claims that all died the export fails with a clear error (audited), and is not claimed again`, async () => {
    const [id] = await queue();
    // As after MAX_ATTEMPTS replicas died building it: running, lease expired.
    await db.evidenceExport.update({ where: { id }, data: { state: "running", attempts: MAX_ATTEMPTS, leaseOwner: "dead", leaseUntil: new Date(Date.now() - 1_000) } });
    const r = new ExportRunner({ owner: `r-${rid()}` });
    expect(await r.runPending()).not.toContain(id);
    const failed = await getExportStatus(id);
    expect(failed).toMatchObject({ state: "failed", attempts: MAX_ATTEMPTS });
    expect(failed.error).toMatch(new RegExp(`interrupted ${MAX_ATTEMPTS} times .* Start it again`));
    expect(await db.auditEvent.count({ where: { action: "evidence.export", outcome: "failure", targetId: id } })).toBe(1);
    expect(await r.runPending()).not.toContain(id);
    expect((await row(id)).state).toBe("failed");

    // One attempt short of the cap: claimed once more, and it finishes.
    const [next] = await queue();
    await db.evidenceExport.update({ where: { id: next }, data: { state: "running", attempts: MAX_ATTEMPTS - 1, leaseOwner: "dead", leaseUntil: new Date(Date.now() - 1_000) } });
    expect(await r.runPending()).toEqual([next]);
    await r.idle();
    expect(await row(next)).toMatchObject({ state: "done", attempts: MAX_ATTEMPTS });
  });

  it("SIGTERM hands the export back at once (queued, attempt not counted, no failure); another replica builds it", { timeout: 60_000 }, async () => {
    const [id] = await queue();
    process.env.WARDEN_EXPORT_STEP_DELAY_MS = "2000";
    const leaving = new ExportRunner({ owner: `leaving-${rid()}` });
    try {
      expect(await leaving.runPending()).toEqual([id]);
      await until("the build to start", async () => (await row(id)).step !== "queued");
      const t0 = Date.now();
      expect(await leaving.releaseAll()).toBe(1);
      expect(Date.now() - t0).toBeLessThan(1_500); // did not wait out the 2 s step
      await leaving.idle();
      expect(Date.now() - t0).toBeLessThan(1_500); // and the build stopped at once
      expect(await row(id)).toMatchObject({ state: "queued", leaseOwner: null, attempts: 0, error: null });
      expect(await db.evidenceExportChunk.count({ where: { exportId: id } })).toBe(0);
      // A stopped runner claims nothing more.
      expect(await leaving.runPending()).toEqual([]);
    } finally {
      delete process.env.WARDEN_EXPORT_STEP_DELAY_MS;
    }
    expect(await db.auditEvent.count({ where: { action: "evidence.export", targetId: id } })).toBe(0);
    const next = new ExportRunner({ owner: `next-${rid()}` });
    expect(await next.runPending()).toEqual([id]);
    await next.idle();
    expect(await row(id)).toMatchObject({ state: "done", attempts: 1 });
    await verified(id);
  });

  it("a replica that lost its lease (taken over meanwhile) stops, and writes neither chunks nor the final state", { timeout: 60_000 }, async () => {
    const [id] = await queue();
    process.env.WARDEN_EXPORT_STEP_DELAY_MS = "400";
    const slow = new ExportRunner({ owner: `slow-${rid()}` });
    try {
      expect(await slow.runPending()).toEqual([id]);
      await until("the build to start", async () => (await row(id)).step !== "queued");
      // Another replica's claim, as after this one's lease expired (a long pause): attempt 2.
      await db.evidenceExport.update({ where: { id }, data: { leaseOwner: "successor", attempts: 2, leaseUntil: new Date(Date.now() + 10 * MIN) } });
      await slow.idle();
    } finally {
      delete process.env.WARDEN_EXPORT_STEP_DELAY_MS;
    }
    expect(await row(id)).toMatchObject({ state: "running", leaseOwner: "successor", attempts: 2, sizeBytes: null });
    expect(await db.evidenceExportChunk.count({ where: { exportId: id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "evidence.export", targetId: id } })).toBe(0);
  });

  it("retention deletes finished and failed exports (rows and archives) past WARDEN_EVIDENCE_EXPORT_RETENTION_DAYS; recent ones stay", { timeout: 60_000 }, async () => {
    const [oldId, recentId] = await queue(2);
    const r = new ExportRunner({ owner: `r-${rid()}` });
    await r.runPending();
    await r.idle();
    const old = new Date(Date.now() - 15 * 86_400_000);
    await db.evidenceExport.update({ where: { id: oldId }, data: { createdAt: old, finishedAt: old } });
    expect(await db.evidenceExportChunk.count({ where: { exportId: oldId } })).toBeGreaterThan(0);
    await new ExportRunner({ owner: `r-${rid()}` }).runPending();
    expect(await db.evidenceExport.count({ where: { id: oldId } })).toBe(0);
    expect(await db.evidenceExportChunk.count({ where: { exportId: oldId } })).toBe(0);
    expect(await db.evidenceExport.count({ where: { id: recentId } })).toBe(1);
  });
});
