/**
 * Capability bundles: a security lead creates a bundle with tools and then narrows its tool set;
 * a manager can read the page but gets no editing forms (the actions refuse them anyway).
 */
import { randomUUID } from "node:crypto";
import { expect, makeUser, rid, signIn, sql, test } from "./fixtures";

test("a security lead creates a bundle and edits its tools", async ({ page }) => {
  const lead = await makeUser("security_lead");
  const name = `e2e-bundle-${rid()}`;
  await signIn(page, lead);
  await page.goto("/tools/bundles");
  await expect(page.getByRole("heading", { name: "Capability bundles", level: 1 })).toBeVisible();

  // An empty name is refused before anything is sent.
  const form = page.getByRole("form", { name: "New bundle" });
  await form.getByRole("button", { name: "Create bundle" }).click();
  await expect(form.getByText("Required.")).toBeVisible();

  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Description", { exact: true }).fill("Searches the web and reads files");
  await form.getByLabel("web_search", { exact: true }).check();
  await form.getByLabel("read", { exact: true }).check();
  await form.getByRole("button", { name: "Create bundle" }).click();
  await expect(form.getByRole("status")).toHaveText(`Bundle ${name} created.`);

  const bundle = page.getByRole("region", { name, exact: true });
  await expect(bundle).toContainText("Searches the web and reads files");
  await expect(bundle).toContainText("Not used by any agent");
  await expect(bundle.getByRole("link", { name: "web_search", exact: true })).toHaveAttribute("href", /^\/tools\/[0-9a-f-]{36}$/);
  await expect(bundle.getByRole("link", { name: "read", exact: true })).toBeVisible();

  // Narrow it to "read" only.
  const editor = page.getByRole("form", { name: `Tools of ${name}` });
  await expect(editor.getByLabel("web_search", { exact: true })).toBeChecked();
  await expect(editor.getByLabel("read", { exact: true })).toBeChecked();
  await editor.getByLabel("web_search", { exact: true }).uncheck();
  await editor.getByRole("button", { name: "Save" }).click();
  await expect(editor.getByRole("status")).toHaveText("Tools saved.");
  await expect(bundle.getByRole("link", { name: "web_search", exact: true })).toHaveCount(0);
  await expect(bundle.getByRole("link", { name: "read", exact: true })).toBeVisible();

  // It stuck: after a reload, and in the database.
  await page.reload();
  await expect(page.getByRole("region", { name, exact: true }).getByRole("link", { name: "read", exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name, exact: true }).getByRole("link", { name: "web_search", exact: true })).toHaveCount(0);
  const rows = await sql().query("select t.name from bundle_tools bt join tools t on t.id = bt.tool_id join capability_bundles b on b.id = bt.bundle_id where b.name = $1", [name]);
  expect(rows.rows.map((r) => r.name)).toEqual(["read"]);
});

test("a manager sees the bundles but cannot create or edit them", async ({ page }) => {
  const name = `e2e-bundle-${rid()}`;
  const id = randomUUID();
  await sql().query("insert into capability_bundles (id, name, description) values ($1, $2, 'seeded for the manager')", [id, name]);
  await sql().query("insert into bundle_tools (bundle_id, tool_id) select $1, id from tools where name = 'read'", [id]);

  const manager = await makeUser("manager");
  await signIn(page, manager);
  await page.goto("/tools/bundles");
  await expect(page.getByRole("heading", { name: "Capability bundles", level: 1 })).toBeVisible();
  const bundle = page.getByRole("region", { name, exact: true });
  await expect(bundle).toContainText("seeded for the manager");
  await expect(bundle.getByRole("link", { name: "read", exact: true })).toBeVisible();
  await expect(page.getByRole("form", { name: "New bundle" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: `Tools of ${name}` })).toHaveCount(0);
  await expect(page.getByRole("checkbox")).toHaveCount(0);
});
