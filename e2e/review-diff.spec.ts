/**
 * The review form and feedback in the browser: a security lead reviewing version 2 of a tool sees
 * what changed against the approved version 1 (a risky new permission, a new hash, a new
 * publisher), chooses the outcome themselves, gets every error at once, sees each clear as it is
 * fixed, and after the decision a toast links to the tool. Opening an incident from a finding
 * toasts a link to the new incident.
 */
import { createHash, randomUUID } from "node:crypto";
import { request as pwRequest } from "@playwright/test";
import { expect, makeToken, makeUser, rid, signIn, sql, test } from "./fixtures";

const CHECKS = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "clean", permissionsNarrowed: true, credEgressFlagged: false };

test("review of v2 shows the diff against approved v1; no outcome chosen; errors at once and clearing; toast with link", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const toolName = `e2e-diff-${rid()}`;
  const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
  const lead = await makeUser("security_lead");
  const leadApi = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(lead)}` } });
  const hashOf = (v: string) => createHash("sha256").update(`${toolName}@${v}`).digest("hex");
  const file = async (version: string, publisher: string, permissions: object) => {
    const r = await operator.post("/api/v1/tool-requests", {
      data: { tool: { name: toolName, kind: "skill", source: "clawhub", publisher }, version, contentHash: hashOf(version), permissions, justification: "Summarises the weekly report" },
    });
    expect(r.status(), await r.text()).toBe(201);
    return (await r.json()).data.id as string;
  };
  const v1 = await file("1.0.0", "acme-e2e", { fsRead: true, egressHosts: ["api.example.com"] });
  expect((await leadApi.post(`/api/v1/tool-requests/${v1}/decision`, { data: { outcome: "approve", reason: "Publisher verified at the time", checklist: CHECKS } })).status()).toBe(201);
  const v2 = await file("2.0.0", "acme-e2e-mirror", { fsRead: true, exec: true, egressHosts: ["api.example.com", "upload.example.net"] });

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, lead);

  // The first version has nothing to compare with.
  await page.goto(`/tools/requests/${v1}`);
  await expect(page.getByTestId("version-diff")).toContainText("No earlier approved version");

  await page.goto(`/tools/requests/${v2}`);
  const diff = page.getByTestId("version-diff");
  await expect(diff).toContainText("Compared with 1.0.0");
  await expect(diff.getByTestId("publisher-changed")).toContainText("acme-e2e → acme-e2e-mirror");
  const changes = diff.getByTestId("permission-changes");
  await expect(changes.locator('[data-risky="true"]')).toHaveCount(2);
  await expect(changes.locator('[data-risky="true"]', { hasText: "Run commands (exec)" })).toBeVisible();
  await expect(changes.locator('[data-risky="true"]', { hasText: "upload.example.net" })).toBeVisible();
  await expect(diff).toContainText("2 risky additions");
  const hashes = diff.getByTestId("hash-diff");
  await expect(hashes).toHaveAttribute("data-changed", "true");
  await expect(hashes.locator(`code[title="${hashOf("2.0.0")}"]`)).toHaveText(`${hashOf("2.0.0").slice(0, 12)}…`);
  await expect(hashes.locator(`code[title="${hashOf("1.0.0")}"]`)).toBeVisible();
  await expect(diff).toContainText("None: it was approved as requested.");

  // No outcome is chosen for the reviewer.
  const review = page.getByRole("form", { name: "Review" });
  for (const o of ["Approve", "Approve with conditions", "Reject"]) await expect(review.getByLabel(o, { exact: true })).not.toBeChecked();

  // Submitting with nothing filled in: every error at once.
  await review.getByRole("button", { name: "Record decision" }).click();
  const outcomeError = review.getByText("Choose an outcome: approve, approve with conditions or reject.");
  const reasonError = review.getByText("A decision always needs a reason (at least 10 characters).");
  await expect(outcomeError).toBeVisible();
  await expect(reasonError).toBeVisible();

  // Fixing one clears it at once, without a submit; the other stays.
  await review.getByLabel("Approve", { exact: true }).check();
  await expect(outcomeError).toHaveCount(0);
  await expect(reasonError).toBeVisible();
  await review.getByLabel("Reason (always required, kept forever)").fill("New maintainer confirmed; exec needed for the export");
  await expect(reasonError).toHaveCount(0);

  // Approving needs the checklist: all three items reported together.
  await review.getByRole("button", { name: "Record decision" }).click();
  await expect(review.getByText("Must be done before approving.")).toHaveCount(3);
  expect((await sql().query("select count(*)::int as n from trust_decisions where request_id = $1", [v2])).rows[0].n).toBe(0);
  await review.getByLabel(/Author identity verified/).check();
  await expect(review.getByText("Must be done before approving.")).toHaveCount(2);
  for (const label of [/Vulnerability history checked/, /Dependency audit run/]) await review.getByLabel(label).check();
  await expect(review.getByText("Must be done before approving.")).toHaveCount(0);
  await review.getByLabel("Dependency audit result").fill("3 dependencies, all current");

  await review.getByRole("button", { name: "Record decision" }).click();
  const toast = page.locator("[data-toast]", { hasText: "Request approved." });
  await expect(toast).toBeVisible();
  const toolId = (await sql().query("select id from tools where name = $1", [toolName])).rows[0].id as string;
  await expect(toast.getByRole("link", { name: "Open the tool" })).toHaveAttribute("href", `/tools/${toolId}`);
  await expect(page.getByTestId("decision")).toContainText(`by ${lead.email}`);
  // Approving the new publisher's version moved the tool to it, unverified.
  expect((await sql().query("select publisher, publisher_verified from tools where id = $1", [toolId])).rows[0]).toEqual({ publisher: "acme-e2e-mirror", publisher_verified: false });
  await toast.getByRole("link", { name: "Open the tool" }).click();
  await expect(page).toHaveURL(new RegExp(`/tools/${toolId}$`));
  await ctx.close();
});

test("opening an incident from a finding toasts a link to the incident", async ({ page }) => {
  const lead = await makeUser("security_lead");
  const findingId = randomUUID();
  const title = `E2E toast finding ${rid()}`;
  await sql().query("insert into findings (id, kind, severity, title) values ($1, 'spike', 'medium', $2)", [findingId, title]);
  await signIn(page, lead);
  await page.goto(`/findings?q=${encodeURIComponent(title)}`);
  await page.getByRole("button", { name: `Open incident: ${title}` }).click();
  await page.getByRole("button", { name: "Confirm: open incident" }).click();
  const toast = page.locator("[data-toast]", { hasText: "Incident opened" });
  await expect(toast).toBeVisible();
  const incident = await sql().query("select id from incidents where finding_id = $1", [findingId]);
  expect(incident.rows).toHaveLength(1);
  const link = toast.getByRole("link", { name: "Open incident" });
  await expect(link).toHaveAttribute("href", `/incidents/${incident.rows[0].id}`);
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${incident.rows[0].id}$`));
});
