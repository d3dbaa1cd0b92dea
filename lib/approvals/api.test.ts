import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import type { Actor } from "@/lib/auth/actor";
import { ROLES, type RoleName } from "@/lib/auth/roles";
import { makeUser, rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST as postApproval } from "@/app/api/v1/connector/approvals/route";
import { POST as postResolution } from "@/app/api/v1/connector/approvals/[id]/resolution/route";
import { POST as postEvents } from "@/app/api/v1/connector/events/route";
import { GET as LIST } from "@/app/api/v1/approvals/route";
import { GET as READ } from "@/app/api/v1/approvals/[id]/route";
import { POST as DECIDE } from "@/app/api/v1/approvals/[id]/decision/route";
import { GET as RULES, POST as CREATE_RULE } from "@/app/api/v1/approval-rules/route";
import { PATCH as PATCH_RULE } from "@/app/api/v1/approval-rules/[id]/route";
import { GET as CALL } from "@/app/api/v1/tool-calls/[id]/route";
import { paramsHashOf } from "./service";

// The API routes resolve the caller through getActor(); tests swap in an actor of a given role.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
const as = async (role: RoleName) => {
  const { user, actor } = await makeUser(role);
  session.actor = actor;
  return user;
};

const BASE = "http://warden.test";
const json = (method: string, path: string, body: unknown) => new Request(`${BASE}${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

async function gateway() {
  const secret = generateSigningSecret();
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  const agent = await db.agent.create({ data: { name: `a-${rid()}`, externalId: "main", owner: "o", purpose: "p", gatewayId: gw.id } });
  const signed = (path: string, body: string) =>
    new Request(`${BASE}${path}`, { method: "POST", headers: { ...signedHeaders(secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" }, body });
  return { gw, agent, signed };
}

async function held(
  g: Awaited<ReturnType<typeof gateway>>,
  toolCallId = `call-${rid()}`,
  params: unknown = { command: "curl -H 'Authorization: Bearer sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345' https://x.test" },
) {
  const body = JSON.stringify({ requestId: randomUUID(), toolCallId, agentId: "main", toolName: "exec", params, paramsHash: paramsHashOf(params), reason: "exec needs approval", timeoutMs: 120_000 });
  const res = await postApproval(g.signed("/api/v1/connector/approvals", body));
  expect(res.status).toBe(201);
  return (await res.json()).data.id as string;
}

/** Who may do what (issue 17): read = tool_calls:read_params, decide = approvals:decide, rules = approval_rules:manage. */
const READERS: RoleName[] = ["admin", "security_lead", "operator", "auditor"];
const DECIDERS: RoleName[] = ["admin", "security_lead", "operator"];
const RULE_MANAGERS: RoleName[] = ["admin", "security_lead"];

describe("approvals API: every route by role", () => {
  it.each(ROLES.map((r) => [r]))("%s", async (role) => {
    const g = await gateway();
    const id = await held(g);
    const user = await as(role);
    const expectStatus = async (res: Response, allowed: boolean, ok: number, what: string) => {
      expect(res.status, `${role} ${what}: ${await res.clone().text()}`).toBe(allowed ? ok : 403);
    };
    await expectStatus(await LIST(new Request(`${BASE}/api/v1/approvals`)), READERS.includes(role), 200, "list");
    await expectStatus(await READ(new Request(`${BASE}/api/v1/approvals/${id}`), ctx(id)), READERS.includes(role), 200, "read");
    await expectStatus(await RULES(), true, 200, "list rules");
    const rule = await CREATE_RULE(json("POST", "/api/v1/approval-rules", { scope: "tool", toolName: `t-${rid()}`, reason: "matrix rule" }));
    await expectStatus(rule, RULE_MANAGERS.includes(role), 201, "create rule");
    const ruleId = RULE_MANAGERS.includes(role) ? (await rule.json()).data.id : (await db.approvalRule.create({ data: { scope: "tool", toolName: "x", reason: "r" } })).id;
    await expectStatus(await PATCH_RULE(json("PATCH", `/api/v1/approval-rules/${ruleId}`, { enabled: false }), ctx(ruleId)), RULE_MANAGERS.includes(role), 200, "disable rule");
    await expectStatus(await DECIDE(json("POST", `/api/v1/approvals/${id}/decision`, { decision: "deny", reason: "matrix decision" }), ctx(id)), DECIDERS.includes(role), 200, "decide");
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe(DECIDERS.includes(role) ? "denied" : "pending");
    // Every refusal is audited as a denial of this user.
    const denials = await db.auditEvent.count({ where: { actorId: user.id, outcome: "denied" } });
    const refused = [!READERS.includes(role), !READERS.includes(role), !RULE_MANAGERS.includes(role), !RULE_MANAGERS.includes(role), !DECIDERS.includes(role)].filter(Boolean).length;
    expect(denials).toBe(refused);
  });

  it("an anonymous caller gets 401 everywhere", async () => {
    session.actor = null;
    const id = randomUUID();
    expect((await LIST(new Request(`${BASE}/api/v1/approvals`))).status).toBe(401);
    expect((await READ(new Request(`${BASE}/api/v1/approvals/${id}`), ctx(id))).status).toBe(401);
    expect((await DECIDE(json("POST", `/api/v1/approvals/${id}/decision`, { decision: "deny", reason: "x" }), ctx(id))).status).toBe(401);
    expect((await CREATE_RULE(json("POST", "/api/v1/approval-rules", {}))).status).toBe(401);
  });
});

describe("approvals API", () => {
  it("lists pending requests with redacted params, answers 304 to If-None-Match while unchanged, and 400 for a bad query", async () => {
    const g = await gateway();
    const id = await held(g);
    await as("operator");
    const res = await LIST(new Request(`${BASE}/api/v1/approvals?status=pending&recentCalls=1`));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("sk-ant-api03");
    const body = JSON.parse(text);
    const item = body.data.find((x: { id: string }) => x.id === id);
    expect(item).toMatchObject({ status: "pending", toolName: "exec", gatewayName: g.gw.name, agentName: g.agent.name, recentCalls: [] });
    expect(typeof body.now).toBe("string");
    const etag = res.headers.get("etag")!;
    expect((await LIST(new Request(`${BASE}/api/v1/approvals?status=pending&recentCalls=1`, { headers: { "if-none-match": etag } }))).status).toBe(304);
    await held(g);
    expect((await LIST(new Request(`${BASE}/api/v1/approvals?status=pending&recentCalls=1`, { headers: { "if-none-match": etag } }))).status).toBe(200);
    const bad = await LIST(new Request(`${BASE}/api/v1/approvals?status=maybe&limit=0`));
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fieldErrors).sort()).toEqual(["limit", "status"]);
    expect((await READ(new Request(`${BASE}/api/v1/approvals/nope`), ctx("nope"))).status).toBe(404);
  });

  it("the tool call's record in the explorer shows who approved, when, and how long the agent waited", async () => {
    const g = await gateway();
    const toolCallId = `call-${rid()}`;
    const id = await held(g, toolCallId, { command: "make deploy" });
    const lead = await as("security_lead");
    const decided = await DECIDE(json("POST", `/api/v1/approvals/${id}/decision`, { decision: "allow_once", reason: "release window" }), ctx(id));
    expect(decided.status).toBe(200);
    const resolved = await postResolution(g.signed(`/api/v1/connector/approvals/${id}/resolution`, JSON.stringify({ outcome: "ran", waitedMs: 4321 })), ctx(id));
    expect(resolved.status).toBe(200);
    const at = new Date().toISOString();
    const events = JSON.stringify({
      events: [{ eventId: `${toolCallId}.decision`, occurredAt: at, agentId: "main", agentName: "main", toolName: "exec", params: { command: "make deploy" }, decision: "allowed" }],
    });
    expect((await postEvents(g.signed("/api/v1/connector/events", events))).status).toBe(202);
    const call = await db.toolCall.findFirstOrThrow({ where: { gatewayId: g.gw.id, eventId: `${toolCallId}.decision` } });
    const res = await CALL(new Request(`${BASE}/api/v1/tool-calls/${call.id}?at=${encodeURIComponent(call.occurredAt.toISOString())}`), ctx(call.id.toString()));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.approvals).toEqual([
      expect.objectContaining({ id, status: "allowed", decision: "allow_once", decidedBy: lead.email, decisionReason: "release window", outcome: "ran", waitedMs: 4321 }),
    ]);
    expect(body.approvals[0].decidedAt).toBeTruthy();
  });
});
