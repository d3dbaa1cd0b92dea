import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { execute } from "@/lib/action";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { makeUser, rid } from "@/test/factories";
import { expectExactlyOnce } from "@/test/concurrency";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { pollCommands } from "@/lib/outbox/commands";
import { buildGatewayPolicy } from "@/lib/allowlist/policy";
import { POST as postApproval } from "@/app/api/v1/connector/approvals/route";
import { POST as postResolution } from "@/app/api/v1/connector/approvals/[id]/resolution/route";
import { createApprovalRuleAction, decideApprovalAction, updateApprovalRuleAction } from "./actions";
import { expireApprovals, MAX_PENDING_PER_GATEWAY, paramsHashOf } from "./service";
import { getApproval, listApprovals } from "./queries";
import { patternProblem } from "./pattern";
import { needsApproval } from "@/connectors/openclaw/lib/approval-rules.js";
import { buildBody } from "@/lib/notify/sign";

async function fleet() {
  const secret = generateSigningSecret();
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  const agent = await db.agent.create({ data: { name: `a-${rid()}`, externalId: "main", owner: "o", purpose: "p", gatewayId: gw.id } });
  return { secret, gw, agent };
}
type Fleet = Awaited<ReturnType<typeof fleet>>;

const signed = (f: Fleet, url: string, body: string) =>
  new Request(`http://warden.test${url}`, { method: "POST", headers: { ...signedHeaders(f.secret, body), "x-warden-gateway": f.gw.id, "content-type": "application/json" }, body });

function request(overrides: Record<string, unknown> = {}) {
  const params = (overrides.params as unknown) ?? { command: "rm -rf /tmp/x", env: { API_TOKEN: "sk-live-abcdefghijklmnopqrstuvwxyz0123" } };
  return {
    requestId: randomUUID(),
    toolCallId: `call-${rid()}`,
    agentId: "main",
    toolName: "exec",
    params,
    paramsHash: paramsHashOf(params),
    reason: "exec needs approval",
    timeoutMs: 120_000,
    ...overrides,
  };
}

const report = (f: Fleet, body: Record<string, unknown>) => postApproval(signed(f, "/api/v1/connector/approvals", JSON.stringify(body)));

async function pending(f: Fleet, overrides: Record<string, unknown> = {}) {
  const res = await report(f, request(overrides));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()).data as { id: string; status: string; expiresAt: string };
}

describe("approval requests from gateways", () => {
  it("stores a request once per requestId (201 then 200), redacts its params, audits it and refuses a reused id for another call", async () => {
    const f = await fleet();
    const body = request();
    const first = await report(f, body);
    expect(first.status).toBe(201);
    const { data } = await first.json();
    expect(data).toMatchObject({ status: "pending" });
    expect(Date.parse(data.expiresAt) - Date.now()).toBeGreaterThan(100_000);
    const again = await report(f, body);
    expect(again.status).toBe(200);
    expect((await again.json()).data.id).toBe(data.id);
    expect(await db.approvalRequest.count({ where: { gatewayId: f.gw.id } })).toBe(1);

    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: data.id } });
    expect(row.agentId).toBe(f.agent.id);
    expect(JSON.stringify(row.params)).not.toContain("sk-live");
    expect((row.params as { command: string }).command).toBe("rm -rf /tmp/x");
    expect(await db.auditEvent.count({ where: { action: "approval.request", targetId: data.id } })).toBe(1);

    const other = await report(f, { ...request({ params: { command: "ls" } }), requestId: body.requestId });
    expect(other.status).toBe(409);
    expect((await other.json()).error.code).toBe("conflict");
  });

  it("tells approvers: an approval.requested webhook (Standard Webhooks data, Slack body with a link to the approval)", async () => {
    const f = await fleet();
    const endpoint = await db.webhookEndpoint.create({
      data: { name: `hook-${rid()}`, url: "https://93.184.215.14/hook", format: "slack", events: ["approval.requested"], secretEnc: seal(generateSigningSecret()) },
    });
    const p = await pending(f);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    expect(delivery.event).toBe("approval.requested");
    const data = delivery.payload as Record<string, unknown>;
    expect(data).toMatchObject({ approvalId: p.id, tool: "exec", gateway: f.gw.name, link: expect.stringMatching(new RegExp(`/approvals/${p.id}$`)) });
    const slack = JSON.parse(buildBody("slack", { id: delivery.id, event: delivery.event, createdAt: delivery.createdAt, data }));
    expect(JSON.stringify(slack.blocks)).toContain(`/approvals/${p.id}|Open in Warden>`);
    const standard = JSON.parse(buildBody("standard", { id: delivery.id, event: delivery.event, createdAt: delivery.createdAt, data }));
    expect(standard).toMatchObject({ type: "approval.requested", data: { approvalId: p.id } });
  });

  it("refuses a params hash that is not the hash of the params, bad timeouts and missing fields with field errors, storing nothing", async () => {
    const f = await fleet();
    const cases: [Record<string, unknown>, string][] = [
      [{ paramsHash: paramsHashOf({ command: "ls" }) }, "paramsHash"],
      [{ timeoutMs: 5_000 }, "timeoutMs"],
      [{ timeoutMs: 1_800_001 }, "timeoutMs"],
      [{ requestId: "not-a-uuid" }, "requestId"],
      [{ toolName: "" }, "toolName"],
      [{ params: { big: "x".repeat(70_000) }, paramsHash: paramsHashOf({ big: "x".repeat(70_000) }) }, "params"],
    ];
    for (const [o, field] of cases) {
      const res = await report(f, request(o));
      expect(res.status, field).toBe(400);
      expect(Object.keys((await res.json()).error.fieldErrors ?? {}), field).toContain(field);
    }
    const { params: _p, ...noParams } = request();
    void _p;
    expect((await report(f, noParams)).status).toBe(400);
    expect(await db.approvalRequest.count({ where: { gatewayId: f.gw.id } })).toBe(0);
  });

  it("refuses more than MAX_PENDING_PER_GATEWAY waiting calls from one gateway (429), other gateways unaffected", async () => {
    const f = await fleet();
    const expiresAt = new Date(Date.now() + 600_000);
    await db.approvalRequest.createMany({
      data: Array.from({ length: MAX_PENDING_PER_GATEWAY }, (_, i) => ({
        gatewayId: f.gw.id,
        requestId: randomUUID(),
        toolCallId: `c${i}`,
        agentRef: "main",
        toolName: "exec",
        paramsHash: "0".repeat(64),
        reason: "r",
        timeoutMs: 600_000,
        expiresAt,
      })),
    });
    const res = await report(f, request());
    expect(res.status).toBe(429);
    expect((await res.json()).error.code).toBe("rate_limited");
    expect((await report(await fleet(), request())).status).toBe(201);
  });

  it("records the gateway's resolution once; another gateway cannot resolve it", async () => {
    const f = await fleet();
    const g = await fleet();
    const p = await pending(f);
    const resolve = (fl: Fleet, body: unknown) => postResolution(signed(fl, `/api/v1/connector/approvals/${p.id}/resolution`, JSON.stringify(body)), { params: Promise.resolve({ id: p.id }) });
    expect((await resolve(g, { outcome: "ran", waitedMs: 10 })).status).toBe(404);
    expect((await resolve(f, { outcome: "sideways", waitedMs: 10 })).status).toBe(400);
    const ok = await resolve(f, { outcome: "timed_out", waitedMs: 120_000, detail: "no decision" });
    expect(ok.status).toBe(200);
    expect((await resolve(f, { outcome: "timed_out", waitedMs: 120_000 })).status).toBe(200);
    expect((await resolve(f, { outcome: "ran", waitedMs: 1 })).status).toBe(409);
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: p.id } });
    expect(row).toMatchObject({ outcome: "timed_out", waitedMs: 120_000 });
    expect(await db.auditEvent.count({ where: { action: "approval.resolution", targetId: p.id } })).toBe(1);
  });
});

describe("decisions", () => {
  it("allow once: exactly one of racing approvers wins, and the decision reaches the gateway's long-poll as an approval_decision command", async () => {
    const f = await fleet();
    const p = await pending(f);
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: p.id } });
    const lead = await makeUser("security_lead");
    const op = await makeUser("operator");
    let i = 0;
    await expectExactlyOnce(6, () => execute(i++ % 2 ? lead.actor : op.actor, decideApprovalAction, { id: p.id, decision: "allow_once", reason: "checked the command" }), {
      action: "approval.decide",
      targetId: p.id,
    });
    const commands = await pollCommands(f.gw.id, 0);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({
      type: "approval_decision",
      action: "approval_decision",
      target: p.id,
      reason: "checked the command",
      options: { requestId: row.requestId, toolCallId: row.toolCallId, decision: "allow", paramsHash: row.paramsHash, reason: "checked the command" },
    });
    expect(typeof (commands[0].options as { decidedBy: string }).decidedBy).toBe("string");
    expect((commands[0].options as { grantUntil?: string }).grantUntil).toBeUndefined();
    const view = await getApproval(p.id);
    expect(view).toMatchObject({ status: "allowed", decision: "allow_once", decisionReason: "checked the command" });
  });

  it("deny and allow-for-N-minutes: the grant is in the policy until it ends; every decision needs a reason", async () => {
    const f = await fleet();
    const lead = await makeUser("security_lead");
    const a = await pending(f);
    const noReason = await execute(lead.actor, decideApprovalAction, { id: a.id, decision: "deny", reason: "  " });
    expect(noReason).toMatchObject({ ok: false, status: 400, fieldErrors: { reason: expect.any(Array) } });
    const noMinutes = await execute(lead.actor, decideApprovalAction, { id: a.id, decision: "allow_for", reason: "ok" });
    expect(noMinutes).toMatchObject({ ok: false, status: 400, fieldErrors: { minutes: expect.any(Array) } });
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("pending");

    const denied = await execute(lead.actor, decideApprovalAction, { id: a.id, decision: "deny", reason: "not today" });
    expect(denied.ok).toBe(true);
    const b = await pending(f);
    const granted = await execute(lead.actor, decideApprovalAction, { id: b.id, decision: "allow_for", minutes: 30, reason: "maintenance window" });
    expect(granted.ok).toBe(true);
    const cmds = await pollCommands(f.gw.id, 0);
    const decisions = cmds.filter((c) => c.type === "approval_decision");
    expect(decisions.map((c) => (c.options as { decision: string }).decision).sort()).toEqual(["allow", "deny"]);
    const grant = decisions.find((c) => (c.options as { decision: string }).decision === "allow")!;
    const until = Date.parse((grant.options as { grantUntil: string }).grantUntil);
    expect(until - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(cmds.some((c) => c.type === "policy_refresh")).toBe(true);

    const policy = await buildGatewayPolicy(f.gw.id);
    expect(policy.agents[0].approvalGrants).toEqual([{ tool: "exec", until: new Date(until).toISOString(), approvalId: b.id }]);
    const later = await buildGatewayPolicy(f.gw.id, new Date(until + 1000));
    expect(later.agents[0].approvalGrants).toBeUndefined();
  });

  it("a decision after expiry is 409 and the request is expired (once, audited), lazily on read and in the background", async () => {
    const f = await fleet();
    const lead = await makeUser("security_lead");
    const p = await pending(f, { timeoutMs: 10_000 });
    await db.approvalRequest.update({ where: { id: p.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const late = await execute(lead.actor, decideApprovalAction, { id: p.id, decision: "allow_once", reason: "sorry, late" });
    expect(late).toMatchObject({ ok: false, status: 409 });
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: p.id } })).status).toBe("expired");
    expect(await db.gatewayCommand.count({ where: { gatewayId: f.gw.id, type: "approval_decision" } })).toBe(0);

    const q = await pending(f);
    await db.approvalRequest.update({ where: { id: q.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await listApprovals({ status: "pending", limit: 100, recentCalls: false })).some((x) => x.id === q.id)).toBe(false);
    const r = await pending(f);
    await db.approvalRequest.update({ where: { id: r.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    // Several replicas' schedulers at once: each request expires exactly once.
    await Promise.all([expireApprovals(), expireApprovals(), expireApprovals()]);
    for (const id of [p.id, q.id, r.id]) expect(await db.auditEvent.count({ where: { action: "approval.expire", targetId: id } })).toBe(1);
  });
});

describe("rules and the policy", () => {
  it("rules for a tool, an agent × tool and a parameter pattern appear on the agent's tool in the signed policy; disabled ones do not", async () => {
    const f = await fleet();
    const lead = await makeUser("security_lead");
    const { user } = lead;
    const tool = await db.tool.create({ data: { name: `exec-${rid()}`, kind: "tool", source: "builtin", publisher: "openclaw" } });
    await db.grant.create({ data: { agentId: f.agent.id, toolId: tool.id, kind: "exception", reason: "t", grantedById: user.id, expiresAt: new Date(Date.now() + 86_400_000) } });
    // A gateway that has connected gets pushes; start from a fresh cache and no pending refresh.
    await db.gateway.update({ where: { id: f.gw.id }, data: { lastSeenAt: new Date() } });
    await db.gatewayCommand.deleteMany({ where: { gatewayId: f.gw.id, type: "policy_refresh" } });
    await db.$executeRaw`update gateway_policies set stale = false where gateway_id = ${f.gw.id}::uuid`;
    const mk = async (input: Record<string, unknown>) => {
      const r = await execute(lead.actor, createApprovalRuleAction, { toolName: tool.name, reason: "needs a person", ...input });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      return (r as { data: { id: string } }).data.id;
    };
    const all = await mk({ scope: "tool" });
    const mine = await mk({ scope: "agent_tool", agentId: f.agent.id, match: { type: "param", path: "command", pattern: "^rm\\s" }, timeoutSeconds: 300 });
    const policy = await buildGatewayPolicy(f.gw.id);
    const t = policy.agents[0].tools.find((x) => x.name === tool.name)!;
    expect(t.approvals).toEqual(
      [
        { ruleId: all, reason: "needs a person", timeoutMs: 120_000 },
        { ruleId: mine, reason: "needs a person", timeoutMs: 300_000, match: { param: "command", pattern: "^rm\\s" } },
      ].sort((x, y) => x.ruleId.localeCompare(y.ruleId)),
    );
    // Each rule change marks the gateway's cached policy stale and leaves one (coalesced) pending refresh.
    expect(await db.gatewayCommand.count({ where: { gatewayId: f.gw.id, type: "policy_refresh", state: "pending" } })).toBe(1);
    expect((await db.$queryRaw<{ stale: boolean }[]>`select stale from gateway_policies where gateway_id = ${f.gw.id}::uuid`)[0]?.stale).toBe(true);

    const off = await execute(lead.actor, updateApprovalRuleAction, { id: all, enabled: false });
    expect(off.ok).toBe(true);
    expect(await db.auditEvent.count({ where: { action: "approval_rule.disable", targetId: all } })).toBe(1);
    const after = await buildGatewayPolicy(f.gw.id);
    expect(after.agents[0].tools.find((x) => x.name === tool.name)!.approvals!.map((r) => r.ruleId)).toEqual([mine]);
    // The plugin's evaluator applies the policy: rm needs approval, ls does not.
    expect(needsApproval(after, {}, { agentId: "main", toolName: tool.name, params: { command: "rm -rf /" } })).toMatchObject({ ruleId: mine, timeoutMs: 300_000 });
    expect(needsApproval(after, {}, { agentId: "main", toolName: tool.name, params: { command: "ls" } })).toBeNull();
  });

  it("refuses unsafe or unbounded patterns, bad timeouts and scope mismatches with field errors", async () => {
    const lead = await makeUser("security_lead");
    const bad: [Record<string, unknown>, string][] = [
      [{ match: { type: "param", path: "command", pattern: "(a+)+$" } }, "match.pattern"],
      [{ match: { type: "param", path: "command", pattern: "(a|a)*b" } }, "match.pattern"],
      [{ match: { type: "param", path: "command", pattern: "(x)\\1" } }, "match.pattern"],
      [{ match: { type: "param", path: "command", pattern: ".*.*x" } }, "match.pattern"], // star height 1, cubic time
      [{ match: { type: "param", path: "command", pattern: "a+b{2,}" } }, "match.pattern"],
      [{ match: { type: "param", path: "command", pattern: "a{0,99}b{0,99}" } }, "match.pattern"],
      [{ match: { type: "param", path: "command", pattern: "x".repeat(201) } }, "match.pattern"],
      [{ match: { type: "param", path: "command", pattern: "[" } }, "match.pattern"],
      [{ match: { type: "param", path: "__proto__.x", pattern: "a" } }, "match.path"],
      [{ timeoutSeconds: 5 }, "timeoutSeconds"],
      [{ timeoutSeconds: 1801 }, "timeoutSeconds"],
      [{ scope: "agent_tool" }, "agentId"],
      [{ toolName: "exec; drop" }, "toolName"],
    ];
    const before = await db.approvalRule.count();
    for (const [o, field] of bad) {
      const r = await execute(lead.actor, createApprovalRuleAction, { scope: "tool", toolName: "exec", reason: "r", ...o });
      expect(r.ok, field).toBe(false);
      expect(Object.keys((r as { fieldErrors?: Record<string, string[]> }).fieldErrors ?? {}), field).toContain(field);
    }
    expect(await db.approvalRule.count()).toBe(before);
    expect(patternProblem("^(rm|dd)\\s")).toBeNull();
    expect(patternProblem("^curl .*https?://")).toBeNull();
    expect(patternProblem("\\b(rm|dd|mkfs)\\b\\s+-")).toBeNull();
  });

  it("require_approval containment is carried as containment.approvalTools, not as a denied tool", async () => {
    const f = await fleet();
    const c = await db.containmentAction.create({ data: { scope: "tool", target: "web_fetch", action: "require_approval", reason: "suspicious fetches" } });
    await db.gatewayCommand.create({ data: { actionId: c.id, gatewayId: f.gw.id, kind: "apply" } });
    const policy = await buildGatewayPolicy(f.gw.id);
    expect(policy.containment.approvalTools).toEqual({ web_fetch: "suspicious fetches" });
    expect(policy.containment.deniedTools).toEqual({});
    expect(needsApproval(policy, {}, { agentId: "main", toolName: "web_fetch", params: {} })).toMatchObject({ ruleId: "containment:web_fetch" });
  });

  it("the system actor can expire with nothing due (a no-op)", async () => {
    expect(await expireApprovals(new Date(0))).toBe(0);
    void SYSTEM_ACTOR;
  });
});
