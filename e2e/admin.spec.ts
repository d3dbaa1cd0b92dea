import { request as pwRequest } from "@playwright/test";
import { auditCount, expect, makeToken, makeUser, rid, signIn, sql, test } from "./fixtures";

test("an admin invites a user, who signs in with the one-time password", async ({ page, browser }) => {
  const admin = await makeUser("admin");
  await signIn(page, admin);
  await page.getByRole("link", { name: "Admin" }).click();
  const email = `invited-${rid()}@e2e.local`;
  const form = page.getByRole("form", { name: "Add a user" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Name").fill("Invited Person");
  await form.getByLabel("Role").selectOption("auditor");
  await form.getByRole("button", { name: "Create user" }).click();
  const oneTime = (await page.getByTestId("one-time-password").textContent())!.trim();
  expect(oneTime).toMatch(/^[A-Za-z0-9_-]{20}$/);
  await expect(page.getByRole("cell", { name: `Invited Person ${email}` })).toBeVisible();

  const other = await browser.newContext();
  const p2 = await other.newPage();
  await signIn(p2, { id: "", email, password: oneTime, role: "auditor" });
  await expect(p2.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit & evidence" })).toBeVisible();
  await other.close();

  // The trail shows who created whom.
  await page.goto(`/audit?actor=${encodeURIComponent(admin.email)}&action=user.create`);
  await expect(page.getByRole("cell", { name: admin.email })).toBeVisible();
});

test("the form shows field errors and creates nothing for bad input", async ({ page }) => {
  const admin = await makeUser("admin");
  await signIn(page, admin);
  await page.goto("/admin/users");
  const form = page.getByRole("form", { name: "Add a user" });
  await form.getByLabel("Email").fill("not-an-email");
  await form.getByLabel("Password (optional)").fill("short");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByText("Not a valid email address.")).toBeVisible();
  await expect(form.getByText("At least 12 characters.")).toBeVisible();
  await expect(form.getByText("Required.")).toBeVisible();
  expect((await sql().query("select count(*)::int as n from users where email = 'not-an-email'")).rows[0].n).toBe(0);
});

test("bad API input gets 400 with field errors and writes nothing", async ({ baseURL }) => {
  const admin = await makeUser("admin");
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(admin)}` } });
  const email = `bad-${rid()}@e2e.local`;
  const cases: [unknown, string[]][] = [
    [{}, ["email", "name", "role"]],
    [{ email, name: 7, role: "superuser" }, ["name", "role"]],
    [{ email, name: "x".repeat(121), role: "admin", password: "p".repeat(201) }, ["name", "password"]],
  ];
  const before = await auditCount({ action: "user.create", actorLabel: `${admin.email} (token)` });
  for (const [body, fields] of cases) {
    const res = await api.post("/api/v1/users", { data: body });
    expect(res.status()).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("invalid");
    expect(Object.keys(error.fieldErrors).sort()).toEqual(fields.sort());
  }
  const notJson = await api.post("/api/v1/users", { headers: { "content-type": "application/json" }, data: "{not json" });
  expect(notJson.status()).toBe(400);
  const huge = await api.post("/api/v1/users", { data: { email, name: "x".repeat(300_000), role: "admin" } });
  expect(huge.status()).toBe(400);
  expect((await sql().query("select count(*)::int as n from users where email = $1", [email])).rows[0].n).toBe(0);
  expect(await auditCount({ action: "user.create", actorLabel: `${admin.email} (token)` })).toBe(before);
  await api.dispose();
});

test("a personal API token is shown once, works with the owner's role, and can be revoked", async ({ page, baseURL }) => {
  const auditor = await makeUser("auditor");
  await signIn(page, auditor);
  await page.getByRole("link", { name: "Account & tokens" }).click();
  await page.getByLabel("Name").fill("export-bot");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  expect(token).toMatch(/^wdn_/);
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  expect(await (await api.get("/api/v1/me")).json()).toMatchObject({ role: "auditor", kind: "api_token" });
  expect((await api.get("/api/v1/audit/verify")).status()).toBe(200);
  expect((await api.get("/api/v1/users")).status()).toBe(403);
  // Not visible again after a reload; only the prefix is listed.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByText(token.slice(0, 10) + "…")).toBeVisible();
  expect(await page.content()).not.toContain(token);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("revoked")).toBeVisible();
  expect((await api.get("/api/v1/me")).status()).toBe(401);
  await api.dispose();
});

test("the audit page lists events and the chain verifies", async ({ page }) => {
  const lead = await makeUser("security_lead");
  await signIn(page, lead);
  await page.getByRole("link", { name: "Audit & evidence" }).click();
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  // Other tests add events concurrently; filter for the first-run seed event.
  await page.getByRole("combobox", { name: /^Action/ }).selectOption("seed.");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=seed\./);
  await expect(page.getByRole("cell", { name: "seed.demo_fleet success" })).toBeVisible();
  await expect(page.getByText("1 events")).toBeVisible();
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByText(/Chain intact: [\d,]+ events verified/)).toBeVisible();
});
