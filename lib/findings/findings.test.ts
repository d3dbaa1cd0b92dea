import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { computeFindings } from "./compute";
import { computeFindingsAction, dismissFindingAction, openIncidentAction } from "./actions";

const MIN = 60_000;
const HOUR = 60 * MIN;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const ago = (ms: number) => new Date(Date.now() - ms);
const window = () => ({ since: ago(2 * HOUR) });

async function gateway() {
  return db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
}

async function agent(gatewayId: string, scope: "internal" | "external" = "internal") {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test", gatewayId, scope } });
}

/** A tool with one approved version (pinned to `hash`) granted directly to the agent. */
async function approvedTool(agentId: string, hash = sha(rid())) {
  const lead = await makeUser("security_lead");
  const tool = await db.tool.create({ data: { name: `tool-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
  const v = await db.toolVersion.create({ data: { toolId: tool.id, version: "1.0.0", contentHash: hash } });
  await db.trustDecision.create({ data: { toolVersionId: v.id, deciderId: lead.user.id, outcome: "approve", checklist: {}, reason: "Reviewed for the test" } });
  await db.grant.create({ data: { agentId, toolId: tool.id, kind: "grant", reason: "Test grant", grantedById: lead.user.id } });
  return { tool, hash };
}

type Call = { toolName: string; at?: Date; hash?: string | null; blocked?: boolean; egress?: string[] };
async function calls(gatewayId: string, a: { id: string; name: string }, list: Call[]) {
  await db.toolCall.createMany({
    data: list.map((c) => ({
      occurredAt: c.at ?? ago(10 * MIN),
      gatewayId,
      eventId: `ev-${rid()}`,
      agentId: a.id,
      agentName: a.name,
      toolName: c.toolName,
      toolHash: c.hash ?? null,
      decision: c.blocked ? ("blocked" as const) : ("allowed" as const),
      egressHosts: c.egress ?? [],
    })),
  });
}
const times = (n: number, c: Call) => Array.from({ length: n }, () => ({ ...c }));

const findingsOf = (agentId: string, kind?: "unapproved_tool" | "hash_drift" | "undocumented_egress" | "spike") =>
  db.finding.findMany({ where: { agentId, ...(kind ? { kind } : {}) }, orderBy: { firstSeenAt: "asc" } });

describe("computed findings", () => {
  it("flags calls to tools not allowed for the agent, and not the approved ones", async () => {
    const gw = await gateway();
    const a = await agent(gw.id);
    const other = await agent(gw.id);
    const { tool: ok, hash } = await approvedTool(a.id);
    const rogue = `rogue-${rid()}`;
    await calls(gw.id, a, [...times(2, { toolName: ok.name, hash }), { toolName: rogue }, { toolName: rogue, hash: sha("x") }, { toolName: rogue, blocked: true }]);
    // The other agent calls the tool approved for `a` only: unapproved for it.
    await calls(gw.id, other, [{ toolName: ok.name, hash }]);

    const res = await computeFindings(window());
    expect(res.counts.unapproved_tool.created).toBeGreaterThanOrEqual(2);

    const mine = await findingsOf(a.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: "unapproved_tool", severity: "high", status: "open", gatewayId: gw.id, toolName: rogue });
    expect(mine[0].detail).toMatchObject({ calls: 3, blocked: 1, firstAt: expect.any(String), lastAt: expect.any(String) });
    expect((mine[0].detail as { sampleEventIds: string[] }).sampleEventIds).toHaveLength(3);
    expect(await findingsOf(other.id)).toEqual([expect.objectContaining({ kind: "unapproved_tool", toolName: ok.name })]);
  });

  it("flags a hash that differs from the approved one (critical), not null hashes or exception-only tools", async () => {
    const gw = await gateway();
    const a = await agent(gw.id);
    const { tool, hash } = await approvedTool(a.id);
    const drifted = sha(`tampered-${rid()}`);
    const lead = await makeUser("security_lead");
    const exTool = await db.tool.create({ data: { name: `ex-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    await db.grant.create({ data: { agentId: a.id, toolId: exTool.id, kind: "exception", reason: "Short exception", expiresAt: new Date(Date.now() + 86_400_000), grantedById: lead.user.id } });
    await calls(gw.id, a, [{ toolName: tool.name, hash }, { toolName: tool.name, hash: null }, ...times(2, { toolName: tool.name, hash: drifted }), { toolName: exTool.name, hash: sha("any") }]);

    await computeFindings(window());
    const mine = await findingsOf(a.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: "hash_drift", severity: "critical", toolName: tool.name });
    expect(mine[0].detail).toMatchObject({ seenHash: drifted, approvedHashes: [hash], calls: 2 });
  });

  it("flags egress hosts without an approved or proposed data flow (wildcards cover sub-domains)", async () => {
    const gw = await gateway();
    const a = await agent(gw.id);
    const ext = await agent(gw.id, "external");
    const flow = (agentId: string, host: string, status: "approved" | "proposed" | "rejected") =>
      db.dataFlow.create({ data: { agentId, service: host, host, dataSent: "x", dataReceived: "y", classification: "internal", status } });
    await flow(a.id, "api.ok.com", "approved");
    await flow(a.id, "*.wild.com", "proposed");
    await flow(a.id, "bad.com", "rejected");
    const { tool, hash } = await approvedTool(a.id);
    await calls(gw.id, a, [
      { toolName: tool.name, hash, egress: ["api.ok.com", "X.wild.com", "bad.com"] },
      { toolName: tool.name, hash, egress: ["new.com:443", "wild.com", "API.OK.COM"] },
    ]);
    await calls(gw.id, ext, [{ toolName: "web_fetch", egress: ["leak.example.org"] }]);

    await computeFindings(window());
    const egress = await findingsOf(a.id, "undocumented_egress");
    expect(egress.map((f) => (f.detail as { host: string }).host).sort()).toEqual(["bad.com", "new.com", "wild.com"]);
    expect(egress.every((f) => f.severity === "medium" && f.toolName === tool.name)).toBe(true);
    expect(egress.find((f) => (f.detail as { host: string }).host === "new.com")!.detail).toMatchObject({ calls: 1 });
    expect(await findingsOf(ext.id, "undocumented_egress")).toEqual([expect.objectContaining({ severity: "high", detail: expect.objectContaining({ host: "leak.example.org" }) })]);
  });

  it("flags an hourly spike over 5× the 7-day baseline and over 50 calls", async () => {
    const gw = await gateway();
    const [spiky, steady, quiet] = await Promise.all([agent(gw.id), agent(gw.id), agent(gw.id)]);
    await calls(gw.id, spiky, [...times(60, { toolName: "search", at: ago(20 * MIN) }), ...times(10, { toolName: "search", at: ago(3 * 86_400_000) })]);
    // 20 calls an hour all week: 60 in the last hour is only 3×.
    await calls(gw.id, steady, [
      ...times(60, { toolName: "search", at: ago(20 * MIN) }),
      ...Array.from({ length: 168 * 20 }, (_, i) => ({ toolName: "search", at: ago(HOUR + 5 * MIN + Math.floor(i / 20) * HOUR) })),
    ]);
    await calls(gw.id, quiet, times(40, { toolName: "search", at: ago(20 * MIN) }));

    await computeFindings(window());
    const s = await findingsOf(spiky.id, "spike");
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ severity: "medium", toolName: null, detail: expect.objectContaining({ lastHour: 60, baselinePerHour: 0.06 }) });
    expect(await findingsOf(steady.id, "spike")).toEqual([]);
    expect(await findingsOf(quiet.id, "spike")).toEqual([]);
  });

  it("recomputing updates the open finding instead of adding another", async () => {
    const gw = await gateway();
    const a = await agent(gw.id);
    const rogue = `rogue-${rid()}`;
    await calls(gw.id, a, [{ toolName: rogue, at: ago(30 * MIN) }]);
    await computeFindings(window());
    const [first] = await findingsOf(a.id);
    await calls(gw.id, a, times(2, { toolName: rogue, at: ago(MIN) }));
    const res = await computeFindings(window());
    expect(res.counts.unapproved_tool.updated).toBeGreaterThanOrEqual(1);
    const after = await findingsOf(a.id);
    expect(after).toHaveLength(1);
    expect(after[0].id).toBe(first.id);
    expect(after[0].detail).toMatchObject({ calls: 3 });
    expect(after[0].lastSeenAt.getTime()).toBeGreaterThan(first.lastSeenAt.getTime());
    expect(after[0].firstSeenAt.getTime()).toBe(first.firstSeenAt.getTime());
  });

  it("a dismissed finding stays dismissed until calls after the dismissal arrive", async () => {
    const lead = await makeUser("security_lead");
    const gw = await gateway();
    const a = await agent(gw.id);
    const rogue = `rogue-${rid()}`;
    await calls(gw.id, a, [{ toolName: rogue, at: ago(30 * MIN) }]);
    await computeFindings(window());
    const [f] = await findingsOf(a.id);

    expect(await execute(lead.actor, dismissFindingAction, { id: f.id, reason: "Expected during the migration" })).toMatchObject({ ok: true, data: { status: "dismissed" } });
    expect(await db.auditEvent.count({ where: { action: "finding.dismiss", targetId: f.id, outcome: "success" } })).toBe(1);
    expect(await execute(lead.actor, dismissFindingAction, { id: f.id, reason: "Dismissing it twice" })).toMatchObject({ ok: false, status: 409 });

    await computeFindings(window());
    expect(await findingsOf(a.id)).toEqual([expect.objectContaining({ id: f.id, status: "dismissed", dismissReason: "Expected during the migration" })]);

    await new Promise((r) => setTimeout(r, 20));
    await calls(gw.id, a, [{ toolName: rogue, at: new Date() }]);
    await computeFindings(window());
    const after = await findingsOf(a.id);
    expect(after.map((x) => x.status)).toEqual(["dismissed", "open"]);
    expect(after[0].id).toBe(f.id);
    await computeFindings(window());
    expect(await findingsOf(a.id)).toHaveLength(2);
  });

  it("opening an incident creates the incident, its first event and marks the finding", async () => {
    const lead = await makeUser("security_lead");
    const gw = await gateway();
    const a = await agent(gw.id);
    await calls(gw.id, a, [{ toolName: `rogue-${rid()}` }]);
    await computeFindings(window());
    const [f] = await findingsOf(a.id);

    const res = await execute(lead.actor, openIncidentAction, { id: f.id, severity: "critical" });
    expect(res).toMatchObject({ ok: true, data: { severity: "critical", findingId: f.id, status: "open" } });
    if (!res.ok) return;
    expect(await db.incident.findUniqueOrThrow({ where: { id: res.data.id } })).toMatchObject({ title: f.title, severity: "critical", findingId: f.id });
    expect(await db.incidentEvent.findMany({ where: { incidentId: res.data.id } })).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "finding", body: expect.objectContaining({ findingId: f.id }) })]),
    );
    expect(await db.finding.findUniqueOrThrow({ where: { id: f.id } })).toMatchObject({ status: "incident" });
    expect(await db.auditEvent.count({ where: { action: "incident.open", targetId: res.data.id, outcome: "success" } })).toBe(1);
    expect(await execute(lead.actor, openIncidentAction, { id: f.id })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(lead.actor, dismissFindingAction, { id: f.id, reason: "Too late to dismiss" })).toMatchObject({ ok: false, status: 409 });

    // An incident's finding keeps collecting evidence; no second open finding appears.
    await calls(gw.id, a, [{ toolName: f.toolName!, at: new Date() }]);
    await computeFindings(window());
    expect(await findingsOf(a.id)).toEqual([expect.objectContaining({ id: f.id, status: "incident" })]);
  });

  it("the compute action is audited with its counts", async () => {
    const { actor } = await makeUser("operator");
    const res = await execute(actor, computeFindingsAction, { sinceHours: 2 });
    expect(res).toMatchObject({ ok: true, data: { counts: { spike: expect.any(Object) } } });
    const row = await db.auditEvent.findFirstOrThrow({ where: { action: "findings.compute", actorLabel: actor.label } });
    expect(row).toMatchObject({ outcome: "success", after: expect.objectContaining({ counts: expect.any(Object) }) });
    expect(await execute(actor, computeFindingsAction, { sinceHours: 1000 })).toMatchObject({ ok: false, status: 400, fieldErrors: { sinceHours: expect.any(Array) } });
  });

  it.each(["manager", "auditor"] as const)("%s cannot dismiss, open incidents or compute", async (role) => {
    const { actor } = await makeUser(role);
    const gw = await gateway();
    const a = await agent(gw.id);
    await calls(gw.id, a, [{ toolName: `rogue-${rid()}` }]);
    await computeFindings(window());
    const [f] = await findingsOf(a.id);

    expect(await execute(actor, dismissFindingAction, { id: f.id, reason: "Not my call to make" })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, openIncidentAction, { id: f.id })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, computeFindingsAction, {})).toMatchObject({ ok: false, status: 403 });
    for (const action of ["finding.dismiss", "incident.open", "findings.compute"]) {
      expect(await db.auditEvent.count({ where: { action, outcome: "denied", actorLabel: actor.label } })).toBe(1);
    }
    expect(await db.finding.findUniqueOrThrow({ where: { id: f.id } })).toMatchObject({ status: "open" });
    expect(await db.incident.count({ where: { findingId: f.id } })).toBe(0);
  });
});
