/**
 * The heart of Warden in the browser: a requester files a tool request, a security lead reviews
 * it with the checklist and approves, the tool appears in the agent's effective allowlist, and
 * revoking the approval removes it. Plus: self-approval is refused in the UI and the API.
 */
import { createHash, randomUUID } from "node:crypto";
import { request as pwRequest } from "@playwright/test";
import { expect, makeToken, makeUser, rid, signIn, sql, test } from "./fixtures";

async function makeAgent() {
  const id = randomUUID();
  const name = `agent-${rid()}`;
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, updated_at) values ($1,$2,'e2e team','e2e agent','{}','{}','{}',now())", [id, name]);
  return { id, name };
}

test("request → review with checklist → allowlist → revoke", async ({ browser }) => {
  test.setTimeout(120_000);
  const agent = await makeAgent();
  const toolName = `e2e-skill-${rid()}`;
  const hash = createHash("sha256").update(toolName).digest("hex");

  // An operator files the request.
  const operator = await makeUser("operator");
  const opCtx = await browser.newContext();
  const op = await opCtx.newPage();
  await signIn(op, operator);
  await op.goto("/tools");
  await op.getByRole("link", { name: "Request a tool" }).click();
  const form = op.getByRole("form", { name: "Request a tool" });
  await form.getByLabel("Tool name", { exact: true }).fill(toolName);
  await form.getByLabel("Publisher", { exact: true }).fill("e2e-labs");
  await form.getByLabel("Version", { exact: true }).fill("2.0.1");
  await form.getByLabel("Content hash (SHA-256)", { exact: true }).fill(hash);
  await form.getByLabel("Read files", { exact: true }).check();
  await form.getByLabel("Why is it needed?", { exact: true }).fill("Summarise the weekly SEO report for the team");
  await form.getByLabel(agent.name, { exact: true }).check();
  await form.getByRole("button", { name: "File request" }).click();
  await expect(op).toHaveURL(/\/tools\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = op.url();
  await expect(op.getByText("Waiting for a security lead.")).toBeVisible();
  await opCtx.close();

  // A security lead reviews it with the checklist.
  const lead = await makeUser("security_lead");
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, lead);
  await page.goto("/tools");
  await page.getByRole("link", { name: `${toolName} 2.0.1` }).click();
  const review = page.getByRole("form", { name: "Review" });
  // Approving without the checklist is refused with field errors. No outcome is chosen for the reviewer.
  await expect(review.getByLabel("Approve", { exact: true })).not.toBeChecked();
  await review.getByLabel("Approve", { exact: true }).check();
  await review.getByLabel("Reason (always required, kept forever)").fill("Publisher verified, no CVEs, deps clean");
  await review.getByRole("button", { name: "Record decision" }).click();
  await expect(review.getByText("Must be done before approving.").first()).toBeVisible();
  for (const label of [/Author identity verified/, /Vulnerability history checked/, /Dependency audit run/, /Permissions narrowed/]) await review.getByLabel(label).check();
  await review.getByLabel("Dependency audit result").fill("2 dependencies, all current");
  await review.getByRole("button", { name: "Record decision" }).click();
  await expect(page.getByTestId("decision")).toContainText(`by ${lead.email}`);
  await expect(page.getByTestId("decision")).toContainText("Publisher verified, no CVEs, deps clean");

  // The tool is on the agent's effective allowlist, pinned to the hash.
  await page.goto(`/agents/${agent.id}`);
  const row = page.getByRole("row", { name: new RegExp(toolName) });
  await expect(row).toContainText("allowed");
  await expect(row).toContainText(hash.slice(0, 12));
  const api = await pwRequest.newContext({ baseURL: page.url().replace(/\/agents.*$/, ""), extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(lead)}` } });
  const list = await (await api.get(`/api/v1/agents/${agent.id}/allowlist`)).json();
  expect(list.entries).toEqual([expect.objectContaining({ toolName, status: "allowed", versions: [expect.objectContaining({ version: "2.0.1", contentHash: hash })] })]);

  // Revoke: gone from the allowlist.
  await row.getByRole("link", { name: toolName }).click();
  await page.getByRole("button", { name: "Revoke approval" }).click();
  await page.getByLabel("Reason (recorded in the audit trail)").fill("Publisher account taken over");
  await page.getByRole("button", { name: "Confirm: revoke approval" }).click();
  await expect(page.getByTestId("decision")).toContainText("Revoked");
  await page.goto(`/agents/${agent.id}`);
  await expect(page.getByRole("row", { name: new RegExp(toolName) })).toContainText("denied");
  const after = await (await api.get(`/api/v1/agents/${agent.id}/allowlist`)).json();
  expect(after.entries[0]).toMatchObject({ status: "denied", versions: [] });
  expect(requestUrl).toContain("/tools/requests/");
  await api.dispose();
  await ctx.close();
});

test("self-approval is refused in the UI and the API", async ({ page, baseURL }) => {
  const lead = await makeUser("security_lead");
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(lead)}` } });
  const created = await api.post("/api/v1/tool-requests", {
    data: {
      tool: { name: `self-${rid()}`, kind: "tool", source: "npm", publisher: "me" },
      version: "1.0.0",
      contentHash: "a".repeat(64),
      permissions: {},
      justification: "I want to approve this myself",
    },
  });
  expect(created.status()).toBe(201);
  const { data } = await created.json();
  const decide = await api.post(`/api/v1/tool-requests/${data.id}/decision`, {
    data: {
      outcome: "approve",
      reason: "Approving my own request",
      checklist: { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "ok", permissionsNarrowed: true, credEgressFlagged: true },
    },
  });
  expect(decide.status()).toBe(403);
  expect((await decide.json()).error.message).toContain("someone else");
  const denied = await sql().query("select count(*)::int as n from audit_events where action = 'tool_request.decide' and outcome = 'denied' and target_id = $1", [data.id]);
  expect(denied.rows[0].n).toBe(1);

  await signIn(page, lead);
  await page.goto(`/tools/requests/${data.id}`);
  await expect(page.getByText("You filed this request, so another security lead must review it.")).toBeVisible();
  await expect(page.getByRole("form", { name: "Review" })).toHaveCount(0);
  await api.dispose();
});

test("tools list filters on the server, keeps them in the URL and exports the view as CSV", async ({ page }) => {
  const manager = await makeUser("manager");
  await signIn(page, manager);
  await page.goto("/tools");
  await page.getByLabel("Kind").selectOption("mcp_server");
  await expect(page).toHaveURL(/kind=mcp_server/);
  await expect(page.getByRole("link", { name: "github-mcp" })).toBeVisible();
  await expect(page.getByRole("link", { name: "web_search" })).toHaveCount(0);
  const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
  expect(href).toContain("kind=mcp_server");
  const csv = await (await page.request.get(href!)).text();
  expect(csv.split("\r\n")[0]).toBe(`"name","kind","source","publisher","verified","version","contentHash","state"`); // every text cell quoted
  expect(csv).toContain("github-mcp");
  expect(csv).not.toContain("web_search");
});
