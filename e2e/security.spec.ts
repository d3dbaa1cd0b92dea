import { expect, makeUser, signIn, test } from "./fixtures";

test("health answers without auth", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", db: "ok", version: expect.any(String) });
});

test("pages carry a nonce-based CSP and the other security headers", async ({ page, request }) => {
  const res = await request.get("/login");
  const h = res.headers();
  const csp = h["content-security-policy"];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp.match(/script-src[^;]*/)![0]).not.toContain("unsafe-inline");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("no-referrer");
  const api = await request.get("/api/health");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");

  // Every script on the page carries this response's nonce, and the page works under the policy.
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const resp = await page.goto("/login");
  const nonce = resp!.headers()["content-security-policy"].match(/'nonce-([^']+)'/)![1];
  const scripts = await page.locator("script").evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  for (const n of scripts) expect(n).toBe(nonce);
  const me = await makeUser("operator");
  await signIn(page, me);
  expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
});

test("session cookies are httpOnly and sameSite=lax; no secret in URLs", async ({ page }) => {
  const me = await makeUser("admin");
  const urls: string[] = [];
  page.on("request", (r) => urls.push(r.url()));
  await signIn(page, me);
  const cookie = (await page.context().cookies()).find((c) => c.name.endsWith("next-auth.session-token"))!;
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe("Lax");
  for (const u of urls) {
    expect(u).not.toContain(me.password);
    expect(u).not.toMatch(/token=|password=|secret=/i);
  }
});
