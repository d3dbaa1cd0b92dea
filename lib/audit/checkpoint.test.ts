import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeyPairSync, sign } from "node:crypto";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { wardenPublicKey } from "@/lib/signing/keys";
import { recordAuditStandalone } from "./record";
import { chainHash } from "@/lib/signing/canonical";
import { verifyAuditChain } from "./verify";
import { appendCheckpointLine, createAuditCheckpoint, verifyAuditTrail } from "./checkpoint";
import { checkpointLine, checkpointSignedBytes, publicKeyId, type TCheckpoint } from "./checkpoint-format";
import { ZAuditVerifyInput, parseGivenCheckpoints } from "./schema";
import type { AuditAction } from "@/lib/audit/actions";

// The database owner (TEST_OWNER_DATABASE_URL; the app role cannot): bypasses the append-only triggers.
async function asOwner(fn: (c: pg.Client) => Promise<void>) {
  const c = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
  await c.connect();
  try {
    await c.query("set session_replication_role = replica");
    await fn(c);
  } finally {
    await c.end();
  }
}

async function append(n: number, label = "e") {
  for (let i = 0; i < n; i++) await recordAuditStandalone(SYSTEM_ACTOR, { action: "test.checkpoint" as AuditAction, targetId: `${label}${i}` });
}

async function ids(): Promise<string[]> {
  return (await db.auditEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map((r) => r.id.toString());
}

/** Rewrite row `id` (its actor label) and recompute its hash and every later one, as Warden would. */
async function rewriteFrom(id: string, actorLabel: string) {
  const rows = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
  let prev: string | null = null;
  const updates: [string, string, string, string][] = [];
  for (const r of rows) {
    if (r.id < BigInt(id)) {
      prev = r.hash;
      continue;
    }
    const label = r.id === BigInt(id) ? actorLabel : r.actorLabel;
    const hash = chainHash(prev!, {
      id: r.id.toString(),
      createdAt: r.createdAt,
      actorType: r.actorType,
      actorId: r.actorId,
      actorLabel: label,
      role: r.role,
      action: r.action,
      outcome: r.outcome,
      targetType: r.targetType,
      targetId: r.targetId,
      before: r.before ?? null,
      after: r.after ?? null,
      ip: r.ip,
      userAgent: r.userAgent,
    });
    updates.push([label, prev!, hash, r.id.toString()]);
    prev = hash;
  }
  await asOwner(async (c) => {
    for (const u of updates) await c.query("update audit_events set actor_label = $1, prev_hash = $2, hash = $3 where id = $4", u);
  });
}

let dir: string;
let file: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-cp-"));
  file = path.join(dir, "anchors", "checkpoints.jsonl");
  process.env.WARDEN_AUDIT_CHECKPOINT_FILE = file;
  // Each test starts from an empty trail (the owner's privilege, used here to reset).
  await asOwner(async (c) => {
    await c.query("delete from audit_events");
    await c.query("delete from audit_checkpoints");
  });
});
afterEach(() => {
  process.env.WARDEN_AUDIT_CHECKPOINT_FILE = "off";
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("audit checkpoints", () => {
  it("deleting the newest rows passes the chain alone, and the checkpoints name the first missing row", async () => {
    await append(6);
    await createAuditCheckpoint("export");
    const all = await ids();
    await asOwner(async (c) => {
      await c.query("delete from audit_events where id >= $1", [all[4]]);
    });
    // What the chain alone can see: nothing (documented in the README).
    expect(await verifyAuditChain()).toEqual({ ok: true, checked: 4, firstBrokenId: null });
    const res = await verifyAuditTrail();
    expect(res).toMatchObject({ ok: false, checked: 4, firstBrokenId: all[4] });
    expect(res.checkpoints.failed).toEqual([expect.objectContaining({ problem: "truncated", source: "server file", line: 1, headId: all[5], missing: 2, firstRowConcerned: all[4] })]);
    // The app goes on appending after the deletion: still caught, still the same first row.
    await append(2, "later");
    const again = await verifyAuditTrail();
    expect(again).toMatchObject({ ok: false, firstBrokenId: all[4] });
    expect(again.checkpoints.failed[0]).toMatchObject({ problem: "truncated", missing: 2 });
    // Truncating everything is caught as well.
    await asOwner(async (c) => {
      await c.query("delete from audit_events");
    });
    expect(await verifyAuditTrail()).toMatchObject({ ok: false, checked: 0, checkpoints: { failed: [expect.objectContaining({ problem: "truncated", missing: 6 })] } });
  });

  it("a row rewritten with every later hash recomputed passes the chain alone; the checkpoints name where it can begin", async () => {
    await append(4);
    const first = await createAuditCheckpoint("export");
    await append(4, "more");
    await createAuditCheckpoint("export");
    const all = await ids();
    expect(first!.headId).toBe(all[3]);
    await rewriteFrom(all[5], "someone-else");
    expect(await verifyAuditChain()).toEqual({ ok: true, checked: 8, firstBrokenId: null });
    const res = await verifyAuditTrail();
    // The first checkpoint still holds (rows 1-4 are vouched for); the rewrite is somewhere after it.
    expect(res).toMatchObject({ ok: false, checked: 8, firstBrokenId: all[4], checkpoints: { checked: 2, verified: 1, anchoredUpToId: all[3] } });
    expect(res.checkpoints.failed).toEqual([expect.objectContaining({ problem: "rewritten", headId: all[7], firstRowConcerned: all[4] })]);
  });

  it("a row removed with the later hashes recomputed is caught (the head's hash and count differ)", async () => {
    await append(5);
    await createAuditCheckpoint("export");
    const all = await ids();
    await asOwner(async (c) => {
      await c.query("delete from audit_events where id = $1", [all[2]]);
    });
    await rewriteFrom(all[3], "system");
    expect((await verifyAuditChain()).ok).toBe(true);
    const res = await verifyAuditTrail();
    expect(res).toMatchObject({ ok: false, firstBrokenId: all[0] });
    expect(res.checkpoints.failed[0]).toMatchObject({ problem: "rewritten", headId: all[4] });
  });

  it("forged or altered checkpoints are refused as badSignature and never count as anchors", async () => {
    await append(3);
    const cp = (await createAuditCheckpoint("export"))!;
    const other = generateKeyPairSync("ed25519");
    const otherId = publicKeyId(other.publicKey);
    const forge = (c: Omit<TCheckpoint, "sig">, key = other.privateKey): TCheckpoint => ({ ...c, sig: sign(null, checkpointSignedBytes(c), key).toString("base64") });
    const body: Omit<TCheckpoint, "sig"> = { v: cp.v, type: cp.type, headId: cp.headId, headHash: cp.headHash, count: cp.count, at: cp.at, keyId: cp.keyId, reason: cp.reason };
    const given = [
      { ...cp, count: 2 }, // altered after signing
      forge({ ...body, keyId: otherId }), // signed by another key
      forge(body), // another key, claiming Warden's key id
    ];
    const res = await verifyAuditTrail({ given: parseGivenCheckpoints(ZAuditVerifyInput.parse({ checkpoints: given })), serverFile: false });
    expect(res.ok).toBe(false);
    expect(res.checkpoints).toMatchObject({ checked: 3, verified: 0, anchoredUpToId: null });
    expect(res.checkpoints.failed.map((f) => f.problem)).toEqual(["badSignature", "badSignature", "badSignature"]);
    expect(res.checkpoints.failed[1].detail).toContain(otherId);
    // An altered copy keeping the genuine signature is a checkpoint of its own: it fails, the genuine one holds.
    const pair = await verifyAuditTrail({ given: parseGivenCheckpoints(ZAuditVerifyInput.parse({ checkpoints: [{ ...cp, count: 2 }, cp] })), serverFile: false });
    expect(pair).toMatchObject({ ok: false, checkpoints: { checked: 2, verified: 1, failed: [expect.objectContaining({ problem: "badSignature", line: 1 })] } });
    // The genuine one verifies.
    expect(await verifyAuditTrail({ given: parseGivenCheckpoints(ZAuditVerifyInput.parse({ checkpoints: checkpointLine(cp) })), serverFile: false })).toMatchObject({
      ok: true,
      checkpoints: { verified: 1 },
    });
    // A malformed one given by a caller is a 400 (AppError invalid) with the line named.
    expect(() => parseGivenCheckpoints(ZAuditVerifyInput.parse({ checkpoints: `${checkpointLine(cp)}\n{"v":1}` }))).toThrow(/not well-formed/);
  });

  it("a forged newest row in the checkpoint table does not stop the next scheduled checkpoint", async () => {
    await append(2);
    expect(await createAuditCheckpoint("interval")).not.toBeNull();
    expect(await createAuditCheckpoint("interval")).toBeNull(); // nothing changed
    await append(1);
    const head = (await ids()).at(-1)!;
    const [row] = await db.auditEvent.findMany({ where: { id: BigInt(head) }, select: { hash: true } });
    const key = await wardenPublicKey();
    await db.auditCheckpoint.create({ data: { headId: BigInt(head), headHash: row.hash, count: 3n, at: new Date(), keyId: key.keyId, reason: "interval", signature: "A".repeat(86) + "==" } });
    const later = new Date(Date.now() + 60 * 60_000);
    const made = await createAuditCheckpoint("interval", later);
    expect(made).toMatchObject({ headId: head, count: 3 });
    // Two replicas at once make one checkpoint between them.
    await append(1);
    const both = await Promise.all([createAuditCheckpoint("interval", new Date(later.getTime() + 3_600_000)), createAuditCheckpoint("interval", new Date(later.getTime() + 3_600_000))]);
    expect(both.filter(Boolean)).toHaveLength(1);
  });

  it("the file is appended to, never rewritten: 0600, one self-contained line each, symlinks refused", async () => {
    await append(1);
    const a = (await createAuditCheckpoint("export"))!;
    const firstBytes = fs.readFileSync(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // A line cut short by a crash is closed before the next one.
    fs.appendFileSync(file, '{"v":1,"type":"warden.audit');
    await append(1);
    const b = (await createAuditCheckpoint("export"))!;
    const after = fs.readFileSync(file);
    expect(after.subarray(0, firstBytes.length).equals(firstBytes)).toBe(true);
    const lines = after.toString("utf8").split("\n");
    expect(lines).toEqual([checkpointLine(a), '{"v":1,"type":"warden.audit', checkpointLine(b), ""]);
    // The torn line is reported, the two checkpoints verify.
    const res = await verifyAuditTrail();
    expect(res.checkpoints).toMatchObject({ checked: 3, verified: 2, failed: [expect.objectContaining({ problem: "malformed", line: 2 })] });
    // A symlink in its place is not followed.
    const link = path.join(dir, "link.jsonl");
    fs.symlinkSync(path.join(dir, "target"), link);
    await expect(appendCheckpointLine("x", link)).rejects.toThrow();
    expect(fs.existsSync(path.join(dir, "target"))).toBe(false);
  });

  it("each checkpoint is queued as an audit.checkpoint webhook, only to endpoints that chose it", async () => {
    const mk = (name: string, events: string[]) =>
      db.webhookEndpoint.create({ data: { name: `${name}-${Math.random()}`, url: "https://hooks.example.invalid/x", events, secretEnc: seal("whsec_test"), enabled: true } });
    const chosen = await mk("archive", ["audit.checkpoint"]);
    const all = await mk("chat", []);
    await append(1);
    const cp = (await createAuditCheckpoint("export"))!;
    const deliveries = await db.webhookDelivery.findMany({ where: { event: "audit.checkpoint" } });
    expect(deliveries.map((d) => d.endpointId)).toEqual([chosen.id]);
    expect(deliveries.some((d) => d.endpointId === all.id)).toBe(false);
    const payload = deliveries[0].payload as { checkpoint: TCheckpoint; line: string };
    expect(payload.checkpoint).toEqual(cp);
    expect(payload.line).toBe(checkpointLine(cp));
    // What the receiver stored verifies against the chain.
    expect(await verifyAuditTrail({ given: parseGivenCheckpoints(ZAuditVerifyInput.parse({ checkpoints: [payload.checkpoint] })), serverFile: false })).toMatchObject({
      ok: true,
      checkpoints: { verified: 1 },
    });
  });
});
