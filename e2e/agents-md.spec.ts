/** AGENTS.md interop in the browser: line-precise errors that change nothing, then a round trip. */
import { randomUUID } from "node:crypto";
import { expect, makeUser, rid, signIn, sql, test, wardenOrigin } from "./fixtures";

const doc = (name: string, extra = "") =>
  [
    "# Support agent",
    "",
    "Trust decisions for this agent.",
    "",
    "```yaml",
    "integrations:",
    `  - name: "${name}"`,
    '    provider: "Acme Mail"',
    '    reason: "Send ticket replies"',
    '    permissions: ["write:messages", "no:files"]',
    '    audit_date: "2026-05-17"',
    '    audit_result: "3 dependencies, all current"',
    extra,
    "```",
    "",
  ].join("\n");

test("a malformed AGENTS.md shows line-precise errors and changes nothing; a valid one round-trips", async ({ page }) => {
  const agentId = randomUUID();
  const agentName = `md-agent-${rid()}`;
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, updated_at) values ($1,$2,'t','t','{}','{}','{}',now())", [agentId, agentName]);
  const integration = `acme-mail-${rid()}`;
  const lead = await makeUser("security_lead");
  await signIn(page, lead);
  await page.goto(`/agents/import?agent=${agentId}`);

  // permissions as a string on line 10, and a bad date on line 11.
  const bad = doc(integration).replace('permissions: ["write:messages", "no:files"]', 'permissions: "write:messages"').replace('audit_date: "2026-05-17"', 'audit_date: "2026-13-45"');
  await page.getByLabel("AGENTS.md", { exact: true }).fill(bad);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByRole("button", { name: "line 10" })).toBeVisible();
  await expect(page.getByRole("button", { name: "line 11" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply" })).toBeDisabled();
  expect((await sql().query("select count(*)::int as n from integrations where name = $1", [integration])).rows[0].n).toBe(0);

  await page.getByLabel("AGENTS.md", { exact: true }).fill(doc(integration));
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByRole("region", { name: "Preview" })).toContainText(integration);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("region", { name: "Applied changes" })).toBeVisible();
  const rows = await sql().query("select i.id from integrations i join agent_integrations ai on ai.integration_id = i.id where i.name = $1 and ai.agent_id = $2", [integration, agentId]);
  expect(rows.rowCount).toBe(1);
  expect((await sql().query("select count(*)::int as n from audit_events where action = 'agents_md.import' and target_id = $1", [agentId])).rows[0].n).toBe(1);

  // Export, re-import: nothing to change.
  const exported = await (await page.request.get(`/api/v1/agents/${agentId}/agents-md`)).text();
  expect(exported).toContain(`name: "${integration}"`);
  const again = await page.request.post("/api/v1/agents-md/import", { data: { content: exported, agentId, dryRun: true }, headers: { Origin: wardenOrigin() } });
  expect(again.status()).toBe(200);
  const preview = (await again.json()).data.preview;
  expect(preview.changed).toBe(false);
});
