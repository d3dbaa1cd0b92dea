/**
 * Inventory (issue 18 §2): a gateway's report appears on its page as readable tables with registry
 * status, its history with what changed, and reconciliation findings; "Register it" turns an agent
 * the gateway reports into a registry agent pre-filled from the inventory and resolves its finding.
 */
import { randomUUID } from "node:crypto";
import { signedHeaders } from "../lib/connector/signature";
import { expect, makeUser, rid, signIn, sql, test } from "./fixtures";
import { registerSimGateway } from "./sim-gateway";

const H = (c: string) => c.repeat(64);

async function approvedSkill(name: string, hash: string, deciderId: string) {
  const tool = randomUUID();
  const version = randomUUID();
  await sql().query("insert into tools (id, name, kind, source, publisher, updated_at) values ($1,$2,'skill','clawhub','acme',now())", [tool, name]);
  await sql().query("insert into tool_versions (id, tool_id, version, content_hash) values ($1,$2,'1.0.0',$3)", [version, tool, hash]);
  await sql().query("insert into trust_decisions (id, tool_version_id, decider_id, outcome, checklist, reason) values ($1,$2,$3,'approve','{}','reviewed')", [randomUUID(), version, deciderId]);
  return tool;
}

test("the gateway page shows the inventory readable with registry status and history; Register it pre-fills the agent and resolves its finding", async ({ page, baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  const lead = await makeUser("security_lead");
  const approved = `notes-${rid()}`;
  const unknown = `scraper-${rid()}`;
  const agentId = `ops-${rid()}`;
  await approvedSkill(approved, H("a"), lead.id);

  const push = async (inv: unknown) => {
    const body = JSON.stringify(inv);
    const res = await fetch(`${baseURL}/api/v1/connector/inventory`, {
      method: "POST",
      headers: { ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(202);
  };
  const first = {
    openclaw: { version: "2026.9.6", buildHash: H("0") },
    agents: [
      {
        id: agentId,
        name: "Ops bot",
        model: "openai/gpt-5",
        fallbackModels: ["openai/gpt-5-mini"],
        execMode: "allowlist",
        canDelegate: false,
        workspaceOnly: true,
        sandbox: "non-main",
        tools: ["read", "exec"],
      },
    ],
    tools: [{ name: "read", source: "builtin", version: "2026.9.6", hash: H("0"), enabled: true }],
    skills: [{ name: approved, hash: H("a"), enabled: true, agents: [agentId] }],
    plugins: [{ name: "warden", version: "0.4.0", enabled: true }],
    mcpServers: [{ name: "files", transport: "stdio", command: "node", args: ["server.js"], enabled: true }],
    channels: [{ id: "slack", enabled: true, connected: true }],
    cronJobs: [{ id: "nightly", name: "Nightly digest", enabled: true }],
  };
  await push(first);
  // The approved skill's files change, and an unknown skill appears.
  await push({
    ...first,
    skills: [
      { name: approved, hash: H("b"), enabled: true, agents: [agentId] },
      { name: unknown, hash: H("c"), enabled: true },
    ],
  });

  await signIn(page, lead);
  await page.goto(`/gateways/${gw.id}`);
  // Readable, not raw JSON; the old misleading text is gone.
  await expect(page.getByText("appear when the gateway reports its inventory")).toHaveCount(0);
  await expect(page.getByText('"agents":')).toHaveCount(0);
  await expect(page.getByLabel("OpenClaw build")).toContainText("2026.9.6");
  const drifted = page.getByTestId(`inv-skills-${approved}`);
  await expect(drifted).toContainText("hash drift");
  await expect(drifted).toContainText(agentId);
  await expect(drifted.locator(`code[title="${H("b")}"]`)).toHaveText(`${H("b").slice(0, 12)}…`);
  await expect(page.getByTestId(`inv-skills-${unknown}`)).toContainText("not in registry");
  await expect(page.getByTestId("inv-mcp-files")).toContainText("node server.js");
  await expect(page.getByTestId(`inv-agent-${agentId}`)).toContainText("not in registry");

  // History: two entries, the newest saying what changed.
  const history = page.getByTestId("inventory-history-entry");
  await expect(history).toHaveCount(2);
  await expect(history.first()).toContainText("skills: 1 added, 1 changed");
  await history.first().getByText("What changed").click();
  await expect(history.first()).toContainText(`added ${unknown}`);

  // Findings link to their fix.
  const open = await sql().query("select kind, detail->>'fixUrl' as fix from findings where gateway_id = $1 and status = 'open' order by kind", [gw.id]);
  expect(open.rows.map((r) => r.kind)).toEqual(expect.arrayContaining(["hash_drift", "unapproved_item", "unregistered_agent"]));

  // Register it: the form is pre-filled from the inventory.
  await page
    .getByTestId(`inv-agent-${agentId}`)
    .getByRole("link", { name: `Register ${agentId}` })
    .click();
  await expect(page).toHaveURL(new RegExp(`/agents/new\\?gateway=${gw.id}&agent=${agentId}`));
  const form = page.getByRole("form", { name: "Register an agent" });
  await expect(form.getByLabel("ID on the gateway")).toHaveValue(agentId);
  await expect(form.getByLabel("Name")).toHaveValue(agentId);
  await expect(form.getByLabel("Model", { exact: true })).toHaveValue("openai/gpt-5");
  await expect(form.getByLabel("Fallback models")).toHaveValue("openai/gpt-5-mini");
  await expect(form.getByLabel("Exec mode")).toHaveValue("allowlist");
  await expect(form.getByLabel("Sandbox mode")).toHaveValue("non-main");
  await form.getByLabel("Owner").fill("platform team");
  await form.getByLabel("Purpose").fill("Runs operations on the e2e gateway");
  await form.getByRole("button", { name: "Register agent" }).click();
  await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("reported-by")).toContainText(`Reported by ${gw.name}`);
  await expect(page.getByLabel("Reported posture")).toContainText("non-main");

  const f = await sql().query("select status, detail->>'resolvedNote' as note from findings where gateway_id = $1 and kind = 'unregistered_agent'", [gw.id]);
  expect(f.rows).toEqual([{ status: "resolved", note: `Registered as ${agentId}.` }]);

  // Back on the gateway page the agent links to the registry.
  await page.goto(`/gateways/${gw.id}`);
  await expect(page.getByTestId(`inv-agent-${agentId}`).getByRole("link", { name: agentId })).toBeVisible();
});

test("a security lead records an advisory; affected gateways get a finding; an operator sees no form", async ({ page, baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  const body = JSON.stringify({ agents: [], tools: [], openclaw: { version: "2026.9.6" } });
  expect(
    (await fetch(`${baseURL}/api/v1/connector/inventory`, { method: "POST", headers: { ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" }, body }))
      .status,
  ).toBe(202);

  await signIn(page, await makeUser("operator"));
  await page.goto("/gateways/advisories");
  await expect(page.getByRole("form", { name: "Record an advisory" })).toHaveCount(0);

  await page.context().clearCookies();
  await signIn(page, await makeUser("security_lead"));
  await page.goto("/gateways/advisories");
  const form = page.getByRole("form", { name: "Record an advisory" });
  await form.getByLabel("Affected versions").fill("not a range");
  const title = `Sandbox escape ${rid()}`;
  await form.getByLabel("Title").fill(title);
  await form.getByRole("button", { name: "Record advisory" }).click();
  await expect(form.getByText("Not a version range semver can read")).toBeVisible();
  await form.getByLabel("Affected versions").fill(">=2026.9.0 <2026.9.7");
  await form.getByRole("button", { name: "Record advisory" }).click();
  await expect(page.getByRole("row", { name: new RegExp(title) })).toBeVisible();
  const f = await sql().query("select status, severity from findings where gateway_id = $1 and kind = 'advisory'", [gw.id]);
  expect(f.rows).toEqual([{ status: "open", severity: "high" }]);
});
