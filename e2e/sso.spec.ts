/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider, e2e/oidc-idp.mjs) started
 * by this spec, with a second Warden server on the e2e database configured for it (OIDC_* env):
 * PKCE S256 + state + nonce, a groups claim mapped to roles, provisioning and sign-ins audited,
 * the linking rule for local accounts, a disabled user staying disabled, hostile claims refused
 * with a clear page, and forged ID tokens (issuer, audience, nonce, key, expiry) refused.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { expect, makeUser, rid, sql, test } from "./fixtures";

const ROOT = path.join(__dirname, "..");

type Claims = Record<string, unknown>;
type Idp = {
  issuer: string;
  accounts: Map<string, Claims>;
  authRequests: Record<string, string>[];
  tamper(edit: ((p: Claims) => Claims) | null, key?: crypto.KeyObject): void;
  close(): Promise<void>;
};

let idp: Idp;
let warden: ChildProcess | null = null;
let base = "";
let output = "";

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const { appDatabaseUrl, secret } = JSON.parse(fs.readFileSync(path.join(ROOT, ".warden-e2e", "e2e.json"), "utf8")) as { appDatabaseUrl: string; secret: string };
  // Plain ESM, imported at run time (Playwright's transform would turn it into CommonJS).
  const { anyFreePort, nextStart } = (await import(path.join(ROOT, "scripts", "lib", "runtime.mjs"))) as typeof import("../scripts/lib/runtime.mjs");
  const port = await anyFreePort();
  base = `http://127.0.0.1:${port}`;
  const clientSecret = crypto.randomBytes(24).toString("hex");
  const { startIdp } = (await import(path.join(ROOT, "e2e", "oidc-idp.mjs"))) as { startIdp: (o: { clientId: string; clientSecret: string; redirectUri: string }) => Promise<Idp> };
  // Up before Warden starts (next-auth discovers the issuer at the first sign-in).
  idp = await startIdp({ clientId: "warden-e2e", clientSecret, redirectUri: `${base}/api/auth/callback/oidc` });
  const env = {
    ...process.env,
    DATABASE_URL: appDatabaseUrl,
    WARDEN_SECRET: secret,
    NEXTAUTH_SECRET: secret,
    NEXTAUTH_URL: base,
    NEXT_TELEMETRY_DISABLED: "1",
    WARDEN_SCHEDULER: "off",
    WARDEN_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "warden-sso-")),
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: "warden-e2e",
    OIDC_CLIENT_SECRET: clientSecret,
    OIDC_NAME: "Test IdP",
    OIDC_ROLE_CLAIM: "groups",
    OIDC_ROLE_MAP: "warden-admins=admin,warden-auditors=auditor,warden-ops=operator",
    OIDC_LINK_LOCAL: "verified",
  };
  const server = nextStart(["-p", String(port), "-H", "127.0.0.1"], env);
  warden = spawn(server.command, server.args, { cwd: ROOT, env: server.env, stdio: ["ignore", "pipe", "pipe"] });
  warden.stdout!.on("data", (c) => (output += String(c)));
  warden.stderr!.on("data", (c) => (output += String(c)));
  await expect
    .poll(async () => (await fetch(`${base}/api/health`).catch(() => null))?.status ?? 0, { timeout: 90_000 })
    .toBe(200)
    .catch((err: Error) => {
      throw new Error(`${err.message}\n--- the SSO Warden's output ---\n${output.slice(-4000)}`);
    });
});

test.afterAll(async () => {
  if (warden && warden.exitCode === null) {
    const exited = new Promise((r) => warden!.once("exit", r));
    warden.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (warden.exitCode === null) warden.kill("SIGKILL");
  }
  await idp?.close();
});

test.afterEach(async ({}, info) => {
  idp.tamper(null);
  if (info.status !== info.expectedStatus) console.log(`--- the SSO Warden's output ---\n${output.slice(-4000)}`);
});

/** An IdP account with these claims; returns its subject. */
function account(claims: Claims): string {
  const sub = `sub-${rid()}${rid()}`;
  idp.accounts.set(sub, claims);
  return sub;
}

/** Sign in through Warden's login page and the IdP's form, in a fresh browser (no IdP session). */
async function ssoSignIn(browser: Browser, sub: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByRole("button", { name: "Continue with Test IdP" }).click();
  await expect(page.getByRole("heading", { name: "Test IdP sign-in" })).toBeVisible();
  await page.getByLabel("Username").fill(sub);
  await page.getByRole("button", { name: "Sign in at the IdP" }).click();
  await page.waitForURL((u) => u.origin === base && !u.pathname.startsWith("/api/auth"));
  return page;
}

async function me(page: Page): Promise<{ status: number; role?: string; label?: string }> {
  const res = await page.request.get(`${base}/api/v1/me`);
  return { status: res.status(), ...(res.ok() ? ((await res.json()) as { role: string; label: string }) : {}) };
}

async function userByEmail(email: string) {
  const r = await sql().query("select id, role, oidc_subject, password_hash, disabled_at from users where email = $1", [email]);
  return r.rows[0] as { id: string; role: string; oidc_subject: string | null; password_hash: string | null; disabled_at: Date | null } | undefined;
}

async function audits(where: string, values: unknown[]) {
  const r = await sql().query(`select action, outcome::text, target_id, before, after from audit_events where ${where} order by id`, values);
  return r.rows as { action: string; outcome: string; target_id: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }[];
}

async function expectRefused(page: Page, code: string, text: RegExp) {
  await expect(page).toHaveURL(new RegExp(`^${base}/login\\?(.*&)?error=${code}(&|$)`));
  await expect(page.locator("form p[role=alert]")).toHaveText(text);
  expect((await me(page)).status).toBe(401);
}

test("a mapped groups claim signs in with its role; provisioning and the sign-in are audited; PKCE S256, state and nonce are sent", async ({ browser }) => {
  const email = `ana-${rid()}@idp.test`;
  const sub = account({ email, email_verified: true, name: "Ana SSO", groups: ["unrelated", "warden-auditors"] });
  const page = await ssoSignIn(browser, sub);
  await expect(page).toHaveURL(`${base}/`);
  expect(await me(page)).toMatchObject({ status: 200, role: "auditor", label: email });

  const user = (await userByEmail(email))!;
  expect(user).toMatchObject({ role: "auditor", oidc_subject: sub, password_hash: null, disabled_at: null });
  const rows = await audits("target_id = $1", [user.id]);
  expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual(["auth.sso_provision:success", "auth.login:success"]);
  expect(rows[1].after).toMatchObject({ via: "oidc", role: "auditor" });

  const auth = idp.authRequests.at(-1)!;
  expect(auth.code_challenge_method).toBe("S256");
  expect(auth.code_challenge).toMatch(/^[\w-]{43}$/);
  expect(auth.state?.length).toBeGreaterThan(20);
  expect(auth.nonce?.length).toBeGreaterThan(20);
  expect(auth.scope.split(" ")).toEqual(expect.arrayContaining(["openid", "email"]));
  await page.context().close();
});

test("a role changed at the provider applies at the next sign-in; no mapped group is refused and changes nothing", async ({ browser }) => {
  const email = `bo-${rid()}@idp.test`;
  const sub = account({ email, email_verified: true, groups: ["warden-ops"] });
  const first = await ssoSignIn(browser, sub);
  expect(await me(first)).toMatchObject({ status: 200, role: "operator" });
  await first.context().close();

  idp.accounts.set(sub, { email, email_verified: true, groups: ["warden-admins", "warden-ops"] });
  const second = await ssoSignIn(browser, sub);
  expect(await me(second)).toMatchObject({ status: 200, role: "admin" });
  const user = (await userByEmail(email))!;
  const logins = await audits("target_id = $1 and action = 'auth.login'", [user.id]);
  expect(logins.at(-1)).toMatchObject({ outcome: "success", before: { role: "operator" }, after: { role: "admin", via: "oidc" } });
  await second.context().close();

  // Taken out of every Warden group: the next sign-in is refused, the row keeps its last role.
  idp.accounts.set(sub, { email, email_verified: true, groups: ["someone-elses"] });
  const third = await ssoSignIn(browser, sub);
  await expectRefused(third, "sso_no_role", /has no Warden role/);
  expect((await userByEmail(email))!.role).toBe("admin");
  expect((await audits("target_id = $1 and action = 'auth.login'", [user.id])).at(-1)).toMatchObject({ outcome: "denied", after: { reason: "sso_no_role" } });
  await third.context().close();
});

test("an unmapped user is refused with a clear page and nothing is stored but the audit row", async ({ browser }) => {
  const email = `cy-${rid()}@idp.test`;
  const page = await ssoSignIn(browser, account({ email, email_verified: true, groups: ["marketing"] }));
  await expectRefused(page, "sso_no_role", /has no Warden role/);
  expect(await userByEmail(email)).toBeUndefined();
  expect(await audits("target_id = $1", [email])).toMatchObject([{ action: "auth.login", outcome: "denied", after: { reason: "sso_no_role" } }]);
  await page.context().close();
});

test("a local account is not taken over: linked only with email_verified (OIDC_LINK_LOCAL=verified), never re-linked, and disabled stays disabled", async ({ browser }) => {
  const local = await makeUser("admin");
  // The IdP does not vouch for the email: refused, the local account unchanged.
  const attacker = account({ email: local.email, email_verified: false, groups: ["warden-auditors"] });
  const p1 = await ssoSignIn(browser, attacker);
  await expectRefused(p1, "sso_link_refused", /already exists/);
  expect(await userByEmail(local.email)).toMatchObject({ role: "admin", oidc_subject: null });
  // A string "true" is not the boolean the rule asks for.
  idp.accounts.set(attacker, { email: local.email, email_verified: "true", groups: ["warden-admins"] });
  const p2 = await ssoSignIn(browser, attacker);
  await expectRefused(p2, "sso_link_refused", /already exists/);
  expect(await userByEmail(local.email)).toMatchObject({ role: "admin", oidc_subject: null });
  await p1.context().close();
  await p2.context().close();

  // Verified: linked to this subject (audited), with the IdP's role.
  const owner = account({ email: local.email.toUpperCase(), email_verified: true, groups: ["warden-admins"] });
  const p3 = await ssoSignIn(browser, owner);
  expect(await me(p3)).toMatchObject({ status: 200, role: "admin", label: local.email });
  expect(await userByEmail(local.email)).toMatchObject({ oidc_subject: owner });
  expect((await audits("target_id = $1 and action like 'auth.sso_%'", [local.id])).map((r) => r.action)).toEqual(["auth.sso_link"]);
  await p3.context().close();

  // Another subject with the same (verified) email never takes the linked account.
  const other = account({ email: local.email, email_verified: true, groups: ["warden-admins"] });
  const p4 = await ssoSignIn(browser, other);
  await expectRefused(p4, "sso_conflict", /another Warden account/);
  expect(await userByEmail(local.email)).toMatchObject({ oidc_subject: owner });
  await p4.context().close();

  // Disabled in Warden: SSO does not bring the account back.
  await sql().query("update users set disabled_at = now() where id = $1", [local.id]);
  const p5 = await ssoSignIn(browser, owner);
  await expectRefused(p5, "sso_disabled", /disabled/);
  expect((await userByEmail(local.email))!.disabled_at).not.toBeNull();
  await p5.context().close();
});

test("hostile claims get a clear page, no 500, and store nothing", async ({ browser }) => {
  const cases: { claims: (email: string) => Claims; code: string; text: RegExp }[] = [
    { claims: (email) => ({ email, email_verified: true, groups: { admin: true } }), code: "sso_bad_claims", text: /cannot accept/ },
    { claims: (email) => ({ email, email_verified: true, groups: ["warden-admins\u0000x"] }), code: "sso_bad_claims", text: /cannot accept/ },
    { claims: (email) => ({ email, email_verified: true, groups: ["warden-admins", 7, null] }), code: "sso_bad_claims", text: /cannot accept/ },
    { claims: (email) => ({ email, email_verified: true, groups: Array.from({ length: 5000 }, (_, i) => `g${i}`).concat("warden-admins") }), code: "sso_bad_claims", text: /cannot accept/ },
    { claims: (email) => ({ email: [email], groups: ["warden-admins"] }), code: "sso_bad_claims", text: /cannot accept/ },
    { claims: () => ({ name: "No Mail", groups: ["warden-admins"] }), code: "sso_no_email", text: /did not share an email/ },
  ];
  for (const c of cases) {
    const email = `hx-${rid()}@idp.test`;
    const page = await ssoSignIn(browser, account(c.claims(email)));
    await expectRefused(page, c.code, c.text);
    expect(await userByEmail(email)).toBeUndefined();
    await page.context().close();
  }
  // A single group as a string (some providers send that) is read as a one-element list.
  const email = `hs-${rid()}@idp.test`;
  const page = await ssoSignIn(browser, account({ email, email_verified: true, groups: "warden-auditors" }));
  expect(await me(page)).toMatchObject({ status: 200, role: "auditor" });
  await page.context().close();
});

test("forged ID tokens are refused: wrong issuer, audience, nonce or key, or expired", async ({ browser }) => {
  const { privateKey: otherKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const forgeries: [string, (p: Claims) => Claims, crypto.KeyObject?][] = [
    ["issuer", (p) => ({ ...p, iss: "http://127.0.0.1:1" })],
    ["audience", (p) => ({ ...p, aud: "another-client" })],
    ["nonce", (p) => ({ ...p, nonce: "replayed-nonce-0123456789abcdef" })],
    ["expiry", (p) => ({ ...p, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })],
    ["key", (p) => p, otherKey],
  ];
  const refusedCallbacks = async () =>
    Number((await sql().query("select count(*)::int as n from audit_events where action = 'auth.login' and outcome = 'denied' and after->>'reason' = 'sso_callback_checks'")).rows[0].n);
  for (const [what, edit, key] of forgeries) {
    const email = `fx-${rid()}@idp.test`;
    const audited = await refusedCallbacks();
    idp.tamper(edit, key);
    const page = await ssoSignIn(browser, account({ email, email_verified: true, groups: ["warden-admins"] }));
    await expectRefused(page, "OAuthCallback", /did not pass Warden's checks/).catch((err: Error) => {
      throw new Error(`forged ${what}: ${err.message}`);
    });
    expect(await userByEmail(email), `forged ${what}`).toBeUndefined();
    // The refusal is audited (written after the redirect: polled).
    await expect.poll(refusedCallbacks, { message: `forged ${what} audited` }).toBe(audited + 1);
    await page.context().close();
  }
  // The same flow untampered signs in (the forgeries failed for their forgery, not the setup).
  idp.tamper(null);
  const email = `fok-${rid()}@idp.test`;
  const page = await ssoSignIn(browser, account({ email, email_verified: true, groups: ["warden-admins"] }));
  expect(await me(page)).toMatchObject({ status: 200, role: "admin" });
  await page.context().close();
});
