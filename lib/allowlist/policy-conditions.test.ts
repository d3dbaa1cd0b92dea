// What the signed policy carries for the gateway to check: conditions of approvals (validated at
// decision time), the agent's approved data-flow hosts, and every time bound of an allowance.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { createGrantAction, createToolRequestAction, decideToolRequestAction } from "@/lib/tools/actions";
import { createDataFlowAction, decideDataFlowAction, updateDataFlowAction } from "@/lib/data-flows/actions";
import { effectiveAllowlist } from "@/lib/allowlist/effective";
import { buildGatewayPolicy } from "@/lib/allowlist/policy";
import { describeConditions } from "@/lib/tools/conditions";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const CHECKS = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "bundled", permissionsNarrowed: true, credEgressFlagged: false };

async function setup() {
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test" } });
  const agent = await db.agent.create({ data: { name: `a-${rid()}`, externalId: "main", owner: "o", purpose: "p", gatewayId: gw.id } });
  const requester = await makeUser("operator");
  const lead = await makeUser("security_lead");
  return { gw, agent, requester, lead };
}

async function requestTool(s: Awaited<ReturnType<typeof setup>>, name: string, version = "1.0.0", agentIds: string[] = [s.agent.id]) {
  const res = await execute(s.requester.actor, createToolRequestAction, {
    tool: { name, kind: "tool", source: "builtin", publisher: "OpenClaw" },
    version,
    contentHash: sha(rid()),
    permissions: { fsWrite: true, egressHosts: [] },
    justification: "Needed by the agent for tests",
    agentIds,
  });
  if (!res.ok) throw new Error(JSON.stringify(res));
  return res.data;
}
const decide = (s: Awaited<ReturnType<typeof setup>>, requestId: string, conditions?: object) =>
  execute(s.lead.actor, decideToolRequestAction, {
    requestId,
    outcome: conditions ? "approve_with_conditions" : "approve",
    checklist: CHECKS,
    reason: "Reviewed for the test suite",
    ...(conditions ? { conditions } : {}),
  });

describe("conditions in the signed policy", () => {
  it("carries the newest approval's conditions, normalised; an older unconditioned approval does not lift them", async () => {
    const s = await setup();
    const name = `write-${rid()}`;
    const r1 = await requestTool(s, name, "1.0.0");
    expect((await decide(s, r1.id)).ok).toBe(true);
    let tool = (await buildGatewayPolicy(s.gw.id)).agents[0].tools.find((t) => t.name === name)!;
    expect(tool.conditions).toBeUndefined();

    const r2 = await requestTool(s, name, "2.0.0", []);
    const res = await decide(s, r2.id, {
      fsWrite: true,
      egressHosts: ["HOOKS.Slack.com.", "*.Example.com", "bücher.example"],
      pathPrefixes: ["/srv/data/", "/srv//data/../reports/./q1"],
      commandPatterns: ["git status", "git status"],
    });
    expect(res, JSON.stringify(res)).toMatchObject({ ok: true });
    const policy = await buildGatewayPolicy(s.gw.id);
    tool = policy.agents[0].tools.find((t) => t.name === name)!;
    expect(tool.conditions).toEqual({ egressHosts: ["*.example.com", "hooks.slack.com", "xn--bcher-kva.example"], pathPrefixes: ["/srv/data", "/srv/reports/q1"], commandPatterns: ["git status"] });
    expect(tool.versions.map((v) => v.version).sort()).toEqual(["1.0.0", "2.0.0"]);

    // The effective allowlist says which conditions apply and where they come from, in words.
    const entry = (await effectiveAllowlist(s.agent.id))!.entries.find((e) => e.toolName === name)!;
    expect(entry.conditionsFrom).toBe("2.0.0");
    expect(entry.reason).toContain("with the conditions of 2.0.0 on every call");
    expect(describeConditions(entry.conditions)).toEqual([
      "Network only to *.example.com, hooks.slack.com, xn--bcher-kva.example",
      "Files only under /srv/data, /srv/reports/q1",
      'Commands only matching "git status"',
    ]);
  });

  it("refuses hostile conditions at decision time with field errors and records nothing", async () => {
    const s = await setup();
    const r = await requestTool(s, `t-${rid()}`);
    const bad: [string, object][] = [
      ["conditions.pathPrefixes.0", { pathPrefixes: ["relative/dir"] }],
      ["conditions.pathPrefixes.0", { pathPrefixes: ["/srv/\u0000x"] }],
      ["conditions.pathPrefixes.0", { pathPrefixes: ["/" + "a".repeat(600)] }],
      ["conditions.egressHosts.0", { egressHosts: ["https://evil.io/x"] }],
      ["conditions.egressHosts.0", { egressHosts: ["evil.io:8080"] }],
      ["conditions.egressHosts.0", { egressHosts: ["*.com"] }],
      ["conditions.egressHosts.0", { egressHosts: ["a b.com"] }],
      ["conditions.commandPatterns.0", { commandPatterns: ["*"] }],
      ["conditions.commandPatterns.0", { commandPatterns: ["x".repeat(201)] }],
      ["conditions.commandPatterns.0", { commandPatterns: ["ls\nrm"] }],
      ["conditions.commandPatterns.0", { commandPatterns: ["*a*a*a*a*a*a*a*a*a*a*a*"] }],
      ["conditions.commandPatterns", { commandPatterns: Array.from({ length: 21 }, (_, i) => `cmd${i}`) }],
    ];
    for (const [field, cond] of bad) {
      const res = await decide(s, r.id, { fsWrite: true, ...cond });
      expect(res, JSON.stringify(cond)).toMatchObject({ ok: false, status: 400 });
      if (!res.ok) expect(Object.keys(res.fieldErrors ?? {}), JSON.stringify(cond)).toContain(field);
    }
    expect(await db.trustDecision.count({ where: { requestId: r.id } })).toBe(0);
    expect((await db.toolRequest.findUnique({ where: { id: r.id } }))!.status).toBe("pending");
  });

  it("lists the hosts of the agent's approved data flows (not proposed or rejected ones)", async () => {
    const s = await setup();
    await db.dataFlow.createMany({
      data: [
        { agentId: s.agent.id, service: "a", host: "api.openai.com", dataSent: "x", dataReceived: "y", classification: "internal", status: "approved" },
        { agentId: s.agent.id, service: "b", host: "127.0.0.1", dataSent: "x", dataReceived: "y", classification: "internal", status: "approved" },
        { agentId: s.agent.id, service: "c", host: "proposed.example.com", dataSent: "x", dataReceived: "y", classification: "internal", status: "proposed" },
        { agentId: s.agent.id, service: "d", host: "rejected.example.com", dataSent: "x", dataReceived: "y", classification: "internal", status: "rejected" },
      ],
    });
    expect((await buildGatewayPolicy(s.gw.id)).agents[0].egressHosts).toEqual(["127.0.0.1", "api.openai.com"]);
  });

  it("a data flow may name an IPv6 literal (stored in the URL parser's form, as the gateway compares it); malformed ones are refused", async () => {
    const s = await setup();
    const flow = (host: string) => execute(s.lead.actor, createDataFlowAction, { agentId: s.agent.id, service: `svc ${rid()}`, host, dataSent: "x", dataReceived: "y", classification: "internal" });
    const ok = await flow("[0:0:0:0:0:FFFF:7F00:0001]");
    expect(ok, JSON.stringify(ok)).toMatchObject({ ok: true, data: { host: "::ffff:7f00:1" } });
    if (ok.ok) expect((await execute(s.lead.actor, decideDataFlowAction, { id: ok.data.id, status: "approved" })).ok).toBe(true);
    for (const bad of ["a:b:zz", "[::1]:80", "http://[::1]/", "::1%eth0", "1::2::3"]) expect(await flow(bad), bad).toMatchObject({ ok: false, status: 400, fieldErrors: { host: expect.any(Array) } });
    expect((await buildGatewayPolicy(s.gw.id)).agents[0].egressHosts).toEqual(["::ffff:7f00:1"]);
  });

  it("approving or editing an approved flow marks the gateway's cached policy stale and queues one refresh", async () => {
    const s = await setup();
    await db.gateway.update({ where: { id: s.gw.id }, data: { lastSeenAt: new Date() } });
    const pending = () => db.gatewayCommand.count({ where: { gatewayId: s.gw.id, type: "policy_refresh", state: "pending" } });
    const stale = async () => (await db.$queryRaw<{ stale: boolean }[]>`select stale from gateway_policies where gateway_id = ${s.gw.id}::uuid`)[0]?.stale ?? null;
    /** What the gateway does with a refresh: it acknowledges it and refetches the (recomputed) policy. */
    const settle = async () => {
      await db.gatewayCommand.updateMany({ where: { gatewayId: s.gw.id, type: "policy_refresh", state: "pending" }, data: { state: "applied", ackedAt: new Date() } });
      await db.$executeRaw`update gateway_policies set stale = false where gateway_id = ${s.gw.id}::uuid`;
    };
    const created = await execute(s.lead.actor, createDataFlowAction, { agentId: s.agent.id, service: "stub", host: "10.0.0.7", dataSent: "x", dataReceived: "y", classification: "internal" });
    if (!created.ok) throw new Error(JSON.stringify(created));
    await settle();
    expect((await execute(s.lead.actor, decideDataFlowAction, { id: created.data.id, status: "approved" })).ok).toBe(true);
    expect(await pending()).toBe(1);
    expect(await stale()).toBe(true);
    expect((await buildGatewayPolicy(s.gw.id)).agents[0].egressHosts).toContain("10.0.0.7");
    await settle();
    expect((await execute(s.lead.actor, updateDataFlowAction, { id: created.data.id, dataSent: "a different payload" })).ok).toBe(true); // back to proposed
    expect(await pending()).toBe(1);
    expect(await stale()).toBe(true);
    expect((await buildGatewayPolicy(s.gw.id)).agents[0].egressHosts).not.toContain("10.0.0.7");
  });
});

describe("every time bound of an allowance is in the policy", () => {
  it("an exception beside an approved version carries the exception's end (until); a bundle or open grant removes it", async () => {
    const s = await setup();
    const name = `t-${rid()}`;
    const r = await requestTool(s, name, "1.0.0", []); // approved, but not granted to the agent
    expect((await decide(s, r.id)).ok).toBe(true);
    const toolId = (await db.tool.findUniqueOrThrow({ where: { name } })).id;
    const end = new Date(Date.now() + 3_600_000);
    const ex = await execute(s.lead.actor, createGrantAction, { agentId: s.agent.id, toolId, kind: "exception", reason: "Incident work this hour", expiresAt: end });
    expect(ex.ok, JSON.stringify(ex)).toBe(true);
    let tool = (await buildGatewayPolicy(s.gw.id)).agents[0].tools.find((t) => t.name === name)!;
    expect(tool.versions).toHaveLength(1);
    expect(tool.until).toBe(end.toISOString());

    // A time-bound grant too: the allowance ends with the later of the two.
    const later = new Date(Date.now() + 7_200_000);
    expect((await execute(s.lead.actor, createGrantAction, { agentId: s.agent.id, toolId, kind: "grant", reason: "For the migration window", expiresAt: later })).ok).toBe(true);
    tool = (await buildGatewayPolicy(s.gw.id)).agents[0].tools.find((t) => t.name === name)!;
    expect(tool.until).toBe(later.toISOString());

    // A source without an end (a grant with no expiry) makes the allowance open-ended.
    expect((await execute(s.lead.actor, createGrantAction, { agentId: s.agent.id, toolId, kind: "grant", reason: "Permanent from now on" })).ok).toBe(true);
    tool = (await buildGatewayPolicy(s.gw.id)).agents[0].tools.find((t) => t.name === name)!;
    expect(tool.until).toBeUndefined();
  });

  it("an exception-only allowance carries until and the legacy exceptionUntil", async () => {
    const s = await setup();
    const tool = await db.tool.create({ data: { name: `t-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    const end = new Date(Date.now() + 600_000);
    expect((await execute(s.lead.actor, createGrantAction, { agentId: s.agent.id, toolId: tool.id, kind: "exception", reason: "Unreviewed for one incident", expiresAt: end })).ok).toBe(true);
    const t = (await buildGatewayPolicy(s.gw.id)).agents[0].tools.find((x) => x.name === tool.name)!;
    expect(t).toMatchObject({ versions: [], until: end.toISOString(), exceptionUntil: end.toISOString() });
  });
});
