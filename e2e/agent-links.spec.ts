/**
 * Agents talking to agents in the console: an edge seen at ingestion shows on the agent page and
 * the map as unapproved; a security lead approves the pair (reason, audited), the edge turns
 * approved and the gateway's policy lists the peer; revoking asks for confirmation. An operator
 * sees the edge but no approve button, and the server action refuses it.
 */
import { randomUUID } from "node:crypto";
import { auditCount, callAction, expect, makeUser, rid, signIn, signInApi, sql, test } from "./fixtures";

test("a security lead approves and revokes an agent → agent pair from the agent page; the map shows it", async ({ page, request }) => {
  const gw = randomUUID();
  const [alpha, beta] = [randomUUID(), randomUUID()];
  const names = { alpha: `alpha-${rid()}`, beta: `beta-${rid()}` };
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'openclaw','test',now())", [gw, `gw-${rid()}`]);
  for (const [id, name, ext] of [
    [alpha, names.alpha, "alpha"],
    [beta, names.beta, "beta"],
  ]) {
    await sql().query(
      "insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, external_id, updated_at) values ($1,$2,'t','t','{}','{}','{}',$3,$4,now())",
      [id, name, gw, ext],
    );
  }
  // Two calls of alpha that reached beta (the insert trigger keeps the edge).
  for (const decision of ["allowed", "blocked"]) {
    await sql().query(
      "insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, tool_name, decision, egress_hosts, target_agent_id) values (now() - interval '2 minutes', $1, $2, $3, 'alpha', 'sessions_send', $4, '{}', 'beta')",
      [gw, `e-${rid()}`, alpha, decision],
    );
  }

  // An operator sees the link but may not approve it (no button; the server action refuses).
  const operator = await makeUser("operator");
  await signIn(page, operator);
  await page.goto(`/agents/${alpha}`);
  const reaches = page.getByRole("table", { name: "Agents it reaches" });
  const row = reaches.getByRole("row", { name: new RegExp(names.beta) });
  await expect(row.getByText("not approved", { exact: true })).toBeVisible();
  await expect(row).toContainText("2 (1 blocked)");
  await expect(row.getByRole("button", { name: "Approve pair" })).toHaveCount(0);
  await signInApi(request, operator);
  const refused = await callAction(request, "approveAgentLink", { fromAgentId: alpha, toAgentId: beta, reason: "Operator tries anyway" });
  expect(refused.result).toMatchObject({ ok: false, status: 403 });
  expect(
    await sql()
      .query("select 1 from agent_link_approvals where from_agent_id = $1", [alpha])
      .then((r) => r.rowCount),
  ).toBe(0);

  const lead = await makeUser("security_lead");
  await page.context().clearCookies();
  await signIn(page, lead);
  await page.goto(`/agents/${alpha}`);
  await row.getByRole("button", { name: "Approve pair" }).click();
  await page.getByLabel("Reason (recorded in the audit trail)").fill("Alpha hands billing questions to beta");
  await page.getByRole("button", { name: "Confirm: approve pair" }).click();
  await expect(row.getByText("approved", { exact: true })).toBeVisible();
  await expect(row).toContainText("Alpha hands billing questions to beta");
  expect(await auditCount({ action: "agent_link.approve", actorLabel: lead.email })).toBe(1);

  // The signed policy of the gateway now lists beta as alpha's peer.
  const pol = await sql().query("select stale from gateway_policies where gateway_id = $1", [gw]);
  expect(pol.rows).toEqual([{ stale: true }]);

  // The map draws the edge as approved, with its calls.
  await page.goto(`/map?agent=${alpha}`);
  const edge = page.getByRole("table", { name: "Connections of the ecosystem map" }).getByRole("row", { name: new RegExp(`${names.alpha}.*reaches.*${names.beta}`) });
  await expect(edge.getByText("approved", { exact: true })).toBeVisible();
  await expect(edge).toContainText("2 calls (1 blocked)");

  // Revoking asks for a reason and a confirmation.
  await page.goto(`/agents/${alpha}`);
  await row.getByRole("button", { name: "Revoke pair" }).click();
  await expect(page.getByText(`${names.alpha} will no longer be allowed to reach ${names.beta}.`)).toBeVisible();
  await page.getByLabel("Reason (recorded in the audit trail)").fill("Billing moved to another team");
  await page.getByRole("button", { name: "Confirm: revoke pair" }).click();
  await expect(row.getByText("not approved", { exact: true })).toBeVisible();
  expect(await auditCount({ action: "agent_link.revoke", actorLabel: lead.email })).toBe(1);
  expect(
    await sql()
      .query("select 1 from agent_link_approvals where from_agent_id = $1", [alpha])
      .then((r) => r.rowCount),
  ).toBe(0);
});
