import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { covers, effectiveAllowlist } from "@/lib/allowlist/effective";
import { createGrantAction, createToolRequestAction, decideToolRequestAction, revokeDecisionAction, revokeGrantAction } from "./actions";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const CHECKS = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "4 deps, all current", permissionsNarrowed: true, credEgressFlagged: false };

async function agent() {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test" } });
}

async function request(requester: Awaited<ReturnType<typeof makeUser>>, opts: { name?: string; version?: string; hash?: string; agentIds?: string[]; perms?: object } = {}) {
  const res = await execute(requester.actor, createToolRequestAction, {
    tool: { name: opts.name ?? `tool-${rid()}`, kind: "skill", source: "clawhub", publisher: "acme" },
    version: opts.version ?? "1.0.0",
    contentHash: opts.hash ?? sha(rid()),
    permissions: { fsRead: true, egressHosts: [], ...(opts.perms ?? {}) },
    justification: "Needed for the weekly report",
    agentIds: opts.agentIds ?? [],
  });
  if (!res.ok) throw new Error(JSON.stringify(res));
  return res.data;
}

describe("tool requests and trust decisions", () => {
  it("approval puts the pinned version on the agent's effective allowlist; revoke removes it", async () => {
    const requester = await makeUser("operator");
    const lead = await makeUser("security_lead");
    const a = await agent();
    const hash = sha(rid());
    const req = await request(requester, { agentIds: [a.id], hash });
    expect((await effectiveAllowlist(a.id))!.entries).toEqual([]);

    const d = await execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve", checklist: CHECKS, reason: "Verified publisher, clean audit" });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.data.grantedAgentIds).toEqual([a.id]);
    expect(Math.round((d.data.reReviewAt!.getTime() - d.data.decidedAt.getTime()) / 86_400_000)).toBe(90);
    const list = (await effectiveAllowlist(a.id))!;
    expect(list.entries).toHaveLength(1);
    expect(list.entries[0]).toMatchObject({ status: "allowed", versions: [{ version: "1.0.0", contentHash: hash, decisionId: d.data.id }] });
    expect(list.entries[0].via).toEqual([expect.objectContaining({ type: "grant" })]);
    const decision = await db.trustDecision.findUniqueOrThrow({ where: { id: d.data.id } });
    expect(decision).toMatchObject({ deciderId: lead.user.id, reason: "Verified publisher, clean audit", checklist: CHECKS });
    expect(await db.auditEvent.count({ where: { action: "tool_request.decide", targetId: req.id, outcome: "success" } })).toBe(1);

    expect(await execute(lead.actor, revokeDecisionAction, { id: d.data.id, reason: "Publisher account compromised" })).toMatchObject({ ok: true });
    const after = (await effectiveAllowlist(a.id))!;
    expect(after.entries[0]).toMatchObject({ status: "denied", versions: [] });
    expect(after.entries[0].reason).toContain("revoked");
  });

  it("refuses self-approval and audits it", async () => {
    const lead = await makeUser("security_lead");
    const req = await request(lead);
    const res = await execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve", checklist: CHECKS, reason: "I like my own tool" });
    expect(res).toMatchObject({ ok: false, status: 403 });
    expect(await db.toolRequest.findUniqueOrThrow({ where: { id: req.id } })).toMatchObject({ status: "pending" });
    expect(await db.auditEvent.count({ where: { action: "tool_request.decide", outcome: "denied", targetType: "tool_request", targetId: req.id } })).toBe(1);
    // A role without the scope aiming at the same request: denied on the scope, the request kept beside it.
    const viewer = await makeUser("manager");
    expect(await execute(viewer.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve", checklist: CHECKS, reason: "not mine to decide" })).toMatchObject({ ok: false, status: 403 });
    expect((await db.auditEvent.findFirstOrThrow({ where: { action: "tool_request.decide", outcome: "denied", actorId: viewer.user.id } })).after).toEqual({
      targetType: "tool_request",
      targetId: req.id,
    });
    expect(await db.trustDecision.count({ where: { requestId: req.id } })).toBe(0);
  });

  it("a new hash for an approved tool is not covered by the old approval", async () => {
    const requester = await makeUser("operator");
    const lead = await makeUser("security_lead");
    const a = await agent();
    const name = `pinned-${rid()}`;
    const good = sha("v1-good");
    const req = await request(requester, { name, hash: good, agentIds: [a.id] });
    await execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve", checklist: CHECKS, reason: "Reviewed v1.0.0 as published" });
    const drifted = sha(`v1-tampered-${rid()}`);
    await request(requester, { name, hash: drifted, agentIds: [a.id] }); // same version string, different artefact
    const list = (await effectiveAllowlist(a.id))!;
    expect(covers(list, name, "1.0.0", good)).toBe(true);
    expect(covers(list, name, "1.0.0", drifted)).toBe(false);
    expect(covers(list, name, "1.1.0", null)).toBe(false);
    expect(list.entries[0].versions.map((v) => v.contentHash)).toEqual([good]);
  });

  it("approve-with-conditions needs narrowed permissions; cred+egress must be acknowledged", async () => {
    const requester = await makeUser("operator");
    const lead = await makeUser("security_lead");
    const req = await request(requester, { perms: { credentialAccess: true, egressHosts: ["api.example.com"] } });
    expect(await execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve_with_conditions", checklist: CHECKS, reason: "Only with narrowed scope" })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { conditions: expect.any(Array) },
    });
    expect(await execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve", checklist: CHECKS, reason: "Looks fine to me" })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { "checklist.credEgressFlagged": expect.any(Array) },
    });
    expect(await execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve", checklist: { ...CHECKS, authorVerified: false }, reason: "Skipping the checks" })).toMatchObject(
      { ok: false, status: 400, fieldErrors: { "checklist.authorVerified": expect.any(Array) } },
    );
    const ok = await execute(lead.actor, decideToolRequestAction, {
      requestId: req.id,
      outcome: "approve_with_conditions",
      checklist: CHECKS,
      reason: "No credential access needed",
      conditions: { credentialAccess: false, egressHosts: ["api.example.com"] },
    });
    expect(ok).toMatchObject({ ok: true, data: { outcome: "approve_with_conditions" } });
    // Decided once: a second decision is refused.
    expect(await execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "reject", checklist: CHECKS, reason: "Changed my mind now" })).toMatchObject({ ok: false, status: 409 });
  });

  it("an expired exception and a past re-review date change status without anyone acting", async () => {
    const requester = await makeUser("operator");
    const lead = await makeUser("security_lead");
    const a = await agent();
    const req = await request(requester, { agentIds: [a.id] });
    await execute(lead.actor, decideToolRequestAction, { requestId: req.id, outcome: "approve", checklist: CHECKS, reason: "Reviewed and approved", reReviewDays: 30 });
    const exTool = await db.tool.create({ data: { name: `ex-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    const ex = await execute(lead.actor, createGrantAction, {
      agentId: a.id,
      toolId: exTool.id,
      kind: "exception",
      reason: "Incident cleanup this week",
      expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(ex.ok).toBe(true);

    const today = (await effectiveAllowlist(a.id))!;
    expect(today.entries.map((e) => [e.toolName, e.status])).toEqual(expect.arrayContaining([[exTool.name, "allowed"]]));
    expect(today.entries.find((e) => e.toolId === req.toolId)!.versions[0].overdue).toBe(false);

    const later = (await effectiveAllowlist(a.id, new Date(Date.now() + 31 * 86_400_000)))!;
    expect(later.entries.find((e) => e.toolName === exTool.name)).toBeUndefined();
    expect(later.entries.find((e) => e.toolId === req.toolId)).toMatchObject({ status: "allowed", versions: [expect.objectContaining({ overdue: true })] });
    expect(later.entries.find((e) => e.toolId === req.toolId)!.reason).toContain("re-review overdue");
  });

  it("exceptions need an end time; revoking a grant removes the tool", async () => {
    const lead = await makeUser("security_lead");
    const a = await agent();
    const tool = await db.tool.create({ data: { name: `g-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    expect(await execute(lead.actor, createGrantAction, { agentId: a.id, toolId: tool.id, kind: "exception", reason: "No end time given" })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { expiresAt: expect.any(Array) },
    });
    const g = await execute(lead.actor, createGrantAction, { agentId: a.id, toolId: tool.id, kind: "grant", reason: "Direct grant for testing" });
    if (!g.ok) throw new Error("grant failed");
    expect((await effectiveAllowlist(a.id))!.entries[0]).toMatchObject({ status: "denied", reason: expect.stringContaining("no approved version") });
    await execute(lead.actor, revokeGrantAction, { id: g.data.id, reason: "No longer needed" });
    expect((await effectiveAllowlist(a.id))!.entries).toEqual([]);
  });

  it("suspended agents get nothing", async () => {
    const lead = await makeUser("security_lead");
    const a = await db.agent.create({ data: { name: `sus-${rid()}`, owner: "t", purpose: "t", status: "suspended" } });
    const tool = await db.tool.create({ data: { name: `s-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    await execute(lead.actor, createGrantAction, {
      agentId: a.id,
      toolId: tool.id,
      kind: "exception",
      reason: "Would be allowed if active",
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect((await effectiveAllowlist(a.id))!.entries[0]).toMatchObject({ status: "denied", reason: expect.stringContaining("suspended") });
  });

  it.each(["auditor", "manager"] as const)("%s cannot request or decide", async (role) => {
    const { actor } = await makeUser(role);
    const requester = await makeUser("operator");
    const req = await request(requester);
    expect(
      await execute(actor, createToolRequestAction, {
        tool: { name: "x", kind: "tool", source: "npm", publisher: "p" },
        version: "1",
        contentHash: sha("x"),
        permissions: {},
        justification: "Because I want it",
      }),
    ).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, decideToolRequestAction, { requestId: req.id, outcome: "reject", checklist: CHECKS, reason: "Not allowed anyway" })).toMatchObject({ ok: false, status: 403 });
    expect(await db.auditEvent.count({ where: { action: "tool_request.decide", outcome: "denied", actorLabel: actor.label } })).toBe(1);
  });

  it("bad requests get field errors and write nothing", async () => {
    const requester = await makeUser("operator");
    const before = await db.toolRequest.count();
    const res = await execute(requester.actor, createToolRequestAction, {
      tool: { name: "bad name!", kind: "gadget", source: "npm", publisher: "" },
      version: "",
      contentHash: "abc",
      permissions: { egressHosts: ["not a host"] },
      justification: "short",
    });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(Object.keys(res.fieldErrors!).sort()).toEqual(["contentHash", "justification", "permissions.egressHosts.0", "tool.kind", "tool.name", "tool.publisher", "version"]);
    expect(await db.toolRequest.count()).toBe(before);
  });
});
