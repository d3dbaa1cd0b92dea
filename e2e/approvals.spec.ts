/**
 * Approvals (issue 17 §3): a simulated gateway holds a call and reports it; it appears in the
 * Approvals queue of a signed-in user without a reload; a second user approves it with a reason;
 * the decision reaches the gateway's long-poll as an `approval_decision` command.
 */
import { createHash, randomUUID } from "node:crypto";
import { signedHeaders } from "../lib/connector/signature";
import { auditCount, expect, makeUser, rid, signIn, test } from "./fixtures";
import { addAgent, registerSimGateway, runSimGateway } from "./sim-gateway";

const sortDeep = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortDeep)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
        )
      : v;
const hashOf = (params: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(sortDeep(params)))
    .digest("hex");

test("a held call appears without reload, a second user allows it with a reason, and the gateway receives the decision", async ({ page, browser, baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  const agent = await addAgent(gw.id);
  const sim = runSimGateway(baseURL!, gw);
  const watcher = await makeUser("auditor");
  const lead = await makeUser("security_lead");
  try {
    // The first user watches the queue (an auditor may read it, not decide).
    await signIn(page, watcher);
    await page.goto("/approvals");
    await expect(page.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();

    // The gateway holds a call and reports it.
    const secret = "sk-live-0123456789abcdefghijklmnopqrstuv";
    const params = { command: `rm -rf ./build-${randomUUID().slice(0, 8)}`, env: { API_KEY: secret } };
    const toolName = `exec_${rid()}`;
    const toolCallId = `call-${randomUUID()}`;
    const body = JSON.stringify({
      requestId: randomUUID(),
      toolCallId,
      agentId: `ext-${agent.name}`,
      toolName,
      toolVersion: "2026.9.6",
      params,
      paramsHash: hashOf(params),
      ruleId: "containment:exec",
      reason: "requires approval: destructive commands",
      timeoutMs: 300_000,
    });
    const res = await fetch(`${baseURL}/api/v1/connector/approvals`, {
      method: "POST",
      headers: { ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(201);
    const { data } = await res.json();

    const queue = page.getByRole("region", { name: "Waiting for approval" });
    const card = queue.locator(`[data-approval-id="${data.id}"]`);
    await expect(card).toBeVisible({ timeout: 10_000 }); // no reload: the queue polls
    await expect(card).toContainText(agent.name);
    await expect(card).toContainText(gw.name);
    await expect(card).toContainText("2026.9.6");
    await expect(card.getByLabel("Parameters")).toContainText(params.command);
    await expect(card.getByLabel("Parameters")).not.toContainText(secret);
    await expect(card).toContainText("requires approval: destructive commands");
    await expect(card.getByRole("timer")).toContainText(/\d+ min \d+ s left/);
    await expect(card.getByRole("button", { name: /Allow once/ })).toHaveCount(0); // an auditor cannot decide
    expect(await page.content()).not.toContain(secret);

    // A second user decides, in another browser context.
    const ctx = await browser.newContext({ baseURL });
    const second = await ctx.newPage();
    await signIn(second, lead);
    await second.goto("/approvals");
    const leadCard = second.locator(`[data-approval-id="${data.id}"]`);
    await expect(leadCard).toBeVisible();
    await leadCard.getByRole("button", { name: "Allow once" }).click();
    await expect(leadCard.getByRole("alert").first()).toBeVisible(); // a reason is required
    await leadCard.getByLabel(/^Reason/).fill("checked the build directory");
    await leadCard.getByRole("button", { name: "Allow once" }).click();
    await expect(second.getByRole("status").filter({ hasText: "Allowed." })).toBeVisible();
    await ctx.close();

    // The decision reaches the gateway's long-poll as an approval_decision command.
    await expect
      .poll(() => sim.seen.find((c) => c.action === "approval_decision" && c.target === data.id)?.options, { timeout: 15_000 })
      .toMatchObject({
        decision: "allow",
        paramsHash: hashOf(params),
        reason: "checked the build directory",
        decidedBy: lead.email,
      });
    // The first user's queue drops it without a reload, and it is listed as decided.
    await expect(card).toHaveCount(0, { timeout: 10_000 });
    const decided = page.getByRole("region", { name: "Recently decided" }).locator(`[data-approval-id="${data.id}"]`);
    await expect(decided).toContainText(`Allowed by ${lead.email}`, { timeout: 10_000 });
    await expect(decided).toContainText("checked the build directory");
    expect(await auditCount({ action: "approval.request", targetId: data.id })).toBe(1);
    expect(await auditCount({ action: "approval.decide", targetId: data.id })).toBe(1);

    // The gateway runs the call, reports the outcome and the event: the call's record shows the approval.
    const signedPost = (path: string, payload: unknown) => {
      const text = JSON.stringify(payload);
      return fetch(`${baseURL}${path}`, { method: "POST", headers: { ...signedHeaders(gw.secret, text), "x-warden-gateway": gw.id, "content-type": "application/json" }, body: text });
    };
    expect((await signedPost(`/api/v1/connector/approvals/${data.id}/resolution`, { outcome: "ran", waitedMs: 7_250 })).status).toBe(200);
    expect(
      (
        await signedPost("/api/v1/connector/events", {
          events: [{ eventId: `${toolCallId}.decision`, occurredAt: new Date().toISOString(), agentId: `ext-${agent.name}`, agentName: agent.name, toolName, params, decision: "allowed" }],
        })
      ).status,
    ).toBe(202);
    await page.goto(`/tool-calls?tool=${toolName}`);
    await page.locator("button[data-call-open]").first().click();
    const drawer = page.getByRole("dialog");
    await expect(drawer).toContainText(`allowed once by ${lead.email}`);
    await expect(drawer).toContainText("the agent waited 7.3 s");
  } finally {
    await sim.stop();
  }
});
