import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import pg from "pg";

export const ROLES = ["admin", "security_lead", "operator", "auditor", "manager"] as const;
export type Role = (typeof ROLES)[number];
export type TestUser = { id: string; email: string; password: string; role: Role };

const e2e = () => JSON.parse(fs.readFileSync(path.join(__dirname, "..", ".warden-e2e", "e2e.json"), "utf8")) as { databaseUrl: string; baseURL: string };
export const rid = () => randomBytes(4).toString("hex");

let pool: pg.Pool | null = null;
/** Direct database access for seeding and checking (never through an HTTP route). */
export function sql() {
  pool ??= new pg.Pool({ connectionString: e2e().databaseUrl, max: 3 });
  return pool;
}

/** A fresh user with a random email and a known password (argon2id, like the app). */
export async function makeUser(role: Role, opts: { disabled?: boolean } = {}): Promise<TestUser> {
  const id = randomUUID();
  const email = `${role.replace("_", "-")}-${rid()}@e2e.local`;
  const password = `pw-${randomBytes(9).toString("base64url")}`;
  await sql().query("insert into users (id, email, name, role, password_hash, disabled_at, updated_at) values ($1,$2,$3,$4,$5,$6,now())", [
    id,
    email,
    `E2E ${role}`,
    role,
    await hash(password),
    opts.disabled ? new Date() : null,
  ]);
  return { id, email, password, role };
}

/** A personal API token for a user, inserted the way the app stores it (hash only). */
export async function makeToken(user: TestUser, opts: { expiresInMs?: number } = {}): Promise<string> {
  return (await makeTokenRow(user, opts)).token;
}

export async function makeTokenRow(user: TestUser, opts: { expiresInMs?: number } = {}): Promise<{ token: string; id: string }> {
  const token = `wdn_${randomBytes(32).toString("base64url")}`;
  const id = randomUUID();
  await sql().query("insert into api_tokens (id, user_id, name, prefix, token_hash, expires_at) values ($1,$2,$3,$4,$5,$6)", [
    id,
    user.id,
    "e2e",
    token.slice(0, 10),
    createHash("sha256").update(token).digest("hex"),
    new Date(Date.now() + (opts.expiresInMs ?? 86_400_000)),
  ]);
  return { token, id };
}

/** Sign in through the real form. */
export async function signIn(page: Page, user: TestUser) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** Sign in over HTTP (next-auth credentials flow); the context then carries the session cookie. */
export async function signInApi(request: APIRequestContext, user: TestUser) {
  const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
  const res = await request.post("/api/auth/callback/credentials", { form: { csrfToken, email: user.email, password: user.password, json: "true" }, maxRedirects: 0 });
  expect([200, 302]).toContain(res.status());
  const me = await request.get("/api/v1/me");
  expect(me.status(), `session for ${user.email}`).toBe(200);
}

/** Warden's origin, for requests that must look same-origin (a signed-in POST from outside the browser). */
export function wardenOrigin(): string {
  return new URL(e2e().baseURL).origin;
}

/** Server action ids from the production build, by exported name. */
export function actionId(exportedName: string): { id: string; page: string } {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", ".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName?: string; workers: Record<string, unknown> }>;
  };
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.exportedName === exportedName) {
      const worker = Object.keys(entry.workers)[0];
      const page =
        "/" +
        worker
          .replace(/^app\//, "")
          .replace(/\/page$/, "")
          .split("/")
          .filter((s) => !s.startsWith("("))
          .join("/");
      return { id, page };
    }
  }
  throw new Error(`no server action named ${exportedName} in the build`);
}

/**
 * Call a server action directly, as any HTTP client can (no button involved). Returns the
 * action's result, parsed out of the RSC response.
 */
export async function callAction(request: APIRequestContext, exportedName: string, arg: unknown): Promise<{ httpStatus: number; result: Record<string, unknown> | null; raw: string }> {
  const { id, page } = actionId(exportedName);
  const res = await request.post(page, {
    // As the browser sends it: a signed-in state change must come from Warden's own origin.
    headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component", Origin: wardenOrigin() },
    data: JSON.stringify([arg]),
    maxRedirects: 0,
  });
  const raw = await res.text();
  let result: Record<string, unknown> | null = null;
  for (const line of raw.split("\n")) {
    const m = line.match(/^[0-9a-f]+:(\{.*\})$/);
    if (!m) continue;
    const obj = JSON.parse(m[1]) as Record<string, unknown>;
    if ("ok" in obj) result = obj;
  }
  return { httpStatus: res.status(), result, raw };
}

/** Count audit rows matching a where clause (for "the denial was recorded" checks). */
export async function auditCount(where: { action?: string; outcome?: string; actorLabel?: string; targetId?: string; actionPrefix?: string }) {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const add = (col: string, v: unknown, op = "=") => {
    values.push(v);
    clauses.push(`${col} ${op} $${values.length}`);
  };
  if (where.action) add("action", where.action);
  if (where.actionPrefix) add("action", `${where.actionPrefix}%`, "like");
  if (where.outcome) add("outcome", where.outcome, "=");
  if (where.actorLabel) add("actor_label", where.actorLabel);
  if (where.targetId) add("target_id", where.targetId);
  const r = await sql().query(`select count(*)::int as n from audit_events ${clauses.length ? "where " + clauses.join(" and ").replace("outcome =", "outcome::text =") : ""}`, values);
  return r.rows[0].n as number;
}

export const test = base;
export { expect };

/**
 * A tool's approved versions are fleet-wide trust decisions, so a spec that revokes every approval
 * of a built-in tool (to prove "approved only for another build" or "revoked") would break another
 * spec that, on another worker at the same moment, relies on its own approval of that tool. Specs
 * that rely on an approval hold the tool's lock shared; a spec that revokes others' approvals holds
 * it exclusive. A Postgres advisory lock on its own connection: it works across Playwright workers
 * and ends with the connection (release, or the worker exiting).
 */
export async function toolLock(tool: string, mode: "shared" | "exclusive"): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: e2e().databaseUrl });
  await client.connect();
  await client.query(`select pg_advisory_lock${mode === "shared" ? "_shared" : ""}(hashtext($1))`, [`e2e-tool:${tool}`]);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await client.end().catch(() => {});
  };
}
