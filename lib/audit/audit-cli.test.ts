import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { recordAuditStandalone } from "./record";
import { createAuditCheckpoint } from "./checkpoint";
import type { AuditAction } from "@/lib/audit/actions";

// The README's exact command, `npm run warden -- audit verify …`, against this file's database.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-cli-audit-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "warden", "--", ...args], {
      env: { ...process.env, WARDEN_AUDIT_CHECKPOINT_FILE: "off", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

it("audit verify exits 1 on a truncated chain given the checkpoint file, 0 on an intact one, 2 on bad usage", { timeout: 120_000 }, async () => {
  const file = path.join(dir, "checkpoints.jsonl");
  process.env.WARDEN_AUDIT_CHECKPOINT_FILE = file;
  for (let i = 0; i < 4; i++) await recordAuditStandalone(SYSTEM_ACTOR, { action: "test.cli" as AuditAction, targetId: String(i) });
  const cp = (await createAuditCheckpoint("export"))!;
  process.env.WARDEN_AUDIT_CHECKPOINT_FILE = "off";

  const intact = await cli(["audit", "verify", "--checkpoints", file]);
  expect(intact.code, intact.stderr).toBe(0);
  expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, checked: 4, checkpoints: { checked: 1, verified: 1, keySource: "warden" } });
  // Without --checkpoints: the configured file.
  expect((await cli(["audit", "verify"], { WARDEN_AUDIT_CHECKPOINT_FILE: file })).code).toBe(0);

  // The owner deletes the two newest rows behind the triggers' back.
  const c = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
  await c.connect();
  await c.query("set session_replication_role = replica");
  const { rows } = await c.query<{ id: string }>("delete from audit_events where id > (select id from audit_events order by id desc offset 2 limit 1) returning id::text as id");
  await c.end();
  const firstMissing = rows
    .map((r) => BigInt(r.id))
    .sort((a, b) => (a < b ? -1 : 1))[0]
    .toString();

  const broken = await cli(["audit", "verify", "--checkpoints", file]);
  expect(broken.code).toBe(1);
  const out = JSON.parse(broken.stdout);
  expect(out).toMatchObject({ ok: false, checked: 2, firstBrokenId: firstMissing });
  expect(out.checkpoints.failed[0]).toMatchObject({ problem: "truncated", headId: cp.headId, missing: 2, firstRowConcerned: firstMissing });
  expect((await cli(["audit", "verify"], { WARDEN_AUDIT_CHECKPOINT_FILE: file })).code).toBe(1);
  // Without checkpoints the chain alone passes, with a warning that says why that proves little.
  const alone = await cli(["audit", "verify"]);
  expect(alone.code).toBe(0);
  expect(alone.stderr).toMatch(/no checkpoints were checked/);

  // Another key: the checkpoint is not accepted.
  const keyFile = path.join(dir, "other.pem");
  fs.writeFileSync(keyFile, generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString());
  const otherKey = await cli(["audit", "verify", "--checkpoints", file, "--key", keyFile]);
  expect(otherKey.code).toBe(1);
  expect(JSON.parse(otherKey.stdout).checkpoints).toMatchObject({ keySource: "provided", failed: [expect.objectContaining({ problem: "badSignature" })] });

  expect((await cli(["audit", "verify", "--checkpoints", path.join(dir, "missing.jsonl")])).code).toBe(2);
  expect((await cli(["audit", "verify", "--checkpoints", file, "--key", file])).code).toBe(2);
});
