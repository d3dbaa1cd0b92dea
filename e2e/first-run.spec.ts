/**
 * What a new user meets in the first ten minutes (issue 20 §2), in a real browser at 1440 px:
 * every console page each role can open renders without console errors or failed requests and
 * without horizontal overflow; the 404 page is clean too; one sidebar entry is highlighted; no stale
 * "not wired yet" copy; an escalation banner says what happened and clears after release; an
 * integration flagged by an advisory is due now everywhere; an incident opened days after its
 * finding shows the call that raised it and no unrelated finding; a conditional approval reads as
 * text without overflowing the tool page.
 */
import { createHash, randomUUID } from "node:crypto";
import { request as pwRequest, type Page } from "@playwright/test";
import { expect, makeToken, makeUser, rid, signIn, sql, test, ROLES, type Role } from "./fixtures";
import { ROLE_SCOPES } from "../lib/auth/roles";
import { NAV } from "../components/shell/nav";

const VIEWPORT = { width: 1440, height: 900 };

/** Console errors, page errors and failed requests (4xx/5xx) while `page` is open. */
function watch(page: Page) {
  const problems: string[] = [];
  let at = "";
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`${at}: console error: ${m.text().slice(0, 300)}`);
  });
  page.on("pageerror", (e) => problems.push(`${at}: page error: ${e.message.slice(0, 300)}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${at}: HTTP ${r.status()} ${new URL(r.url()).pathname}`);
  });
  return { problems, setAt: (p: string) => (at = p) };
}

async function overflowOf(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** One id of each detail page the demo seed holds (or null). */
async function detailPages(): Promise<{ path: string; scope: (typeof ROLE_SCOPES)["admin"][number] }[]> {
  const one = async (q: string) => ((await sql().query(q)).rows[0]?.id as string | undefined) ?? null;
  const rows: [string | null, string, (typeof ROLE_SCOPES)["admin"][number]][] = [
    [await one("select id from agents order by name limit 1"), "/agents/", "registry:read"],
    [await one("select id from tools order by name limit 1"), "/tools/", "registry:read"],
    [await one("select id from integrations order by name limit 1"), "/integrations/", "registry:read"],
    [await one("select id from data_flows order by created_at limit 1"), "/data-flows/", "registry:read"],
    [await one("select id from gateways order by name limit 1"), "/gateways/", "registry:read"],
    [await one("select id from playbooks order by name limit 1"), "/playbooks/", "registry:read"],
  ];
  return [
    ...rows.filter(([id]) => id).map(([id, prefix, scope]) => ({ path: `${prefix}${id}`, scope })),
    { path: "/tools/bundles", scope: "registry:read" },
    { path: "/gateways/advisories", scope: "registry:read" },
    { path: "/spend/models", scope: "dashboard:read" },
    { path: "/audit/evidence/verify", scope: "audit:read" },
    { path: "/account", scope: "tokens:own" },
  ];
}

for (const role of ROLES) {
  test(`as ${role}: every page the role can open loads without console errors, failed requests or overflow at 1440 px`, async ({ browser }) => {
    test.setTimeout(240_000);
    const scopes = ROLE_SCOPES[role as Role];
    const pages = [...NAV.filter((n) => scopes.includes(n.scope)).map((n) => ({ path: n.href, scope: n.scope })), ...(await detailPages()).filter((p) => scopes.includes(p.scope))];
    const ctx = await browser.newContext({ viewport: VIEWPORT });
    const page = await ctx.newPage();
    await signIn(page, await makeUser(role as Role));
    const w = watch(page);
    const overflow: string[] = [];
    const highlighted: string[] = [];
    for (const { path } of pages) {
      w.setAt(path);
      await page.goto(path, { waitUntil: "load" });
      await expect(page.locator("h1").first()).toBeVisible();
      await page.waitForTimeout(100);
      const o = await overflowOf(page);
      if (o > 0) overflow.push(`${path}: ${o}px wider than the viewport`);
      const active = await page.locator('nav[aria-label="Main"] [aria-current="page"]').allTextContents();
      if (path !== "/account" && active.length !== 1) highlighted.push(`${path}: ${JSON.stringify(active)}`);
    }
    expect(w.problems, "console errors and failed requests").toEqual([]);
    expect(overflow, "horizontal overflow at 1440 px").toEqual([]);
    expect(highlighted, "exactly one sidebar entry highlighted").toEqual([]);
    await ctx.close();
  });
}

test("the 404 page logs no console errors; the evidence exports page highlights one sidebar entry; no stale 'not wired' copy", async ({ page }) => {
  await page.setViewportSize(VIEWPORT);
  await signIn(page, await makeUser("admin"));
  const w = watch(page);
  w.setAt("/no-such-page");
  const res = await page.goto(`/no-such-page-${rid()}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await page.waitForTimeout(500);
  // The document's own 404 is the expected answer; nothing else may fail or log an error.
  expect(w.problems.filter((p) => !/HTTP 404 \/no-such-page|the server responded with a status of 404/.test(p))).toEqual([]);
  // Its scripts ran (they carry the nonce): the client-side link works.
  await page.getByRole("link", { name: "Back to the overview" }).click();
  await expect(page).toHaveURL(/\/$/);

  await page.goto("/audit/evidence");
  await expect(page.locator('nav[aria-label="Main"] [aria-current="page"]')).toHaveText(["Evidence exports"]);
  await page.goto("/audit");
  await expect(page.locator('nav[aria-label="Main"] [aria-current="page"]')).toHaveText(["Audit & evidence"]);

  await page.goto("/gateways");
  await expect(page.getByRole("heading", { name: "Gateways", level: 1 })).toBeVisible();
  await expect(page.locator("main")).not.toContainText(/not wired|coming soon|lands with/i);
  await expect(page.getByRole("link", { name: "Kill switches" })).toHaveAttribute("href", "/containment");
});

test("an escalation banner names the gateway (linked), says no webhook was told, and clears once the kill switch is released", async ({ page }) => {
  const gwId = randomUUID();
  const gwName = `e2e-silent-${rid()}`;
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'generic','e2e',now())", [gwId, gwName]);
  const actionId = randomUUID();
  const label = `e2e-tool-${rid()}`;
  await sql().query("insert into containment_actions (id, scope, target, action, reason, status, source, affected) values ($1,'tool',$2,'deny_tool','e2e escalation','active','manual',$3)", [
    actionId,
    label,
    JSON.stringify({ label, gateways: [{ id: gwId, name: gwName }], agents: [] }),
  ]);
  const cmdId = randomUUID();
  await sql().query(
    "insert into gateway_commands (id, action_id, gateway_id, kind, state, attempts, delivered_at, escalated_at, created_at) values ($1,$2,$3,'apply','timed_out',3,now() - interval '2 minutes',now() - interval '1 minute',now() - interval '3 minutes')",
    [cmdId, actionId, gwId],
  );
  const webhooks = (await sql().query("select count(*)::int as n from webhook_endpoints where enabled and (events = '{}' or 'containment.escalated' = any(events))")).rows[0].n as number;

  await page.setViewportSize(VIEWPORT);
  await signIn(page, await makeUser("operator"));
  await page.goto("/containment");
  const banner = page.getByTestId("escalation-banner");
  const item = banner.getByRole("listitem").filter({ hasText: gwName });
  await expect(item).toContainText(`did not acknowledge deny tool ${label}`);
  if (webhooks === 0) {
    await expect(banner).toContainText("No webhooks configured for escalations, so nobody was notified by webhook.");
    // An operator cannot manage webhooks: no link to a page they would be refused.
    await expect(banner.getByRole("link", { name: "add one" })).toHaveCount(0);
  }
  await expect(banner).not.toContainText("has notified the webhooks");
  await item.getByRole("link", { name: gwName }).click();
  await expect(page).toHaveURL(new RegExp(`/gateways/${gwId}$`));
  await expect(page.getByRole("heading", { name: gwName })).toBeVisible();

  // The detail page shows the same banner for this kill switch.
  await page.goto(`/containment/${actionId}`);
  await expect(page.getByTestId("escalation-banner")).toContainText(gwName);

  // Released: the timed-out apply no longer matters (its release was never delivered: nothing owed).
  await sql().query("update containment_actions set status = 'released', released_at = now(), release_reason = 'e2e' where id = $1", [actionId]);
  await page.goto(`/containment/${actionId}`);
  await expect(page.getByTestId("escalation-banner")).toHaveCount(0);
  await page.goto("/containment");
  await expect(page.locator("main")).not.toContainText(gwName + " did not acknowledge");
});

test("an integration flagged by an advisory is due now on its page, in the list filters and in the review queue", async ({ page }) => {
  const id = randomUUID();
  const name = `e2e-vendor-${rid()}`;
  // Flagged yesterday, while its schedule still says "in 20 days" (what the demo data held).
  await sql().query(
    "insert into integrations (id, name, provider, reason, permissions, advisory_flagged_at, advisory_note, next_review_at, updated_at) values ($1,$2,'Acme','e2e','{}',now() - interval '1 day','Vendor disclosed a token leak',now() + interval '20 days',now())",
    [id, name],
  );
  await page.setViewportSize(VIEWPORT);
  await signIn(page, await makeUser("auditor"));
  await page.goto(`/integrations/${id}`);
  const alert = page.getByRole("alert").filter({ hasText: "Vendor advisory flagged" });
  await expect(alert).toContainText("(overdue)");
  await expect(page.locator("main")).not.toContainText("due within 30 days");
  // The list's filters agree (the table, not the review-queue cards above it).
  await page.goto(`/integrations?review=overdue&q=${name}`);
  await expect(page.locator("table").getByRole("link", { name })).toBeVisible();
  await page.goto(`/integrations?review=due_soon&q=${name}`);
  await expect(page.locator("table").getByRole("link", { name })).toHaveCount(0);
  await expect(
    page
      .getByRole("heading", { name: /Reviews due within 30 days/ })
      .locator("xpath=ancestor::section[1]")
      .getByRole("link", { name }),
  ).toHaveCount(0);
});

test("an incident opened days after its finding shows the blocked call that raised it and not a neighbour's finding", async ({ page, baseURL }) => {
  const gw = (await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'generic','e2e',now()) returning id", [randomUUID(), `e2e-gw-${rid()}`])).rows[0]
    .id as string;
  const mkAgent = async () => {
    const id = randomUUID();
    const name = `e2e-agent-${rid()}`;
    await sql().query("insert into agents (id, name, owner, purpose, gateway_id, channels, fallback_models, credential_refs, updated_at) values ($1,$2,'e2e','e2e',$3,'{}','{}','{}',now())", [
      id,
      name,
      gw,
    ]);
    return { id, name };
  };
  const agent = await mkAgent();
  const neighbour = await mkAgent();
  const tool = `e2e-exec-${rid()}`;
  const findingId = randomUUID();
  await sql().query(
    "insert into findings (id, kind, severity, gateway_id, agent_id, tool_name, title, first_seen_at, last_seen_at) values ($1,'unapproved_tool','high',$2,$3,$4,$5,now() - interval '3 days',now() - interval '5 hours')",
    [findingId, gw, agent.id, tool, `${agent.name} called '${tool}'`],
  );
  await sql().query("insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, tool_name, decision) values (now() - interval '3 days', $1, $2, $3, $4, $5, 'blocked')", [
    gw,
    `ev-${rid()}`,
    agent.id,
    agent.name,
    tool,
  ]);
  const neighbourTitle = `neighbour spike ${rid()}`;
  await sql().query("insert into findings (id, kind, severity, gateway_id, agent_id, title, first_seen_at, last_seen_at) values ($1,'spike','medium',$2,$3,$4,now() - interval '1 hour',now())", [
    randomUUID(),
    gw,
    neighbour.id,
    neighbourTitle,
  ]);

  const lead = await makeUser("security_lead");
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(lead)}` } });
  const res = await api.post("/api/v1/incidents", { data: { findingId } });
  expect(res.status(), await res.text()).toBe(201);
  const incidentId = (await res.json()).data.id as string;

  await page.setViewportSize(VIEWPORT);
  await signIn(page, lead);
  await page.goto(`/incidents/${incidentId}`);
  await expect(page.locator("main")).toContainText(`Blocked call: ${tool} by ${agent.name}`);
  await expect(page.locator("main")).not.toContainText(neighbourTitle);
  expect(await overflowOf(page)).toBeLessThanOrEqual(0);
  await api.dispose();
});

test("after an approval with conditions the tool page reads as text and fits 1440 px", async ({ page, baseURL }) => {
  const toolName = `e2e-wide-${rid()}`;
  const hosts = Array.from({ length: 12 }, (_, i) => `api-${i}-${rid()}.really-long-subdomain-name-for-testing.example.com`);
  const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
  const lead = await makeUser("security_lead");
  const leadApi = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(lead)}` } });
  const filed = await operator.post("/api/v1/tool-requests", {
    data: {
      tool: { name: toolName, kind: "skill", source: "clawhub", publisher: "e2e" },
      version: "1.0.0",
      contentHash: createHash("sha256").update(toolName).digest("hex"),
      permissions: { fsWrite: true, egressHosts: hosts },
      justification: "Writes reports to many APIs",
      agentIds: [],
    },
  });
  expect(filed.status(), await filed.text()).toBe(201);
  const requestId = (await filed.json()).data.id as string;
  const decided = await leadApi.post(`/api/v1/tool-requests/${requestId}/decision`, {
    data: {
      outcome: "approve_with_conditions",
      reason: "Only these hosts and the reports folder",
      checklist: { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "clean", permissionsNarrowed: true, credEgressFlagged: false },
      conditions: { fsWrite: true, egressHosts: hosts, pathPrefixes: ["/srv/reports/quarterly/very/deep/folder/structure/for/testing/overflow/behaviour"], commandPatterns: [] },
    },
  });
  expect(decided.status(), await decided.text()).toBe(201);
  const toolId = (await sql().query("select id from tools where name = $1", [toolName])).rows[0].id as string;

  await page.setViewportSize(VIEWPORT);
  await signIn(page, lead);
  await page.goto(`/tools/${toolId}`);
  await expect(page.getByTestId("conditions")).toContainText(`Network only to ${hosts[0]}`);
  await expect(page.locator("main")).toContainText("Permissions: no file reads; writes files; network to");
  await expect(page.locator("main")).not.toContainText('{"');
  expect(await overflowOf(page)).toBeLessThanOrEqual(0);
  await operator.dispose();
  await leadApi.dispose();
});
