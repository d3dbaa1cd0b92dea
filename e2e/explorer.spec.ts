/** The tool-call explorer: filters, the detail drawer (params never for managers), agents-by-tool. */
import { randomUUID } from "node:crypto";
import { expect, makeUser, rid, signIn, sql, test } from "./fixtures";

async function seedCalls() {
  const gw = randomUUID();
  const agentA = randomUUID();
  const tool = `probe_${rid()}`;
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'openclaw','test',now())", [gw, `gw-${rid()}`]);
  const agentName = `probe-agent-${rid()}`;
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, updated_at) values ($1,$2,'t','t','{}','{}','{}',$3,now())", [
    agentA,
    agentName,
    gw,
  ]);
  const now = Date.now();
  for (let i = 0; i < 3; i++) {
    await sql().query(
      "insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, tool_name, params, decision, block_reason, egress_hosts) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,'{}')",
      [
        new Date(now - (i + 1) * 60_000),
        gw,
        `e-${rid()}`,
        i < 2 ? agentA : null,
        i < 2 ? "probe-a" : "probe-b",
        tool,
        JSON.stringify({ query: `secret-marker-${i}` }),
        i === 2 ? "blocked" : "allowed",
        i === 2 ? "not on allowlist" : null,
      ],
    );
  }
  return { tool, agentName };
}

test("operators see parameters in the drawer; managers never do; agents-by-tool answers", async ({ browser }) => {
  const { tool } = await seedCalls();
  for (const role of ["operator", "manager"] as const) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, await makeUser(role));
    await page.goto(`/tool-calls?tool=${tool}`);
    await expect(page.getByText("3 rows")).toBeVisible();
    await page.locator("button[data-call-open]").first().click();
    const drawer = page.getByRole("dialog");
    await expect(drawer).toBeVisible();
    if (role === "operator") await expect(drawer).toContainText("secret-marker-");
    else {
      await expect(drawer).toContainText("Parameters are hidden for your role.");
      expect(await page.content()).not.toContain("secret-marker-");
    }
    await page.keyboard.press("Escape");
    await expect(drawer).toHaveCount(0);

    await page.getByLabel("Tool name").fill(tool);
    await page.getByRole("button", { name: "Show agents" }).click();
    await expect(page.getByText(`2 agents called ${tool} in the last 24 hours`)).toBeVisible();
    await ctx.close();
  }
});

test("agents-by-tool API and blocked filter", async ({ page }) => {
  const { tool, agentName } = await seedCalls();
  await signIn(page, await makeUser("auditor"));
  const res = await page.request.get(`/api/v1/tool-calls/agents-by-tool?tool=${tool}&since=24h`);
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.agents.map((a: { agentName: string; calls: number; blocked: number }) => [a.agentName, a.calls, a.blocked]).sort()).toEqual([
    [agentName, 2, 0],
    ["probe-b", 1, 1],
  ]);
  // A registered agent is listed once, under its registry name; unregistered ones by the reported name.
  expect((await page.request.get(`/api/v1/tool-calls/agents-by-tool?tool=${tool}&since=90d`)).status()).toBe(400);
  await page.goto(`/tool-calls?tool=${tool}&decision=blocked`);
  await expect(page.getByText("1 row", { exact: true })).toBeVisible();
  await expect(page.getByText("not on allowlist").first()).toBeVisible();
});
