/**
 * Who may use what (issue 21): a security lead creates a group rule for an agent and tool, sees it
 * listed, and deletes it after confirming. The rule is audited and reaches the gateway's policy.
 */
import { randomUUID } from "node:crypto";
import { auditCount, expect, makeUser, rid, signIn, sql, test } from "./fixtures";

test("a security lead adds a group rule, sees it listed, and deletes it after confirming", async ({ page }) => {
  const lead = await makeUser("security_lead");
  const groupName = `finance-${rid()}`;
  const agentName = `ledger-${rid()}`;
  const tool = `payments.send_${rid()}`;
  const groupId = randomUUID();
  const gatewayId = randomUUID();
  await sql().query("insert into person_groups (id, name, updated_at) values ($1, $2, now())", [groupId, groupName]);
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1, $2, 'openclaw', 'test', now())", [gatewayId, `gw-${rid()}`]);
  await sql().query("insert into agents (id, name, external_id, owner, purpose, gateway_id, updated_at) values ($1, $2, $2, 'finance', 'ledger', $3, now())", [randomUUID(), agentName, gatewayId]);

  await signIn(page, lead);
  await page.goto("/people/rules");
  await expect(page.getByRole("heading", { name: "Who may use what", level: 1 })).toBeVisible();
  await expect(page.getByText("finance group may send payments", { exact: false })).toBeVisible();

  const form = page.getByRole("form", { name: "New rule" });
  await form.getByLabel("Who").selectOption("group");
  await form.getByLabel("Group").selectOption({ label: groupName });
  await form.getByLabel("Agent").selectOption({ label: agentName });
  await form.getByLabel("Tool").fill(tool);
  await form.getByLabel("Effect").selectOption("allow");
  await form.getByLabel("Reason").fill("finance sends payments");
  await form.getByRole("button", { name: "Add rule" }).click();

  const rules = page.getByRole("table", { name: "Rules" });
  const row = rules.getByRole("row").filter({ hasText: tool });
  await expect(row).toContainText(`group ${groupName}`);
  await expect(row).toContainText(agentName);
  await expect(row).toContainText("allow");
  const { rows } = await sql().query<{ id: string }>("select id from identity_rules where tool_name = $1", [tool]);
  expect(rows).toHaveLength(1);
  expect(await auditCount({ action: "identity_rule.create", targetId: rows[0]!.id })).toBe(1);

  // The same rule again is refused with a field error, and nothing is added.
  await form.getByLabel("Reason").fill("again");
  await form.getByLabel("Tool").fill(tool);
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByRole("alert").first()).toBeVisible();
  expect((await sql().query("select 1 from identity_rules where tool_name = $1", [tool])).rowCount).toBe(1);

  // Delete asks first; Cancel keeps it; confirming removes it.
  await row.getByRole("button", { name: `Delete rule for group ${groupName}` }).click();
  const confirm = row.getByRole("group", { name: "Confirm deletion" });
  await expect(confirm).toContainText("Delete this rule?");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: `Delete rule for group ${groupName}` }).click();
  await row.getByRole("group", { name: "Confirm deletion" }).getByRole("button", { name: "Delete", exact: true }).click();
  await expect(rules.getByRole("row").filter({ hasText: tool })).toHaveCount(0);
  expect((await sql().query("select 1 from identity_rules where tool_name = $1", [tool])).rowCount).toBe(0);
  expect(await auditCount({ action: "identity_rule.delete", targetId: rows[0]!.id })).toBe(1);
});

test("an operator sees the rules but no form or delete button", async ({ page }) => {
  await signIn(page, await makeUser("operator"));
  await page.goto("/people/rules");
  await expect(page.getByRole("heading", { name: "Who may use what", level: 1 })).toBeVisible();
  await expect(page.getByRole("form", { name: "New rule" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Delete/ })).toHaveCount(0);
});
