import { expect, makeUser, rid, signIn, sql, test } from "./fixtures";

test("a security lead registers an agent, sees its risky posture flagged, and edits it", async ({ page }) => {
  const lead = await makeUser("security_lead");
  await signIn(page, lead);
  await page.goto("/agents");
  await page.getByRole("link", { name: "Register an agent" }).click();
  const name = `chat-${rid()}`;
  const form = page.getByRole("form", { name: "Register an agent" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Owner").fill("Support team");
  await form.getByLabel("Purpose").fill("Answers website chat");
  await form.getByLabel("Scope").selectOption("external");
  await form.getByLabel("Credential references").fill("sk-live-0123456789abcdef");
  await form.getByRole("button", { name: "Register agent" }).click();
  await expect(form.getByText("Name the secret (e.g. SENDGRID_API_KEY), never its value.")).toBeVisible();
  await form.getByLabel("Credential references").fill("CHAT_API_KEY");
  await form.getByLabel("Exec mode").selectOption("full");
  await form.getByRole("button", { name: "Register agent" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("Unrestricted exec.")).toBeVisible();
  await expect(page.getByText("External-facing agent with exec.")).toBeVisible();

  const edit = page.getByRole("form", { name: "Edit agent" });
  await edit.getByLabel("Exec mode").selectOption("deny");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Unrestricted exec.")).toHaveCount(0);
  const row = await sql().query("select channels, credential_refs, posture from agents where name = $1", [name]);
  expect(row.rows[0]).toMatchObject({ credential_refs: ["CHAT_API_KEY"], posture: expect.objectContaining({ execMode: "deny" }) });
});

test("a manager cannot register agents", async ({ page }) => {
  await signIn(page, await makeUser("manager"));
  await page.goto("/agents");
  await expect(page.getByRole("link", { name: "Register an agent" })).toHaveCount(0);
  const res = await page.goto("/agents/new");
  expect(res!.status()).toBe(403);
});
