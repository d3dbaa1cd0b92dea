/** The admin CLI against the same database the server uses. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { request as pwRequest } from "@playwright/test";
import { expect, rid, sql, test } from "./fixtures";

const exec = promisify(execFile);
const ROOT = path.join(__dirname, "..");
const { databaseUrl } = JSON.parse(fs.readFileSync(path.join(ROOT, ".warden-e2e", "e2e.json"), "utf8"));

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(path.join(ROOT, "node_modules", ".bin", "tsx"), ["--conditions=react-server", "scripts/cli.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, WARDEN_AUDIT_CHECKPOINT_FILE: path.join(ROOT, ".warden-e2e", "audit-checkpoints.jsonl") },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("user create, token create, disable and audit verify from the CLI", async ({ baseURL }) => {
  test.setTimeout(120_000);
  const email = `cli-${rid()}@e2e.local`;
  const created = await cli("user", "create", "--email", email, "--role", "auditor");
  expect(created.code).toBe(0);
  expect(created.stdout).toContain(`created ${email} (auditor)`);
  expect(created.stdout).toMatch(/one-time password: \S{20}/);

  const token = await cli("token", "create", "--email", email, "--expires", "1");
  expect(token.code).toBe(0);
  const secret = token.stdout.trim();
  expect(secret).toMatch(/^wdn_/);
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${secret}` } });
  expect(await (await api.get("/api/v1/me")).json()).toMatchObject({ role: "auditor" });

  expect((await cli("user", "disable", "--email", email)).code).toBe(0);
  expect((await api.get("/api/v1/me")).status()).toBe(401);
  await api.dispose();

  const audited = await sql().query("select actor_label, action from audit_events where target_id = (select id::text from users where email = $1) order by id", [email]);
  expect(audited.rows.map((r) => r.action)).toEqual(["user.create", "user.disable"]);
  expect(audited.rows[0].actor_label).toMatch(/^cli:/);

  const verify = await cli("audit", "verify");
  expect(verify.code).toBe(0);
  expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, firstBrokenId: null });

  const bad = await cli("user", "create", "--email", "nope", "--role", "king");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--email");
  expect(bad.stderr).toContain("--role");
});
