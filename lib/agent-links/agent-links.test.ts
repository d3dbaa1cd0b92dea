import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST } from "@/app/api/v1/connector/events/route";
import { buildGatewayPolicy } from "@/lib/allowlist/policy";
import { computeFindings } from "@/lib/findings/compute";
import { loadEcosystemGraph } from "@/lib/map/queries";
import { approveAgentLinkAction, revokeAgentLinkAction } from "./actions";
import { agentLinksOf } from "./queries";

async function setup() {
  const secret = generateSigningSecret();
  const gateway = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret), lastSeenAt: new Date() } });
  const mk = (externalId: string) => db.agent.create({ data: { name: `agent-${externalId}-${rid()}`, owner: "team", purpose: "test", gatewayId: gateway.id, externalId } });
  const [a, b, c] = await Promise.all([mk("alpha"), mk("beta"), mk("gamma")]);
  return { gateway, secret, a, b, c };
}
type Setup = Awaited<ReturnType<typeof setup>>;

async function send(s: Setup, events: unknown[]) {
  const body = JSON.stringify({ events });
  const res = await POST(
    new Request("http://x/api/v1/connector/events", { method: "POST", headers: { ...signedHeaders(s.secret, body), "x-warden-gateway": s.gateway.id, "content-type": "application/json" }, body }),
  );
  expect(res.status).toBe(202);
  return (await res.json()) as { accepted: number; duplicates: number };
}

const call = (over: Record<string, unknown> = {}) => ({
  eventId: `c-${rid()}.decision`,
  occurredAt: new Date().toISOString(),
  agentId: "alpha",
  agentName: "alpha",
  toolName: "sessions_send",
  decision: "allowed",
  params: { sessionKey: "agent:beta:main", message: "hi" },
  targetAgentId: "beta",
  ...over,
});
const edges = (gatewayId: string) => db.agentLink.findMany({ where: { gatewayId }, orderBy: { targetExternalId: "asc" } });

describe("agent → agent edges at ingestion", () => {
  it("stores targetAgentId and counts calls per (gateway, caller, target) with the last time, not the caller itself", async () => {
    const s = await setup();
    const t1 = new Date(Date.now() - 60_000).toISOString();
    const t2 = new Date().toISOString();
    const blocked = call({ occurredAt: t2, decision: "blocked", blockReason: 'Warden: agent "alpha" may not reach agent "beta"' });
    await send(s, [
      call({ occurredAt: t1 }),
      blocked,
      call({ toolName: "sessions_spawn", targetAgentId: "gamma", params: { task: "x", agentId: "gamma" } }),
      call({ targetAgentId: "alpha" }),
      call({ targetAgentId: undefined, toolName: "read" }),
    ]);
    const rows = await edges(s.gateway.id);
    expect(rows.map((r) => [r.sourceKey, r.targetExternalId, r.calls, r.blocked])).toEqual([
      [s.a.id, "beta", 2, 1],
      [s.a.id, "gamma", 1, 0],
    ]);
    expect(rows[0].lastAt.toISOString()).toBe(t2);
    expect(rows[0].firstAt.toISOString()).toBe(t1);
    const stored = await db.toolCall.findFirst({ where: { gatewayId: s.gateway.id, eventId: blocked.eventId } });
    expect(stored?.targetAgentId).toBe("beta");
  });

  it("counts a re-sent event once, also when the copies race, and a call reported in two events once", async () => {
    const s = await setup();
    const batch = [call(), call()];
    await send(s, batch);
    await Promise.all([send(s, batch), send(s, batch), send(s, [batch[0]])]);
    expect((await edges(s.gateway.id)).map((r) => r.calls)).toEqual([2]);
    // decision, then its result in another batch: the stored row is replaced by the merged one.
    const id = `m-${rid()}`;
    const at = new Date().toISOString();
    await send(s, [call({ eventId: `${id}.decision`, occurredAt: at })]);
    await send(s, [call({ eventId: `${id}.result`, occurredAt: new Date(Date.parse(at) + 500).toISOString(), result: { ok: true }, durationMs: 5 })]);
    await send(s, [call({ eventId: `${id}.result`, occurredAt: new Date(Date.parse(at) + 500).toISOString(), result: { ok: true }, durationMs: 5 })]);
    expect((await edges(s.gateway.id)).map((r) => r.calls)).toEqual([3]);
    expect(await db.toolCall.count({ where: { gatewayId: s.gateway.id } })).toBe(3);
    // The result first, then its decision (blocked): the stored row is deleted and the merged one
    // inserted; the edge counts the call once, as blocked.
    const r = `r-${rid()}`;
    await send(s, [call({ eventId: `${r}.result`, occurredAt: new Date(Date.parse(at) + 900).toISOString(), decision: "not_run", policyDecision: "blocked", error: "x" })]);
    await send(s, [call({ eventId: `${r}.decision`, occurredAt: at, decision: "blocked", blockReason: "Warden: not a peer" })]);
    expect((await edges(s.gateway.id)).map((e) => [e.calls, e.blocked])).toEqual([[4, 1]]);
    expect(await db.toolCall.count({ where: { gatewayId: s.gateway.id } })).toBe(4);
  });

  it("rejects a bad targetAgentId per event (400-style field errors), storing nothing for it", async () => {
    const s = await setup();
    const body = JSON.stringify({ events: [call({ targetAgentId: "" }), call({ targetAgentId: "x".repeat(201) }), call({ targetAgentId: 5 }), call({ targetAgentId: "a\u0000b" })] });
    const res = await POST(
      new Request("http://x/api/v1/connector/events", { method: "POST", headers: { ...signedHeaders(s.secret, body), "x-warden-gateway": s.gateway.id, "content-type": "application/json" }, body }),
    );
    const json = (await res.json()) as { accepted: number; rejected: { errors: Record<string, string[]> }[] };
    expect(json.accepted).toBe(0);
    expect(json.rejected.map((r) => Object.keys(r.errors))).toEqual([["targetAgentId"], ["targetAgentId"], ["targetAgentId"], ["targetAgentId"]]);
    expect(await edges(s.gateway.id)).toEqual([]);
  });
});

describe("approved pairs", () => {
  it("security leads approve and revoke (audited, policy peers, refresh enqueued); others are refused and audited", async () => {
    const s = await setup();
    const lead = await makeUser("security_lead");
    const operator = await makeUser("operator");
    const input = { fromAgentId: s.a.id, toAgentId: s.b.id, reason: "Alpha delegates billing questions to beta" };

    const denied = await execute(operator.actor, approveAgentLinkAction, input);
    expect(denied).toMatchObject({ ok: false, status: 403 });
    expect(await db.auditEvent.count({ where: { actorLabel: operator.actor.label, action: "agent_link.approve", outcome: "denied" } })).toBe(1);
    expect(await db.agentLinkApproval.count({ where: { fromAgentId: s.a.id } })).toBe(0);
    expect(await execute(null, approveAgentLinkAction, input)).toMatchObject({ ok: false, status: 401 });

    expect((await buildGatewayPolicy(s.gateway.id)).agents.find((x) => x.id === "alpha")?.peers).toEqual([]);
    await db.gatewayCommand.deleteMany({ where: { gatewayId: s.gateway.id } });
    const ok = await execute(lead.actor, approveAgentLinkAction, input);
    expect(ok).toMatchObject({ ok: true, data: { changed: true, approvedBy: lead.actor.label } });
    const policy = await buildGatewayPolicy(s.gateway.id);
    expect(policy.agents.find((x) => x.id === "alpha")?.peers).toEqual(["beta"]);
    expect(policy.agents.find((x) => x.id === "beta")?.peers).toEqual([]);
    expect(await db.gatewayCommand.count({ where: { gatewayId: s.gateway.id, type: "policy_refresh", state: "pending" } })).toBe(1);
    expect(await db.$queryRaw`select stale from gateway_policies where gateway_id = ${s.gateway.id}::uuid`).toEqual([{ stale: true }]);
    const audit = await db.auditEvent.findMany({ where: { actorLabel: lead.actor.label, action: "agent_link.approve" } });
    expect(audit).toHaveLength(1);
    expect(audit[0].after).toMatchObject({ from: s.a.name, to: s.b.name, toGatewayAgentId: "beta", reason: input.reason });

    // Idempotent: again, and concurrently: one row, one audit event.
    const again = await Promise.all([execute(lead.actor, approveAgentLinkAction, input), execute(lead.actor, approveAgentLinkAction, input)]);
    expect(again.map((r) => r.ok && (r.data as { changed: boolean }).changed)).toEqual([false, false]);
    expect(await db.agentLinkApproval.count({ where: { fromAgentId: s.a.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { actorLabel: lead.actor.label, action: "agent_link.approve" } })).toBe(1);

    const revoke = { fromAgentId: s.a.id, toAgentId: s.b.id, reason: "Billing moved elsewhere" };
    expect(await execute(operator.actor, revokeAgentLinkAction, revoke)).toMatchObject({ ok: false, status: 403 });
    const revoked = await Promise.all([execute(lead.actor, revokeAgentLinkAction, revoke), execute(lead.actor, revokeAgentLinkAction, revoke)]);
    expect(revoked.map((r) => r.ok && (r.data as { changed: boolean }).changed).sort()).toEqual([false, true]);
    expect(await db.auditEvent.count({ where: { actorLabel: lead.actor.label, action: "agent_link.revoke" } })).toBe(1);
    expect((await buildGatewayPolicy(s.gateway.id)).agents.find((x) => x.id === "alpha")?.peers).toEqual([]);
  });

  it("bad input gets 4xx field errors and changes nothing", async () => {
    const s = await setup();
    const other = await setup();
    const { actor } = await makeUser("admin");
    const cases: [unknown, number, string][] = [
      [{ fromAgentId: s.a.id, toAgentId: s.a.id, reason: "Talk to myself" }, 400, "toAgentId"],
      [{ fromAgentId: s.a.id, toAgentId: other.b.id, reason: "Across two gateways" }, 400, "toAgentId"],
      [{ fromAgentId: s.a.id, toAgentId: "00000000-0000-4000-8000-000000000000", reason: "Unknown target" }, 400, "toAgentId"],
      [{ fromAgentId: "nope", toAgentId: s.b.id, reason: "Not a uuid" }, 400, "fromAgentId"],
      [{ fromAgentId: s.a.id, toAgentId: s.b.id, reason: "ok" }, 400, "reason"],
      [{ fromAgentId: s.a.id, toAgentId: s.b.id }, 400, "reason"],
      ["not an object", 400, "_"],
    ];
    for (const [input, status, field] of cases) {
      const res = await execute(actor, approveAgentLinkAction, input);
      expect(res, JSON.stringify(input)).toMatchObject({ ok: false, status });
      if (field !== "_") expect(Object.keys((res as { fieldErrors?: object }).fieldErrors ?? {}), JSON.stringify(input)).toContain(field);
    }
    expect(await execute(actor, revokeAgentLinkAction, { fromAgentId: s.a.id, toAgentId: s.b.id })).toMatchObject({ ok: false, status: 400, fieldErrors: { reason: expect.any(Array) } });
    expect(await db.agentLinkApproval.count({ where: { fromAgentId: s.a.id } })).toBe(0);
  });
});

describe("agent_link findings and the map", () => {
  it("one finding per unapproved pair (not per call), none for approved pairs; approving closes it; the map and agent page show both kinds", async () => {
    const s = await setup();
    const since = new Date(Date.now() - 3_600_000);
    await send(s, [call(), call(), call({ decision: "blocked" }), call({ targetAgentId: "gamma" }), call({ targetAgentId: "ghost" })]);
    const lead = await makeUser("security_lead");
    expect((await execute(lead.actor, approveAgentLinkAction, { fromAgentId: s.a.id, toAgentId: s.c.id, reason: "Gamma is alpha's helper" })).ok).toBe(true);

    await computeFindings({ since });
    await computeFindings({ since });
    const found = await db.finding.findMany({ where: { kind: "agent_link", agentId: s.a.id }, orderBy: { title: "asc" } });
    expect(found.map((f) => [(f.detail as { targetAgentId: string }).targetAgentId, (f.detail as { calls: number }).calls, f.status])).toEqual(
      expect.arrayContaining([
        ["beta", 3, "open"],
        ["ghost", 1, "open"],
      ]),
    );
    expect(found).toHaveLength(2);
    const beta = found.find((f) => (f.detail as { targetAgentId: string }).targetAgentId === "beta")!;
    expect(beta.detail).toMatchObject({ blocked: 1, toAgentId: s.b.id, approveAt: `/agents/${s.a.id}#agent-links` });

    const graph = await loadEcosystemGraph();
    const talks = graph.edges.filter((e) => e.kind === "talks" && e.source === `agent:${s.a.id}`);
    expect(talks.map((e) => [e.target, e.state, e.calls]).sort()).toEqual(
      [
        [`agent:${s.b.id}`, "unapproved", 3],
        [`agent:${s.c.id}`, "approved", 1],
      ].sort(),
    );
    const links = await agentLinksOf(s.a.id);
    expect(links.outgoing.map((l) => [l.gatewayAgentId, Boolean(l.approved), l.calls]).sort()).toEqual([
      ["beta", false, 3],
      ["gamma", true, 1],
      ["ghost", false, 1],
    ]);
    expect((await agentLinksOf(s.b.id)).incoming.map((l) => [l.agentId, l.calls])).toEqual([[s.a.id, 3]]);

    expect((await execute(lead.actor, approveAgentLinkAction, { fromAgentId: s.a.id, toAgentId: s.b.id, reason: "Now reviewed and fine" })).ok).toBe(true);
    expect((await db.finding.findUnique({ where: { id: beta.id } }))?.status).toBe("dismissed");
    await computeFindings({ since });
    expect(await db.finding.count({ where: { kind: "agent_link", agentId: s.a.id, status: "open" } })).toBe(1);
  });
});
