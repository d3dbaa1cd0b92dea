import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { expectExactlyOnce } from "@/test/concurrency";
import { createGrantAction, createToolRequestAction, decideToolRequestAction, revokeDecisionAction, revokeGrantAction } from "@/lib/tools/actions";
import { createTokenAction, revokeTokenAction } from "@/lib/tokens/actions";
import { setUserDisabledAction, setUserRoleAction } from "@/lib/users/actions";
import { releaseContainmentAction } from "@/lib/containment/actions";
import { decideDataFlowAction } from "@/lib/data-flows/actions";
import { createWebhookAction, deleteWebhookAction, retryWebhookDeliveryAction, rotateWebhookSecretAction } from "@/lib/notify/actions";
import { deleteBudgetAction, setBudgetAction } from "@/lib/spend/actions";
import { createPlaybookAction, deletePlaybookAction } from "@/lib/playbooks/actions";
import { openIncidentAction, updateIncidentAction } from "@/lib/incidents/actions";
import { dismissFindingAction } from "@/lib/findings/actions";
import { registerGatewayAction, rotateGatewaySecretAction } from "@/lib/gateways/actions";
import { clearIntegrationAdvisoryAction } from "@/lib/integrations/actions";
import { endSession, startSession } from "@/lib/auth/sessions";

// Every state change that depends on the state before it is conditional in the database: N
// concurrent identical requests give one success, N-1 conflicts (409) and one audit row.
const N = 50;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const CHECKS = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "4 deps, all current", permissionsNarrowed: true, credEgressFlagged: false };
const must = <T>(r: { ok: boolean; data?: T }) => {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.data as T;
};

async function approvedRequest() {
  const requester = await makeUser("operator");
  const lead = await makeUser("security_lead");
  const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test" } });
  const req = must<{ id: string }>(
    await execute(requester.actor, createToolRequestAction, {
      tool: { name: `tool-${rid()}`, kind: "skill", source: "clawhub", publisher: "acme" },
      version: "1.0.0",
      contentHash: sha(rid()),
      permissions: { fsRead: true, egressHosts: [] },
      justification: "Needed for the weekly report",
      agentIds: [agent.id],
    }),
  );
  return { req, lead };
}

describe("idempotent under concurrency: one success, the rest 409, one audit row", () => {
  it("grant revoke", async () => {
    const { actor } = await makeUser("security_lead");
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test" } });
    const tool = await db.tool.create({ data: { name: `g-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    const g = must<{ id: string }>(await execute(actor, createGrantAction, { agentId: agent.id, toolId: tool.id, kind: "grant", reason: "needed for the test run" }));
    await expectExactlyOnce(N, () => execute(actor, revokeGrantAction, { id: g.id, reason: "no longer needed" }), { action: "grant.revoke", targetId: g.id });
    expect((await db.grant.findUniqueOrThrow({ where: { id: g.id } })).revokedAt).not.toBeNull();
  });

  it("tool request decision, then trust-decision revoke", async () => {
    const { req, lead } = await approvedRequest();
    const d = await expectExactlyOnce(N, () => execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve", checklist: CHECKS, reason: "Verified publisher, clean audit" }), {
      action: "tool_request.decide",
      targetId: req.id,
    });
    expect(await db.trustDecision.count({ where: { requestId: req.id } })).toBe(1);
    const id = (d.data as { id: string }).id;
    await expectExactlyOnce(N, () => execute(lead.actor, revokeDecisionAction, { id, reason: "Publisher account compromised" }), { action: "trust_decision.revoke", targetId: id });
    expect((await db.trustDecision.findUniqueOrThrow({ where: { id } })).revokedAt).not.toBeNull();
  });

  it("API token revoke", async () => {
    const { actor } = await makeUser("operator");
    const t = must<{ id: string }>(await execute(actor, createTokenAction, { name: `t-${rid()}`, expiresInDays: 30 }));
    await expectExactlyOnce(N, () => execute(actor, revokeTokenAction, { id: t.id }), { action: "token.revoke", targetId: t.id });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })).revokedAt).not.toBeNull();
  });

  it("containment release", async () => {
    const { actor } = await makeUser("admin");
    const a = await db.containmentAction.create({ data: { scope: "tool", target: `t-${rid()}`, action: "deny_tool", reason: "test containment" } });
    await expectExactlyOnce(N, () => execute(actor, releaseContainmentAction, { id: a.id, reason: "false alarm" }), { action: "containment.release", targetId: a.id });
    expect((await db.containmentAction.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("released");
  });

  it("user disable, enable and role change", async () => {
    const { actor } = await makeUser("admin");
    const { user } = await makeUser("operator");
    await expectExactlyOnce(N, () => execute(actor, setUserDisabledAction, { id: user.id, disabled: true }), { action: "user.disable", targetId: user.id });
    const disabled = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(disabled.disabledAt).not.toBeNull();
    expect(disabled.sessionEpoch).toBe(user.sessionEpoch + 1);
    await expectExactlyOnce(N, () => execute(actor, setUserDisabledAction, { id: user.id, disabled: false }), { action: "user.enable", targetId: user.id });
    await expectExactlyOnce(N, () => execute(actor, setUserRoleAction, { id: user.id, role: "auditor" }), { action: "user.set_role", targetId: user.id });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("auditor");
  });

  it("two admins demoting each other at once leave one admin", async () => {
    await db.user.updateMany({ where: { role: "admin" }, data: { role: "operator" } });
    const a = await makeUser("admin");
    const b = await makeUser("admin");
    const [ra, rb] = await Promise.all([execute(a.actor, setUserRoleAction, { id: b.user.id, role: "operator" }), execute(b.actor, setUserRoleAction, { id: a.user.id, role: "operator" })]);
    expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1);
    expect(await db.user.count({ where: { role: "admin", disabledAt: null } })).toBe(1);
  });

  it("data-flow decision", async () => {
    const { actor } = await makeUser("admin");
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test" } });
    const f = await db.dataFlow.create({ data: { agentId: agent.id, service: "Example", host: `api-${rid()}.example.com`, dataSent: "queries", dataReceived: "answers", classification: "internal" } });
    await expectExactlyOnce(N, () => execute(actor, decideDataFlowAction, { id: f.id, status: "approved" }), { action: "data_flow.decide", targetId: f.id });
    expect((await db.dataFlow.findUniqueOrThrow({ where: { id: f.id } })).status).toBe("approved");
  });

  it("finding dismiss", async () => {
    const { actor } = await makeUser("security_lead");
    const f = await db.finding.create({ data: { kind: "spike", severity: "medium", title: `spike ${rid()}` } });
    await expectExactlyOnce(N, () => execute(actor, dismissFindingAction, { id: f.id, reason: "expected load test" }), { action: "finding.dismiss", targetId: f.id });
    expect((await db.finding.findUniqueOrThrow({ where: { id: f.id } })).status).toBe("dismissed");
  });

  it("incident status change", async () => {
    const { actor } = await makeUser("security_lead");
    const inc = must<{ id: string }>(await execute(actor, openIncidentAction, { title: `Breach ${rid()}`, severity: "high", summary: "x" }));
    await expectExactlyOnce(N, () => execute(actor, updateIncidentAction, { id: inc.id, status: "contained" }), { action: "incident.update", targetId: inc.id });
    expect((await db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("contained");
  });

  it("webhook delivery retry and endpoint delete", async () => {
    const { actor } = await makeUser("admin");
    const created = must<{ endpoint: { id: string } }>(
      await execute(actor, createWebhookAction, { name: `wh-${rid()}`, url: "https://93.184.215.14/hook", format: "slack", events: ["incident.opened"] }),
    );
    const id = created.endpoint.id;

    const d = await db.webhookDelivery.create({ data: { endpointId: id, event: "incident.opened", payload: {}, state: "dead", attempts: 8 } });
    await expectExactlyOnce(N, () => execute(actor, retryWebhookDeliveryAction, { id: d.id }), { action: "webhook.retry", targetId: d.id });
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id: d.id } })).state).toBe("failed");

    await expectExactlyOnce(N, () => execute(actor, deleteWebhookAction, { id }), { action: "webhook.delete", targetId: id });
    expect(await db.webhookEndpoint.count({ where: { id } })).toBe(0);
    // Later, too: a delete of what was deleted is a conflict; of what never existed, a 404.
    expect(await execute(actor, deleteWebhookAction, { id })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(actor, deleteWebhookAction, { id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({ ok: false, status: 404 });
  });

  it("budget delete", async () => {
    const { actor } = await makeUser("admin");
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test" } });
    const b = must<{ id: string }>(await execute(actor, setBudgetAction, { agentId: agent.id, dailyUsd: 5, onLimit: "notify" }));
    await expectExactlyOnce(N, () => execute(actor, deleteBudgetAction, { id: b.id }), { action: "budget.delete", targetId: b.id });
    expect(await db.budget.count({ where: { id: b.id } })).toBe(0);
  });

  it("playbook delete", async () => {
    const { actor } = await makeUser("security_lead");
    const p = must<{ id: string }>(await execute(actor, createPlaybookAction, { name: `pb-${rid()}`, trigger: "manual", steps: [{ phase: "detection", title: "Confirm" }] }));
    await expectExactlyOnce(N, () => execute(actor, deletePlaybookAction, { id: p.id }), { action: "playbook.delete", targetId: p.id });
    expect(await db.playbook.count({ where: { id: p.id } })).toBe(0);
  });

  // A rotation is not a transition from a prior state (each one is a new secret): rotations that
  // overlap are serialised on the secret they read, so none is lost and each success is audited once.
  it("secret rotations never overlap: each success replaced the secret the previous one left", async () => {
    const { actor } = await makeUser("admin");
    const g = must<{ gateway: { id: string } }>(await execute(actor, registerGatewayAction, { name: `gw-${rid()}`, kind: "generic", environment: "test" }));
    const wh = must<{ endpoint: { id: string } }>(await execute(actor, createWebhookAction, { name: `wh-${rid()}`, url: "https://93.184.215.14/hook", format: "slack", events: ["incident.opened"] }));
    for (const [def, input, action, targetId] of [
      [rotateGatewaySecretAction, { id: g.gateway.id, graceHours: 24 }, "gateway.rotate_secret", g.gateway.id],
      [rotateWebhookSecretAction, { id: wh.endpoint.id }, "webhook.rotate_secret", wh.endpoint.id],
    ] as const) {
      const results = await Promise.all(Array.from({ length: N }, () => execute(actor, def as typeof rotateWebhookSecretAction, input as { id: string })));
      const ok = results.filter((r) => r.ok).length;
      expect(ok).toBeGreaterThanOrEqual(1);
      // 50 at once overlap: those that read a secret another replaced meanwhile are refused.
      expect(ok).toBeLessThan(N);
      expect(results.filter((r) => !r.ok).map((r) => (r.ok ? 0 : r.status))).toEqual(Array(N - ok).fill(409));
      expect(await db.auditEvent.count({ where: { action, targetId, outcome: "success" } })).toBe(ok);
    }
  });

  it("integration advisory clear", async () => {
    const { actor } = await makeUser("admin");
    const i = await db.integration.create({ data: { name: `int-${rid()}`, provider: "Vendor", reason: "email", permissions: ["send"], advisoryFlaggedAt: new Date(), advisoryNote: "breach" } });
    await expectExactlyOnce(N, () => execute(actor, clearIntegrationAdvisoryAction, { id: i.id }), { action: "integration.advisory_clear", targetId: i.id });
    expect((await db.integration.findUniqueOrThrow({ where: { id: i.id } })).advisoryFlaggedAt).toBeNull();
  });

  it("sign-out ends a session once", async () => {
    const { user, actor } = await makeUser("operator");
    const sid = await db.$transaction((tx) => startSession(tx, user.id, { ip: null, userAgent: null }));
    const ended = await Promise.all(Array.from({ length: N }, () => endSession(sid, actor)));
    expect(ended.filter(Boolean)).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { action: "auth.logout", targetId: sid } })).toBe(1);
  });
});
