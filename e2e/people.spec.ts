/**
 * Who asked (issue 21): a security lead adds a person with a sender identity; a call a gateway
 * reports with that sender as its requester shows the person in the explorer (column, filter, call
 * drawer with the chain) and on the person's page.
 */
import { randomUUID } from "node:crypto";
import { signedHeaders } from "../lib/connector/signature";
import { auditCount, expect, makeUser, rid, signIn, test } from "./fixtures";
import { addAgent, registerSimGateway } from "./sim-gateway";

test.describe.configure({ timeout: 120_000 });

test("a security lead adds a person with an identity; a call with that requester shows who asked in the explorer and on the person page", async ({ page, baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  const agent = await addAgent(gw.id);
  const lead = await makeUser("security_lead");
  const name = `Ana Ledger ${rid()}`;
  const senderId = `${Date.now()}`;
  const tool = `pay_${rid()}`;

  await signIn(page, lead);
  await page.goto("/people");
  await page.getByRole("link", { name: "Add a person" }).first().click();
  await expect(page).toHaveURL(/\/people\/new$/);
  // A bad identity is refused with a field error and nothing is created.
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Channel").fill("tele gram");
  await page.getByLabel("Sender id").fill(senderId);
  await page.getByRole("button", { name: "Add person" }).click();
  await expect(page.getByText("Letters, digits, - _ . : only (e.g. telegram).")).toBeVisible();
  await page.getByLabel("Channel").fill("Telegram");
  await page.getByLabel("Account").fill("default");
  await page.getByRole("button", { name: "Add person" }).click();
  await expect(page).toHaveURL(/\/people\/[0-9a-f-]{36}$/);
  const personId = page.url().split("/").pop()!;
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByRole("list", { name: "Sender identities" })).toContainText(`telegram / default / ${senderId}`);
  expect(await auditCount({ action: "person.create", targetId: personId, outcome: "success" })).toBe(1);

  // The gateway reports a delegated call asked for by that sender.
  const text = JSON.stringify({
    events: [
      {
        eventId: `call-${randomUUID()}.decision`,
        occurredAt: new Date().toISOString(),
        agentId: `ext-${agent.name}`,
        agentName: agent.name,
        toolName: tool,
        decision: "allowed",
        requester: { channel: "telegram", accountId: "default", senderId, senderIsOwner: false },
        chain: ["orchestrator", `ext-${agent.name}`],
        tier: "subagent",
      },
      { eventId: `call-${randomUUID()}.decision`, occurredAt: new Date().toISOString(), agentName: agent.name, toolName: tool, decision: "allowed" },
    ],
  });
  const res = await fetch(`${baseURL}/api/v1/connector/events`, {
    method: "POST",
    headers: { ...signedHeaders(gw.secret, text), "x-warden-gateway": gw.id, "content-type": "application/json" },
    body: text,
  });
  expect(res.status).toBe(202);

  // The explorer: the person in the "Who asked" column, the other call without a requester.
  await page.goto(`/tool-calls?tool=${tool}&range=1h`);
  const rows = page.locator("tr[data-call-row]");
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole("columnheader", { name: "Who asked" })).toBeVisible();
  await expect(rows.filter({ hasText: name })).toHaveCount(1);
  await expect(rows.filter({ hasText: "no requester" })).toHaveCount(1);
  await expect(rows.filter({ hasText: name })).toContainText(`via orchestrator → ext-${agent.name}`);

  // Filtered by the person: only their call; the drawer shows the requester and the chain.
  await page.getByLabel("Who asked").selectOption({ label: name });
  await expect(page).toHaveURL(new RegExp(`person=${personId}`));
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("button").first().click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("link", { name })).toHaveAttribute("href", `/people/${personId}`);
  await expect(drawer).toContainText(`telegram / default / ${senderId}`);
  const chain = drawer.getByRole("list", { name: "Delegation chain" });
  await expect(chain).toContainText("orchestrator");
  await expect(chain.getByRole("link", { name: agent.name })).toHaveAttribute("href", /\/agents\/[0-9a-f-]{36}$/);
  await page.keyboard.press("Escape");

  // The person's page lists the call and links to the explorer filtered by them.
  await page.goto(`/people/${personId}`);
  const recent = page.getByRole("table", { name: "Recent calls this person asked for" });
  await expect(recent).toContainText(tool);
  await expect(recent).toContainText(`orchestrator → ext-${agent.name}`);
  await expect(page.getByRole("link", { name: "Open in the explorer" })).toHaveAttribute("href", `/tool-calls?person=${personId}&range=30d`);

  // The people list shows the identity count and the last call.
  await page.goto(`/people?q=${encodeURIComponent(senderId)}`);
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("just now");
});
