import { encode } from "next-auth/jwt";
import { expect, makeUser, signIn, signInApi, sql, test } from "./fixtures";

// A session cookie is only as good as its server-side session (user_sessions): signing out ends it,
// so a copy of the cookie taken before sign-out is refused afterwards, on API routes and pages.

test("a cookie captured before sign-out no longer works after it (API and page)", async ({ page, browser, baseURL }) => {
  const me = await makeUser("operator");
  await signIn(page, me);
  const cookies = await page.context().cookies();
  expect(cookies.some((c) => c.name.endsWith("next-auth.session-token"))).toBe(true);

  // The copy works while the session is open.
  const thief = await browser.newContext({ baseURL });
  await thief.addCookies(cookies);
  const before = await thief.request.get("/api/v1/me");
  expect(before.status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  // Replayed after sign-out: anonymous.
  expect((await thief.request.get("/api/v1/me")).status()).toBe(401);
  expect((await thief.request.get("/api/v1/agents")).status()).toBe(401);
  const p = await thief.newPage();
  await p.goto("/agents");
  await expect(p).toHaveURL(/\/login/);
  await thief.close();

  const { rows } = await sql().query("select ended_at, end_reason from user_sessions where user_id = $1", [me.id]);
  expect(rows).toHaveLength(1);
  expect(rows[0].end_reason).toBe("signed_out");
  const audit = await sql().query("select count(*)::int as n from audit_events where action = 'auth.logout' and actor_id = $1", [me.id]);
  expect(audit.rows[0].n).toBe(1);
});

test("sign-out over HTTP (next-auth signout) ends the session the request's cookie stands for", async ({ playwright, baseURL }) => {
  const me = await makeUser("auditor");
  const ctx = await playwright.request.newContext({ baseURL });
  await signInApi(ctx, me);
  const state = await ctx.storageState();
  const { csrfToken } = await (await ctx.get("/api/auth/csrf")).json();
  const out = await ctx.post("/api/auth/signout", { form: { csrfToken, json: "true" }, maxRedirects: 0 });
  expect([200, 302]).toContain(out.status());

  const replay = await playwright.request.newContext({ baseURL, storageState: state });
  expect((await replay.get("/api/v1/me")).status()).toBe(401);
  await replay.dispose();
  await ctx.dispose();
});

test("a session cookie without a session id (issued before sessions were recorded) is refused", async ({ playwright, baseURL }) => {
  const me = await makeUser("admin");
  // A validly signed next-auth JWT of the old shape: user id and epoch, no session id.
  const token = await encode({ token: { uid: me.id, epoch: 0, email: me.email, name: "old" }, secret: "e2e-secret-e2e-secret-e2e-secret-0123" });
  const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `next-auth.session-token=${token}` } });
  expect((await ctx.get("/api/v1/me")).status()).toBe(401);
  await ctx.dispose();
});
