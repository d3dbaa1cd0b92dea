/**
 * Conditions in the console: a security lead approves a newer version with conditions in the
 * review form (a hostile path prefix is refused with a field error first), and the tool page, the
 * decision and the agent's effective allowlist say in plain words which conditions gateways enforce,
 * where they come from, that the older overdue version gets them too, and when a time-bound
 * allowance ends.
 */
import { createHash, randomUUID } from "node:crypto";
import { request as pwRequest } from "@playwright/test";
import { expect, makeToken, makeUser, rid, signIn, sql, test } from "./fixtures";

const CHECKS = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "clean", permissionsNarrowed: true, credEgressFlagged: false };

test("approve with conditions in the browser; the tool page and the allowlist show them in plain words", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const agentId = randomUUID();
  const agentName = `agent-${rid()}`;
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, updated_at) values ($1,$2,'e2e team','e2e agent','{}','{}','{}',now())", [
    agentId,
    agentName,
  ]);
  const toolName = `e2e-writer-${rid()}`;
  const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
  const leadUser = await makeUser("security_lead");
  const leadApi = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(leadUser)}` } });
  const file = async (version: string) => {
    const r = await operator.post("/api/v1/tool-requests", {
      data: {
        tool: { name: toolName, kind: "skill", source: "clawhub", publisher: "e2e" },
        version,
        contentHash: createHash("sha256").update(`${toolName}${version}`).digest("hex"),
        permissions: { fsWrite: true, egressHosts: ["api.example.com"] },
        justification: "Writes the weekly report files",
        agentIds: [agentId],
      },
    });
    expect(r.status(), await r.text()).toBe(201);
    return (await r.json()).data.id as string;
  };
  // 1.0.0 approved long ago without conditions, now overdue for re-review.
  const first = await file("1.0.0");
  expect((await leadApi.post(`/api/v1/tool-requests/${first}/decision`, { data: { outcome: "approve", reason: "Fine at the time", checklist: CHECKS } })).status()).toBe(201);
  await sql().query("update trust_decisions set decided_at = now() - interval '200 days', re_review_at = now() - interval '110 days' where request_id = $1", [first]);
  const second = await file("2.0.0");

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, leadUser);
  await page.goto(`/tools/requests/${second}`);
  const review = page.getByRole("form", { name: "Review" });
  for (const label of [/Author identity verified/, /Vulnerability history checked/, /Dependency audit run/, /Permissions narrowed/]) await review.getByLabel(label).check();
  await review.getByLabel("Dependency audit result").fill("1 dependency, current");
  await review.getByLabel("Approve with conditions").check();
  await review.getByLabel("Path prefixes for file tools (absolute, one per line)").fill("reports/relative");
  await review.getByLabel(/Command patterns for exec/).fill("git log *");
  await review.getByLabel("Reason (always required, kept forever)").fill("Only the reports folder and the example API");
  await review.getByRole("button", { name: "Record decision" }).click();
  await expect(review.getByText("An absolute path such as /srv/reports (no control characters).")).toBeVisible();
  expect((await sql().query("select count(*)::int as n from trust_decisions where request_id = $1", [second])).rows[0].n).toBe(0);

  await review.getByLabel("Path prefixes for file tools (absolute, one per line)").fill("/srv/reports/../reports/q1/");
  await review.getByRole("button", { name: "Record decision" }).click();
  const conditions = page.getByTestId("conditions");
  await expect(conditions).toContainText("Network only to api.example.com");
  await expect(conditions).toContainText("Files only under /srv/reports/q1");
  await expect(conditions).toContainText('Commands only matching "git log *"');
  await expect(conditions).toContainText("no credential access");

  // The tool page says which approval's conditions gateways enforce, for the older version too.
  const toolId = (await sql().query("select id from tools where name = $1", [toolName])).rows[0].id as string;
  await page.goto(`/tools/${toolId}`);
  const gw = page.getByTestId("gateway-conditions");
  await expect(gw).toContainText("conditions of the approval of 2.0.0");
  await expect(gw).toContainText("Files only under /srv/reports/q1");
  await expect(gw).toContainText("Also approved: 1.0.0; their calls get the same conditions.");

  // The agent's effective allowlist: conditions, their source, the overdue older version, and an end time.
  const other = await await leadApi.post(`/api/v1/agents/${agentId}/grants`, {
    data: { toolId, kind: "grant", reason: "Only for the audit this week", expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString() },
  });
  expect(other.status(), await other.text()).toBe(201);
  await sql().query("delete from grants where agent_id = $1 and expires_at is null", [agentId]); // leave only the time-bound grant
  await page.goto(`/agents/${agentId}`);
  const row = page.getByRole("row").filter({ hasText: toolName });
  await expect(row.getByTestId("allowlist-conditions")).toContainText("Network only to api.example.com");
  await expect(row.getByTestId("allowlist-conditions")).toContainText("Files only under /srv/reports/q1");
  await expect(row.getByTestId("allowlist-conditions")).toContainText("from the approval of 2.0.0");
  await expect(row.getByTestId("allowlist-conditions")).toContainText("ends");
  await expect(row).toContainText("overdue");
  await expect(row).toContainText("the conditions of 2.0.0 apply to its calls too");
  await expect(row).toContainText("with conditions");
  await expect(row).toContainText("re-review overdue: 1.0.0");
  await ctx.close();
  await operator.dispose();
  await leadApi.dispose();
});
