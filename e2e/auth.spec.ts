import { request as pwRequest } from "@playwright/test";
import { expect, makeToken, makeUser, rid, signIn, signInApi, test } from "./fixtures";

test("sign in, see the demo fleet, sign out", async ({ page }) => {
  const me = await makeUser("manager");
  await signIn(page, me);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  // The seeded demo fleet (other tests add agents concurrently, so no exact count here).
  await expect(page.getByRole("link", { name: /Agents\s*\d+\s*on \d+ gateways?/ })).toBeVisible();
  await page.getByRole("link", { name: "Agents", exact: true }).click();
  await expect(page.getByRole("cell", { name: /customer-support/ })).toBeVisible();
  // Managers have no Admin or Audit entries.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  // The session is gone: the console sends us back to sign in.
  await page.goto("/agents");
  await expect(page).toHaveURL(/\/login\?next=%2Fagents/);
});

test("a wrong password and an unknown account get the same message", async ({ page }) => {
  const me = await makeUser("operator");
  const messages: string[] = [];
  for (const email of [me.email, `nobody-${rid()}@e2e.local`]) {
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("definitely-wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    messages.push((await page.locator('p[role="alert"]').textContent()) ?? "");
  }
  expect(messages[0]).toBe("Invalid email or password.");
  expect(messages[1]).toBe(messages[0]);
});

test("repeated failures lock the account for a while, with no hint whether it exists", async ({ page }) => {
  const me = await makeUser("auditor");
  for (let i = 0; i < 5; i++) {
    await page.goto("/login");
    await page.getByLabel("Email").fill(me.email);
    await page.getByLabel("Password").fill(`wrong-${i}-password`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator('p[role="alert"]')).toBeVisible();
  }
  await page.goto("/login");
  await page.getByLabel("Email").fill(me.email);
  await page.getByLabel("Password").fill(me.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator('p[role="alert"]')).toHaveText(/Too many sign-in attempts/);
});

test("a disabled user's open session stops working on the next request", async ({ page, baseURL }) => {
  const victim = await makeUser("security_lead");
  await signIn(page, victim);
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  const cookieApi = await pwRequest.newContext({ baseURL, storageState: await page.context().storageState() });
  expect((await cookieApi.get("/api/v1/me")).status()).toBe(200);

  const admin = await makeUser("admin");
  const adminApi = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(admin)}` } });
  expect((await adminApi.patch(`/api/v1/users/${victim.id}`, { data: { disabled: true } })).status()).toBe(200);

  // Same browser, same cookie: the very next request is refused.
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/login/);
  expect((await cookieApi.get("/api/v1/me")).status()).toBe(401);
  // And they cannot sign back in.
  await page.getByLabel("Email").fill(victim.email);
  await page.getByLabel("Password").fill(victim.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator('p[role="alert"]')).toHaveText("Invalid email or password.");
  await cookieApi.dispose();
  await adminApi.dispose();
});

test("a password reset ends the user's open sessions", async ({ baseURL }) => {
  const user = await makeUser("operator");
  const session = await pwRequest.newContext({ baseURL });
  await signInApi(session, user);
  const admin = await makeUser("admin");
  const adminApi = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(admin)}` } });
  const res = await adminApi.post(`/api/v1/users/${user.id}/password`, { data: {} });
  expect(res.status()).toBe(200);
  const { data } = await res.json();
  expect(data.oneTimePassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
  expect((await session.get("/api/v1/me")).status()).toBe(401);
  await session.dispose();
  await adminApi.dispose();
});

test("the sign-in form never puts the password in the URL, even submitted before the page's script runs", async ({ browser, baseURL }) => {
  // No JavaScript: what a fast Enter press before hydration would send.
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  const requested: string[] = [];
  page.on("request", (r) => requested.push(r.url()));
  await page.goto("/login");
  await page.getByLabel("Email").fill("nobody@e2e.local");
  await page.getByLabel("Password").fill("pw-must-not-leak-123");
  await page.getByLabel("Password").press("Enter");
  await page.waitForLoadState();
  expect(requested.length).toBeGreaterThan(1);
  for (const url of [...requested, page.url()]) expect(url).not.toContain("pw-must-not-leak");
  await context.close();
});
