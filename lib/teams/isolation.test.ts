// Teams as isolation boundaries: a matrix of readers (a team's lead, operator and manager, their
// API tokens) against two teams' agents, gateways, grants, tool calls, map, containment and
// evidence. Nothing of team B reaches a reader of team A; admins and auditors see both.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import type { Actor } from "@/lib/auth/actor";
import type { RoleName } from "@/lib/auth/roles";
import { generateToken } from "@/lib/tokens/token";
import { makeUser, rid } from "@/test/factories";

// The API routes resolve the caller from the request headers: a Bearer token, read from the database
// like in production (so the token's team comes from its user's row on every request).
const req = vi.hoisted(() => ({ authorization: "" }));
vi.mock("next/headers", () => ({ headers: async () => new Headers(req.authorization ? { authorization: req.authorization } : {}) }));
vi.mock("next-auth", () => ({ getServerSession: async () => null }));

import { GET as AGENTS } from "@/app/api/v1/agents/route";
import { GET as AGENT } from "@/app/api/v1/agents/[id]/route";
import { GET as GATEWAYS } from "@/app/api/v1/gateways/route";
import { GET as GATEWAY } from "@/app/api/v1/gateways/[id]/route";
import { GET as CALLS } from "@/app/api/v1/tool-calls/route";
import { GET as CALL } from "@/app/api/v1/tool-calls/[id]/route";
import { GET as TAIL } from "@/app/api/v1/tool-calls/tail/route";
import { GET as CONTAINMENTS } from "@/app/api/v1/containment/route";
import { GET as FINDINGS } from "@/app/api/v1/findings/route";
import { GET as INCIDENTS } from "@/app/api/v1/incidents/route";
import { GET as INCIDENT } from "@/app/api/v1/incidents/[id]/route";
import { GET as OVERVIEW } from "@/app/api/v1/overview/route";
import { GET as POSTURE } from "@/app/api/v1/posture/route";
import { GET as AUDIT_EVENTS } from "@/app/api/v1/audit/events/route";
import { GET as SPEND } from "@/app/api/v1/spend/route";
import { updateIncidentAction } from "@/lib/incidents/actions";
import { GET as DATA_FLOWS } from "@/app/api/v1/data-flows/route";
import { GET as TOOL_REQUESTS } from "@/app/api/v1/tool-requests/route";
import { GET as TOOL_REQUEST } from "@/app/api/v1/tool-requests/[id]/route";
import { decideToolRequestAction } from "@/lib/tools/actions";
import { GET as APPROVALS } from "@/app/api/v1/approvals/route";
import { createApprovalRuleAction, decideApprovalAction, updateApprovalRuleAction } from "@/lib/approvals/actions";
import { approveAgentLinkAction } from "@/lib/agent-links/actions";
import { GET as ALLOWLIST } from "@/app/api/v1/agents/[id]/allowlist/route";
import { GET as AGENTS_MD } from "@/app/api/v1/agents/[id]/agents-md/route";
import { listAgentsPage, getAgent, parseAgentQuery } from "@/lib/agents/queries";
import { updateAgentAction, createAgentAction } from "@/lib/agents/actions";
import { listGateways } from "@/lib/fleet/queries";
import { explorerPage, explorerPickers, parseToolCallQuery, scopedQuery, getToolCall, listToolCalls } from "@/lib/tool-calls/queries";
import { getEcosystemMap } from "@/lib/map/queries";
import { containApiAction, releaseContainmentAction, blastRadiusAction } from "@/lib/containment/actions";
import { listActiveContainment, getContainment, containmentTargets } from "@/lib/containment/queries";
import { createGrantAction, revokeGrantAction, setAgentBundlesAction } from "@/lib/tools/actions";
import { rotateGatewaySecretAction } from "@/lib/gateways/actions";
import { startEvidenceExport } from "@/lib/evidence/service";
import { assignTeamAction, createTeamAction, deleteTeamAction, updateTeamAction } from "./actions";
import { teamScopeOf } from "./scope";

const HOUR = 3_600_000;
type World = {
  A: { id: string; name: string };
  B: { id: string; name: string };
  gA: { id: string; name: string };
  gB: { id: string; name: string };
  aA: { id: string; name: string };
  aB: { id: string; name: string };
  tool: string;
  grantB: string;
  callA: { id: string; at: Date };
  callB: { id: string; at: Date };
  callNone: { id: string; at: Date };
  containB: string;
  findingA: string;
  findingB: string;
  incidentB: string;
  flowB: string;
  requestB: string;
  approvalB: string;
};
let w: World;

/** A user of `role` in `teamId`, as a session actor and as an API token (Bearer value). */
async function member(role: RoleName, teamId: string | null) {
  const { user, actor } = await makeUser(role);
  await db.user.update({ where: { id: user.id }, data: { teamId } });
  const { token, tokenHash, prefix } = generateToken();
  await db.apiToken.create({ data: { userId: user.id, name: `t-${rid()}`, prefix, tokenHash, expiresAt: new Date(Date.now() + 86_400_000) } });
  return { user, actor: { ...actor, teamId } as Actor, bearer: `Bearer ${token}` };
}

async function api(bearer: string, handler: (r: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>, path: string, id = "") {
  req.authorization = bearer;
  const res = await handler(new Request(`http://warden.test${path}`, { headers: { authorization: bearer } }), { params: Promise.resolve({ id }) });
  const text = await res.text();
  return { status: res.status, text, json: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null };
}

async function call(gatewayId: string, agentId: string | null, agentName: string, tool: string, teamId: string | null, at: Date) {
  const eventId = `ev-${rid()}`;
  await db.toolCall.create({ data: { occurredAt: at, gatewayId, eventId, agentId, agentName, toolName: tool, decision: "allowed", egressHosts: [], teamId, params: { secret: "p" } } });
  const row = await db.toolCall.findFirstOrThrow({ where: { eventId }, select: { id: true } });
  return { id: row.id.toString(), at };
}

beforeAll(async () => {
  const tag = rid();
  const A = await db.team.create({ data: { name: `team-a-${tag}` } });
  const B = await db.team.create({ data: { name: `team-b-${tag}` } });
  const gA = await db.gateway.create({ data: { name: `gw-a-${tag}`, kind: "generic", environment: "test", teamId: A.id } });
  const gB = await db.gateway.create({ data: { name: `gw-b-${tag}`, kind: "generic", environment: "test", teamId: B.id } });
  const aA = await db.agent.create({ data: { name: `agent-a-${tag}`, owner: "a", purpose: "p", gatewayId: gA.id, teamId: A.id, credentialRefs: ["SHARED_KEY"] } });
  const aB = await db.agent.create({ data: { name: `agent-b-${tag}`, owner: "b", purpose: "p", gatewayId: gB.id, teamId: B.id, credentialRefs: ["SHARED_KEY"] } });
  const tool = await db.tool.create({ data: { name: `tool-${tag}`, kind: "tool", source: "builtin", publisher: "test" } });
  const admin = await makeUser("admin");
  const grantB = await db.grant.create({ data: { agentId: aB.id, toolId: tool.id, kind: "grant", reason: "b needs it", grantedById: admin.user.id } });
  const at = new Date(Date.now() - HOUR / 2);
  const callA = await call(gA.id, aA.id, aA.name, tool.name, A.id, at);
  const callB = await call(gB.id, aB.id, aB.name, tool.name, B.id, at);
  const callNone = await call(gB.id, null, "legacy", tool.name, null, at);
  const containB = await execute(admin.actor, containApiAction, { scope: "agent", target: aB.id, action: "suspend_agent", reason: "team b incident" });
  if (!containB.ok) throw new Error(JSON.stringify(containB));
  const finding = (agentId: string, gatewayId: string, title: string) =>
    db.finding.create({ data: { kind: "unregistered_agent", severity: "high", title, gatewayId, agentId, detail: {} }, select: { id: true } });
  const findingA = await finding(aA.id, gA.id, `finding of ${aA.name}`);
  const findingB = await finding(aB.id, gB.id, `finding of ${aB.name}`);
  const incidentB = await db.incident.create({ data: { title: `incident of ${aB.name}`, severity: "high", findingId: findingB.id }, select: { id: true } });
  const flowB = await db.dataFlow.create({
    data: { agentId: aB.id, service: "B crm", host: `crm-${tag}.example`, dataSent: "b", dataReceived: "b", classification: "internal" },
    select: { id: true },
  });
  const version = await db.toolVersion.create({ data: { toolId: tool.id, version: "1.0.0", contentHash: "a".repeat(64) }, select: { id: true } });
  const requestB = await db.toolRequest.create({
    data: { toolVersionId: version.id, requesterId: admin.user.id, justification: "b wants it", agentIds: [aB.id], bundleIds: [] },
    select: { id: true },
  });
  const approvalB = await db.approvalRequest.create({
    data: {
      gatewayId: gB.id,
      requestId: `r-${rid()}`,
      toolCallId: `c-${rid()}`,
      agentId: aB.id,
      agentRef: aB.name,
      toolName: tool.name,
      paramsHash: "x",
      reason: "needs a person",
      timeoutMs: 600_000,
      expiresAt: new Date(Date.now() + 600_000),
    },
    select: { id: true },
  });
  w = {
    approvalB: approvalB.id,
    A,
    B,
    gA,
    gB,
    aA,
    aB,
    tool: tool.name,
    grantB: grantB.id,
    callA,
    callB,
    callNone,
    containB: containB.data.id,
    findingA: findingA.id,
    findingB: findingB.id,
    incidentB: incidentB.id,
    flowB: flowB.id,
    requestB: requestB.id,
  };
});

describe("team scope of an actor", () => {
  it("security leads, operators and managers with a team are scoped; admins, auditors and users without a team are fleet-wide", () => {
    const base = { kind: "user" as const, label: "x", ip: null, userAgent: null, teamId: "t1" };
    expect(teamScopeOf({ ...base, role: "security_lead" })).toEqual({ teamId: "t1" });
    expect(teamScopeOf({ ...base, role: "operator" })).toEqual({ teamId: "t1" });
    expect(teamScopeOf({ ...base, role: "manager", kind: "api_token" })).toEqual({ teamId: "t1" });
    expect(teamScopeOf({ ...base, role: "admin" })).toBeNull();
    expect(teamScopeOf({ ...base, role: "auditor" })).toBeNull();
    expect(teamScopeOf({ ...base, role: "operator", teamId: null })).toBeNull();
    expect(teamScopeOf({ ...base, role: null, kind: "system" })).toBeNull();
  });
});

describe.each(["security_lead", "operator", "manager"] as const)("a %s of team A sees nothing of team B", (role) => {
  let m: Awaited<ReturnType<typeof member>>;
  beforeAll(async () => {
    m = await member(role, w.A.id);
  });

  it("agents: list, detail, CSV (API token) and the page queries", async () => {
    const list = await api(m.bearer, AGENTS, "/api/v1/agents?pageSize=200");
    expect(list.status).toBe(200);
    const names = list.json.data.map((a: { name: string }) => a.name);
    expect(names).toContain(w.aA.name);
    expect(names).not.toContain(w.aB.name);
    // Every agent listed is team A's.
    expect(list.json.data.every((a: { team: { id: string } | null }) => a.team?.id === w.A.id)).toBe(true);
    const csv = await api(m.bearer, AGENTS, "/api/v1/agents?format=csv");
    expect(csv.text).toContain(w.aA.name);
    expect(csv.text).not.toContain(w.aB.name);
    expect((await api(m.bearer, AGENT, `/api/v1/agents/${w.aB.id}`, w.aB.id)).status).toBe(404);
    expect((await api(m.bearer, AGENT, `/api/v1/agents/${w.aA.id}`, w.aA.id)).status).toBe(200);
    expect((await api(m.bearer, ALLOWLIST, `/api/v1/agents/${w.aB.id}/allowlist`, w.aB.id)).status).toBe(404);
    expect((await api(m.bearer, ALLOWLIST, `/api/v1/agents/${w.aA.id}/allowlist`, w.aA.id)).status).toBe(200);
    expect((await api(m.bearer, AGENTS_MD, `/api/v1/agents/${w.aB.id}/agents-md`, w.aB.id)).status).toBe(404);
    // The shared-credential flag names no agent of another team.
    const own = await getAgent(w.aA.id, teamScopeOf(m.actor));
    expect(JSON.stringify(own?.flags)).not.toContain(w.aB.name);
    const page = await listAgentsPage(parseAgentQuery({ q: w.aB.name }).query, { scope: teamScopeOf(m.actor) });
    expect(page.total).toBe(0);
  });

  it("gateways: list and detail", async () => {
    const list = await api(m.bearer, GATEWAYS, "/api/v1/gateways");
    const ids = list.json.data.map((g: { id: string }) => g.id);
    expect(ids).toContain(w.gA.id);
    expect(ids).not.toContain(w.gB.id);
    expect((await api(m.bearer, GATEWAY, `/api/v1/gateways/${w.gB.id}`, w.gB.id)).status).toBe(404);
    expect((await listGateways(teamScopeOf(m.actor))).map((g) => g.id)).not.toContain(w.gB.id);
  });

  it("tool calls: explorer list, CSV, detail, tail, series and pickers (calls without a team are not shown)", async () => {
    const list = await api(m.bearer, CALLS, `/api/v1/tool-calls?tool=${w.tool}&range=24h`);
    expect(list.status).toBe(200);
    expect(list.json.data.map((c: { id: string }) => c.id)).toEqual([w.callA.id]);
    expect(list.json.total).toBe(1);
    const csv = await api(m.bearer, CALLS, `/api/v1/tool-calls?tool=${w.tool}&format=csv`);
    expect(csv.text).toContain(w.aA.name);
    expect(csv.text).not.toContain(w.aB.name);
    expect(csv.text).not.toContain("legacy");
    expect((await api(m.bearer, CALL, `/api/v1/tool-calls/${w.callB.id}?at=${w.callB.at.toISOString()}`, w.callB.id)).status).toBe(404);
    expect((await api(m.bearer, CALL, `/api/v1/tool-calls/${w.callNone.id}?at=${w.callNone.at.toISOString()}`, w.callNone.id)).status).toBe(404);
    expect((await api(m.bearer, CALL, `/api/v1/tool-calls/${w.callA.id}?at=${w.callA.at.toISOString()}`, w.callA.id)).status).toBe(200);
    const tail = await api(m.bearer, TAIL, `/api/v1/tool-calls/tail?tool=${w.tool}&since=${new Date(Date.now() - HOUR).toISOString()}`);
    expect(tail.json.data.map((c: { id: string }) => c.id)).toEqual([w.callA.id]);
    // The explorer page: rows and the hourly series (no rollup: the rollups have no team).
    const explorer = await explorerPage(scopedQuery(parseToolCallQuery({ tool: w.tool }).query, m.actor));
    expect(explorer.page.rows.map((r) => r.id)).toEqual([w.callA.id]);
    expect(explorer.series.reduce((n, p) => n + p.calls, 0)).toBe(1);
    const [, agentNames] = await explorerPickers(Date.now(), teamScopeOf(m.actor));
    expect(agentNames).toContain(w.aA.name);
    expect(agentNames).not.toContain(w.aB.name);
    expect(await getToolCall(w.callB.id, w.callB.at, { withParams: true, scope: teamScopeOf(m.actor) })).toBeNull();
  });

  it("map: only the team's gateways and agents", async () => {
    const map = await getEcosystemMap({}, new Date(), teamScopeOf(m.actor));
    const ids = map.graph.nodes.map((n) => n.id);
    expect(ids).toContain(`agent:${w.aA.id}`);
    expect(ids).toContain(`gateway:${w.gA.id}`);
    expect(ids).not.toContain(`agent:${w.aB.id}`);
    expect(ids).not.toContain(`gateway:${w.gB.id}`);
    expect(JSON.stringify(map)).not.toContain(w.aB.name);
  });

  it("containment: another team's kill switches are not listed or readable", async () => {
    const list = await api(m.bearer, CONTAINMENTS, "/api/v1/containment?status=active");
    expect(list.status).toBe(200);
    expect(list.json.data.map((c: { id: string }) => c.id)).not.toContain(w.containB);
    expect((await listActiveContainment(teamScopeOf(m.actor))).map((c) => c.id)).not.toContain(w.containB);
    expect(await getContainment(w.containB, teamScopeOf(m.actor))).toBeNull();
    const targets = await containmentTargets(teamScopeOf(m.actor));
    expect(targets.agents.map((a) => a.id)).not.toContain(w.aB.id);
    expect(targets.gateways.map((g) => g.id)).not.toContain(w.gB.id);
    expect(targets.tools).toEqual([]);
  });

  it("findings and incidents: only those about the team's agents", async () => {
    const findings = await api(m.bearer, FINDINGS, "/api/v1/findings?pageSize=200");
    const ids = findings.json.data.map((f: { id: string }) => f.id);
    expect(ids).toContain(w.findingA);
    expect(ids).not.toContain(w.findingB);
    const csv = await api(m.bearer, FINDINGS, "/api/v1/findings?format=csv");
    expect(csv.text).not.toContain(w.aB.name);
    const incidents = await api(m.bearer, INCIDENTS, "/api/v1/incidents?pageSize=200");
    expect(incidents.json.data.map((i: { id: string }) => i.id)).not.toContain(w.incidentB);
    expect((await api(m.bearer, INCIDENT, `/api/v1/incidents/${w.incidentB}`, w.incidentB)).status).toBe(404);
  });

  it("data flows and tool requests: only those of the team's agents", async () => {
    const flows = await api(m.bearer, DATA_FLOWS, "/api/v1/data-flows?pageSize=200");
    expect(flows.json.data.map((f: { id: string }) => f.id)).not.toContain(w.flowB);
    expect((await api(m.bearer, DATA_FLOWS, "/api/v1/data-flows?format=csv")).text).not.toContain(w.aB.name);
    const requests = await api(m.bearer, TOOL_REQUESTS, "/api/v1/tool-requests");
    expect(requests.json.data.map((r: { id: string }) => r.id)).not.toContain(w.requestB);
    expect((await api(m.bearer, TOOL_REQUEST, `/api/v1/tool-requests/${w.requestB}`, w.requestB)).status).toBe(404);
  });

  it("held calls (approvals): only the team's", async () => {
    const res = await api(m.bearer, APPROVALS, "/api/v1/approvals?status=all&limit=200");
    if (role === "manager") return expect(res.status).toBe(403); // managers never read held calls' parameters
    expect(res.json.data.map((a: { id: string }) => a.id)).not.toContain(w.approvalB);
  });

  it("fleet-wide views (posture, spend, the audit log) are refused; the overview holds the team's counts only", async () => {
    for (const [handler, path] of [
      [POSTURE, "/api/v1/posture"],
      [SPEND, "/api/v1/spend"],
      [AUDIT_EVENTS, "/api/v1/audit/events"],
    ] as const) {
      const res = await api(m.bearer, handler as never, path);
      // A manager lacks audit:read anyway; every role gets a 403 here.
      expect(res.status).toBe(403);
    }
    const overview = await api(m.bearer, OVERVIEW, "/api/v1/overview");
    expect(overview.json.data).toMatchObject({ scope: "team", team: { team: w.A.name, agents: expect.any(Number), gateways: 1 } });
  });

  it("evidence exports are fleet-wide: a team-scoped user cannot start one", async () => {
    const now = Date.now();
    await expect(startEvidenceExport(m.actor, { from: new Date(now - HOUR).toISOString(), to: new Date(now).toISOString(), formats: ["jsonl"] } as never)).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("mutations on another team's objects are refused and change nothing", () => {
  it("a team A security lead cannot edit, grant, revoke or re-bundle team B's agent (404, as if it did not exist)", async () => {
    const { actor } = await member("security_lead", w.A.id);
    const before = await db.agent.findUniqueOrThrow({ where: { id: w.aB.id } });
    const upd = await execute(actor, updateAgentAction, { id: w.aB.id, purpose: "hijacked", status: "suspended" });
    expect(upd).toMatchObject({ ok: false, status: 404 });
    const tool = await db.tool.findUniqueOrThrow({ where: { name: w.tool } });
    const grant = await execute(actor, createGrantAction, { agentId: w.aB.id, toolId: tool.id, kind: "grant", reason: "sneak it in" });
    expect(grant.ok).toBe(false);
    const revoke = await execute(actor, revokeGrantAction, { id: w.grantB, reason: "take it away" });
    expect(revoke).toMatchObject({ ok: false, status: 404 });
    const bundles = await execute(actor, setAgentBundlesAction, { agentId: w.aB.id, bundleIds: [] });
    expect(bundles).toMatchObject({ ok: false, status: 404 });
    // Moving one's own agent to team B, or creating an agent in team B, is refused too.
    expect(await execute(actor, updateAgentAction, { id: w.aA.id, teamId: w.B.id })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, createAgentAction, { name: `x-${rid()}`, owner: "o", purpose: "p", teamId: w.B.id })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, createAgentAction, { name: `x-${rid()}`, owner: "o", purpose: "p", gatewayId: w.gB.id })).toMatchObject({ ok: false, status: 404 });
    expect(await db.agent.findUniqueOrThrow({ where: { id: w.aB.id } })).toEqual(before);
    expect(await db.grant.findUniqueOrThrow({ where: { id: w.grantB } })).toMatchObject({ revokedAt: null });
    expect(await db.grant.count({ where: { agentId: w.aB.id } })).toBe(1);
    // An agent-to-agent link with another team's agent cannot be approved.
    expect(await execute(actor, approveAgentLinkAction, { fromAgentId: w.aA.id, toAgentId: w.aB.id, reason: "let them talk" })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { toAgentId: ["Unknown agent."] },
    });
    expect(await db.agentLinkApproval.count({ where: { toAgentId: w.aB.id } })).toBe(0);
    // Another team's tool request cannot be decided.
    const checklist = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "clean", permissionsNarrowed: true, credEgressFlagged: true };
    const decided = await execute(actor, decideToolRequestAction, { requestId: w.requestB, outcome: "approve", checklist, reason: "looks fine to me" });
    expect(decided).toMatchObject({ ok: false, status: 404 });
    expect((await db.toolRequest.findUniqueOrThrow({ where: { id: w.requestB } })).status).toBe("pending");
    // Another team's incident cannot be changed.
    expect(await execute(actor, updateIncidentAction, { id: w.incidentB, status: "closed" })).toMatchObject({ ok: false, status: 404 });
    expect((await db.incident.findUniqueOrThrow({ where: { id: w.incidentB } })).status).toBe("open");
    // Their own new agent joins their team.
    const mine = await execute(actor, createAgentAction, { name: `mine-${rid()}`, owner: "o", purpose: "p" });
    expect(mine.ok && (await db.agent.findUniqueOrThrow({ where: { id: mine.data.id } })).teamId).toBe(w.A.id);
  });

  it("a team A operator cannot contain team B's agent or gateway (404), nor pull fleet or tool kill switches (403), nor release B's", async () => {
    const { actor } = await member("operator", w.A.id);
    const count = await db.containmentAction.count();
    expect(await execute(actor, containApiAction, { scope: "agent", target: w.aB.id, action: "suspend_agent", reason: "not mine" })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(actor, containApiAction, { scope: "agent", target: w.aB.name, action: "suspend_agent", reason: "not mine" })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(actor, containApiAction, { scope: "gateway", target: w.gB.id, action: "block_all", reason: "not mine" })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(actor, containApiAction, { scope: "fleet", target: "fleet", action: "block_all", reason: "everything" })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, containApiAction, { scope: "tool", target: w.tool, action: "deny_tool", reason: "everything" })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, blastRadiusAction, { scope: "agent", target: w.aB.id })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(actor, releaseContainmentAction, { id: w.containB, reason: "let it go" })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(actor, rotateGatewaySecretAction, { id: w.gB.id, graceHours: 0 })).toMatchObject({ ok: false, status: 404 });
    expect(await db.containmentAction.count()).toBe(count);
    expect((await db.containmentAction.findUniqueOrThrow({ where: { id: w.containB } })).status).toBe("active");
    expect(await execute(actor, decideApprovalAction, { id: w.approvalB, decision: "allow_once", reason: "go ahead" })).toMatchObject({ ok: false, status: 404 });
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: w.approvalB } })).status).toBe("pending");
    // Their own agent: allowed.
    const own = await execute(actor, containApiAction, { scope: "agent", target: w.aA.id, action: "suspend_agent", reason: "our incident" });
    expect(own.ok).toBe(true);
    if (own.ok) expect((await execute(actor, releaseContainmentAction, { id: own.data.id, reason: "resolved now" })).ok).toBe(true);
  });
});

describe("approval rules across teams", () => {
  it("a team A security lead writes approval rules only for team A's agents: not B's, not every agent's; B's rule cannot be changed", async () => {
    const { actor } = await member("security_lead", w.A.id);
    const tool = `t_${rid()}`;
    const own = await execute(actor, createApprovalRuleAction, { scope: "agent_tool", toolName: tool, agentId: w.aA.id, reason: "own agent" });
    expect(own.ok).toBe(true);
    const other = await execute(actor, createApprovalRuleAction, { scope: "agent_tool", toolName: tool, agentId: w.aB.id, reason: "other team" });
    expect(other).toMatchObject({ ok: false, status: 400, fieldErrors: { agentId: ["Unknown agent."] } });
    expect(await execute(actor, createApprovalRuleAction, { scope: "tool", toolName: tool, reason: "every agent" })).toMatchObject({ ok: false, status: 403 });
    const admin = await member("admin", null);
    const ruleB = await execute(admin.actor, createApprovalRuleAction, { scope: "agent_tool", toolName: tool, agentId: w.aB.id, reason: "team B's rule" });
    const fleet = await execute(admin.actor, createApprovalRuleAction, { scope: "tool", toolName: `f_${rid()}`, reason: "fleet rule" });
    if (!ruleB.ok || !fleet.ok) throw new Error("admin could not create the rules");
    expect(await execute(actor, updateApprovalRuleAction, { id: ruleB.data.id, enabled: false })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(actor, updateApprovalRuleAction, { id: fleet.data.id, enabled: false })).toMatchObject({ ok: false, status: 403 });
    const rows = await db.approvalRule.findMany({ where: { id: { in: [ruleB.data.id, fleet.data.id] } }, select: { enabled: true } });
    expect(rows.every((r) => r.enabled)).toBe(true);
    expect(await db.approvalRule.count({ where: { toolName: tool, agentId: w.aB.id } })).toBe(1);
  });
});

describe("fleet-wide readers", () => {
  it.each(["admin", "auditor"] as const)("a %s sees both teams even when put in a team", async (role) => {
    const m = await member(role, w.A.id);
    const list = await api(m.bearer, AGENTS, "/api/v1/agents?pageSize=200");
    const names = list.json.data.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining([w.aA.name, w.aB.name]));
    const calls = await api(m.bearer, CALLS, `/api/v1/tool-calls?tool=${w.tool}`);
    expect(calls.json.data.map((c: { id: string }) => c.id).sort()).toEqual([w.callA.id, w.callB.id, w.callNone.id].sort());
    const map = await getEcosystemMap({}, new Date(), teamScopeOf(m.actor));
    expect(map.graph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([`agent:${w.aA.id}`, `agent:${w.aB.id}`]));
    expect((await listToolCalls(scopedQuery(parseToolCallQuery({ tool: w.tool }).query, m.actor), { withParams: false })).total).toBe(3);
  });
});

describe("teams: create, rename, assign, delete", () => {
  it("admins manage teams (audited); a name is unique; a team holding agents, gateways or users cannot be deleted; others may not", async () => {
    const { actor: admin } = await makeUser("admin");
    const name = `ops-${rid()}`;
    const created = await execute(admin, createTeamAction, { name });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const id = created.data!.id;
    expect(await execute(admin, createTeamAction, { name })).toMatchObject({ ok: false, status: 409, fieldErrors: { name: ["Already in use."] } });
    expect(await execute(admin, createTeamAction, { name: "" })).toMatchObject({ ok: false, status: 400 });
    expect((await execute(admin, updateTeamAction, { id, name: `${name}-2` })).ok).toBe(true);
    const g = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
    expect((await execute(admin, assignTeamAction, { kind: "gateway", id: g.id, teamId: id })).ok).toBe(true);
    // Idempotent: the same assignment again changes nothing and is not audited twice.
    expect(await execute(admin, assignTeamAction, { kind: "gateway", id: g.id, teamId: id })).toMatchObject({ ok: true, data: { changed: false } });
    expect(await db.auditEvent.count({ where: { action: "team.assign", targetId: g.id } })).toBe(1);
    expect(await execute(admin, deleteTeamAction, { id })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(admin, assignTeamAction, { kind: "gateway", id: g.id, teamId: "00000000-0000-4000-8000-000000000000" })).toMatchObject({ ok: false, status: 400 });
    expect((await execute(admin, assignTeamAction, { kind: "gateway", id: g.id, teamId: null })).ok).toBe(true);
    expect((await execute(admin, deleteTeamAction, { id })).ok).toBe(true);
    expect(await db.team.count({ where: { id } })).toBe(0);
    for (const action of ["team.create", "team.update", "team.delete"]) expect(await db.auditEvent.count({ where: { action, targetId: id } })).toBe(1);
    const { actor: lead } = await member("security_lead", null);
    expect(await execute(lead, createTeamAction, { name: `x-${rid()}` })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(lead, assignTeamAction, { kind: "user", id: lead.userId!, teamId: null })).toMatchObject({ ok: false, status: 403 });
  });

  it("a user's new team applies to their API token on its next request", async () => {
    const m = await member("operator", w.A.id);
    const before = await api(m.bearer, AGENTS, "/api/v1/agents?pageSize=200");
    expect(before.json.data.map((a: { name: string }) => a.name)).not.toContain(w.aB.name);
    const { actor: admin } = await makeUser("admin");
    expect((await execute(admin, assignTeamAction, { kind: "user", id: m.user.id, teamId: w.B.id })).ok).toBe(true);
    const after = await api(m.bearer, AGENTS, "/api/v1/agents?pageSize=200");
    const names = after.json.data.map((a: { name: string }) => a.name);
    expect(names).toContain(w.aB.name);
    expect(names).not.toContain(w.aA.name);
  });
});
