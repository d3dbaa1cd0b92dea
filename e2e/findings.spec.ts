/** Findings from telemetry: a call to an unapproved tool becomes a finding; a lead dismisses it with a reason. */
import { randomUUID } from "node:crypto";
import { request as pwRequest } from "@playwright/test";
import { expect, makeToken, makeUser, rid, signIn, sql, test } from "./fixtures";

test("an unapproved tool call becomes a finding that a security lead can dismiss", async ({ page, baseURL }) => {
  const gw = randomUUID();
  const agent = randomUUID();
  const agentName = `finder-${rid()}`;
  const tool = `shady_${rid()}`;
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'openclaw','test',now())", [gw, `gw-${rid()}`]);
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, updated_at) values ($1,$2,'t','t','{}','{}','{}',$3,now())", [
    agent,
    agentName,
    gw,
  ]);
  await sql().query(
    "insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, tool_name, decision, egress_hosts) values (now() - interval '5 minutes', $1, $2, $3, $4, $5, 'blocked', '{}')",
    [gw, `e-${rid()}`, agent, agentName, tool],
  );

  const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
  const computed = await operator.post("/api/v1/findings/compute", { data: { sinceHours: 1 } });
  expect(computed.status()).toBe(200);
  await operator.dispose();

  await signIn(page, await makeUser("security_lead"));
  await page.goto(`/findings?q=${tool}`);
  const row = page.getByRole("row", { name: new RegExp(tool) });
  await expect(row).toContainText("Unapproved tool");
  await row.getByRole("button", { name: "Dismiss" }).click();
  await page.getByLabel("Reason (recorded in the audit trail)").fill("Test tool, removed from the gateway");
  await page.getByRole("button", { name: "Confirm: dismiss finding" }).click();
  await expect(page.getByText("Dismissed: Test tool, removed from the gateway")).toBeVisible();
  const f = await sql().query("select status, dismiss_reason from findings where tool_name = $1", [tool]);
  expect(f.rows).toEqual([{ status: "dismissed", dismiss_reason: "Test tool, removed from the gateway" }]);
});
