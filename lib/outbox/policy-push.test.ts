import { createHash } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { makeUser, rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { GET as POLL } from "@/app/api/v1/connector/commands/route";
import { GET as POLICY } from "@/app/api/v1/connector/policy/route";
import { revokeGrant, revokeTrustDecision, setAgentBundles, setBundleTools } from "@/lib/tools/service";
import { escalateOverdue } from "@/lib/outbox/escalation";
import { ackCommand } from "@/lib/outbox/commands";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";

async function fleet() {
  const secret = generateSigningSecret();
  // Seen before: a gateway that never connected gets no pushes (it fetches its policy when it starts).
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret), lastSeenAt: new Date() } });
  const agent = await db.agent.create({ data: { name: `a-${rid()}`, externalId: "main", owner: "o", purpose: "p", gatewayId: gw.id } });
  const { user, actor } = await makeUser("security_lead");
  const tool = await db.tool.create({ data: { name: `t-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
  const v = await db.toolVersion.create({ data: { toolId: tool.id, version: "1.0.0", contentHash: createHash("sha256").update(rid()).digest("hex") } });
  const grant = await db.grant.create({ data: { agentId: agent.id, toolId: tool.id, kind: "grant", reason: "test grant", grantedById: user.id } });
  const decision = await db.trustDecision.create({ data: { toolVersionId: v.id, deciderId: user.id, outcome: "approve", checklist: {}, reason: "ok", reReviewAt: new Date(Date.now() + 86_400_000) } });
  return { secret, gw, agent, user, actor, tool, v, grant, decision };
}
type Fleet = Awaited<ReturnType<typeof fleet>>;

const poll = (f: Pick<Fleet, "gw" | "secret">, wait = 0) =>
  POLL(new Request(`http://w/api/v1/connector/commands?wait=${wait}`, { headers: { ...signedHeaders(f.secret, ""), "x-warden-gateway": f.gw.id } }));
const policy = (f: Pick<Fleet, "gw" | "secret">, headers: Record<string, string> = {}) =>
  POLICY(new Request("http://w/api/v1/connector/policy", { headers: { ...signedHeaders(f.secret, ""), "x-warden-gateway": f.gw.id, ...headers } }));
const pendingRefreshes = (gatewayId: string) => db.gatewayCommand.count({ where: { gatewayId, type: "policy_refresh", state: "pending" } });
/** Mark every pending refresh of the gateway acknowledged, so the next change must enqueue a new one. */
const settle = (gatewayId: string) => db.gatewayCommand.updateMany({ where: { gatewayId, type: "policy_refresh" }, data: { state: "applied", ackedAt: new Date() } });

describe("policy changes are pushed", () => {
  it("a revocation wakes the gateway's parked long-poll at once with a policy_refresh, and its next policy fetch has the tool gone", async () => {
    const f = await fleet();
    let res = await policy(f);
    const first = await res.json();
    expect(first.policy.agents[0].tools.map((t: { name: string }) => t.name)).toEqual([f.tool.name]);
    const etag = res.headers.get("etag")!;
    await settle(f.gw.id);

    const started = Date.now();
    const parked = poll(f, 20);
    await new Promise((r) => setTimeout(r, 300)); // parked
    await revokeTrustDecision(f.actor, { id: f.decision.id, reason: "vendor compromised, revoke now" });
    const body = await (await parked).json();
    const waited = Date.now() - started - 300;
    expect(body.commands).toEqual([expect.objectContaining({ type: "policy_refresh", action: "policy_refresh", kind: "apply" })]);
    expect(waited).toBeLessThan(1000);

    res = await policy(f, { "if-none-match": etag });
    expect(res.status).toBe(200);
    const next = await res.json();
    expect(next.policy.agents[0].tools).toEqual([]);
    expect(next.policy.version).not.toBe(first.policy.version);
  });

  it("every kind of allowlist change enqueues exactly one pending refresh per gateway concerned (coalesced), and none for others", async () => {
    const f = await fleet();
    const other = await fleet();
    await settle(f.gw.id);
    await settle(other.gw.id);
    const expectOne = async (what: string, gatewayId = f.gw.id) => {
      expect(await pendingRefreshes(gatewayId), what).toBe(1);
      await settle(gatewayId);
    };
    // Several changes in a row: still one pending refresh.
    await db.grant.create({ data: { agentId: f.agent.id, toolId: f.tool.id, kind: "exception", reason: "x", expiresAt: new Date(Date.now() + 3_600_000), grantedById: f.user.id } });
    await db.grant.create({ data: { agentId: f.agent.id, toolId: f.tool.id, kind: "exception", reason: "y", expiresAt: new Date(Date.now() + 3_600_000), grantedById: f.user.id } });
    await expectOne("grant/exception created");
    await revokeGrant(f.actor, { id: f.grant.id, reason: "no longer needed" });
    await expectOne("grant revoked");
    await db.trustDecision.create({ data: { toolVersionId: f.v.id, deciderId: f.user.id, outcome: "reject", checklist: {}, reason: "bad" } });
    await expectOne("decision");
    const bundle = await db.capabilityBundle.create({ data: { name: `b-${rid()}` } });
    await setAgentBundles(f.actor, { agentId: f.agent.id, bundleIds: [bundle.id] });
    await expectOne("agent assigned to a bundle");
    const t2 = await db.tool.create({ data: { name: `t-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    await setBundleTools(f.actor, { id: bundle.id, toolIds: [f.tool.id, t2.id] });
    await expectOne("bundle tools changed");
    await db.agent.update({ where: { id: f.agent.id }, data: { status: "suspended" } });
    await expectOne("agent status");
    await db.agent.update({ where: { id: f.agent.id }, data: { owner: "someone else" } });
    expect(await pendingRefreshes(f.gw.id), "an unrelated agent field").toBe(0);
    await db.agent.update({ where: { id: f.agent.id }, data: { gatewayId: other.gw.id, externalId: `moved-${rid()}` } });
    await expectOne("agent moved (old gateway)");
    await expectOne("agent moved (new gateway)", other.gw.id);
    await db.tool.update({ where: { id: f.tool.id }, data: { name: `t-${rid()}` } });
    await expectOne("tool renamed (the agent is now on the other gateway)", other.gw.id);
    expect(await pendingRefreshes(f.gw.id)).toBe(0);
    await db.gateway.update({ where: { id: f.gw.id }, data: { onPolicyExpiry: "keep_last" } });
    await expectOne("expiry mode");
    // A failed change enqueues nothing.
    await expect(
      db.$transaction(async (tx) => {
        await tx.agent.update({ where: { id: other.agent.id }, data: { status: "suspended" } });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await pendingRefreshes(other.gw.id)).toBe(0);
  });

  it("a gateway that never connected gets no push (it fetches its policy when it starts), and an offline one is escalated once, not once per change", async () => {
    const f = await fleet();
    const fresh = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test" } });
    await db.agent.create({ data: { name: `a-${rid()}`, owner: "o", purpose: "p", gatewayId: fresh.id } });
    expect(await db.gatewayCommand.count({ where: { gatewayId: fresh.id } })).toBe(0);
    const later = new Date(Date.now() + 120_000);
    expect(await escalateOverdue(later, 60_000)).toBeGreaterThanOrEqual(1);
    // More changes while it is offline: absorbed by the same (escalated, still pending) command.
    await db.agent.update({ where: { id: f.agent.id }, data: { status: "suspended" } });
    await db.agent.update({ where: { id: f.agent.id }, data: { status: "active" } });
    expect(await pendingRefreshes(f.gw.id)).toBe(1);
    expect(await escalateOverdue(new Date(later.getTime() + 120_000), 60_000)).toBe(0);
  });

  it("a bulk change of 50 agents on one gateway enqueues one command", async () => {
    const f = await fleet();
    const agents = await Promise.all(Array.from({ length: 50 }, () => db.agent.create({ data: { name: `a-${rid()}`, owner: "o", purpose: "p", gatewayId: f.gw.id }, select: { id: true } })));
    await settle(f.gw.id);
    await db.grant.createMany({ data: agents.map((a) => ({ agentId: a.id, toolId: f.tool.id, kind: "grant" as const, reason: "bulk", grantedById: f.user.id })) });
    await db.agent.updateMany({ where: { id: { in: agents.map((a) => a.id) } }, data: { status: "quarantined" } });
    expect(await pendingRefreshes(f.gw.id)).toBe(1);
  });

  it("acknowledging a newer refresh closes the older ones still waiting (superseded): no redelivery, no escalation", async () => {
    const f = await fleet();
    const older = await db.gatewayCommand.findFirstOrThrow({ where: { gatewayId: f.gw.id, type: "policy_refresh", state: "pending" } });
    expect((await (await poll(f)).json()).commands.map((c: { id: string }) => c.id)).toEqual([older.id]); // delivered, its ack lost
    await db.agent.update({ where: { id: f.agent.id }, data: { status: "suspended" } }); // another change: a new pending refresh
    const newer = await db.gatewayCommand.findFirstOrThrow({ where: { gatewayId: f.gw.id, type: "policy_refresh", state: "pending" } });
    expect(newer.id).not.toBe(older.id);
    expect((await (await poll(f)).json()).commands.map((c: { id: string }) => c.id)).toEqual([newer.id]);
    await ackCommand({ ...SYSTEM_ACTOR, label: `gateway ${f.gw.name}` }, f.gw.id, newer.id, { outcome: "applied" });
    expect(await db.gatewayCommand.findUniqueOrThrow({ where: { id: older.id } })).toMatchObject({ state: "applied", error: "superseded by a newer policy refresh" });
    await escalateOverdue(new Date(Date.now() + 120_000), 60_000); // (other tests' gateways may have overdue commands)
    expect(await db.gatewayCommand.findUniqueOrThrow({ where: { id: older.id } })).toMatchObject({ state: "applied", escalatedAt: null });
    expect((await (await poll(f)).json()).commands).toEqual([]);
  });

  it("an unacknowledged policy_refresh is redelivered and escalated like every command", async () => {
    const f = await fleet();
    const cmd = await db.gatewayCommand.findFirstOrThrow({ where: { gatewayId: f.gw.id, type: "policy_refresh", state: "pending" } });
    expect((await (await poll(f)).json()).commands[0]).toMatchObject({ id: cmd.id, type: "policy_refresh", attempt: 1 });
    const later = new Date(Date.now() + 120_000);
    expect(await escalateOverdue(later, 60_000)).toBeGreaterThanOrEqual(1);
    expect(await db.gatewayCommand.findUniqueOrThrow({ where: { id: cmd.id } })).toMatchObject({ state: "delivered", escalatedAt: expect.any(Date) });
    expect(await db.auditEvent.count({ where: { action: "gateway.command_escalate", targetId: cmd.id } })).toBe(1);
    expect(await escalateOverdue(new Date(later.getTime() + 60_000), 60_000)).toBe(0); // once
    await db.gatewayCommand.update({ where: { id: cmd.id }, data: { nextAttemptAt: new Date(Date.now() - 1) } });
    expect((await (await poll(f)).json()).commands[0]).toMatchObject({ id: cmd.id, attempt: 2 });
  });
});

describe("the two delivery paths never hide a command from each other", () => {
  it("a long-poll that finds a row the admin-WebSocket path is claiming gets it as soon as that claim ends, not at the next recheck", async () => {
    const f = await fleet();
    await settle(f.gw.id);
    const action = await db.containmentAction.create({ data: { scope: "tool", target: "exec", action: "deny_tool", reason: "kill switch" } });
    const row = await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: f.gw.id, wsState: "pending" } });
    // The WS path holds the row's lock (as its claim does) for 300 ms while the long-poll runs.
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query("begin");
      await client.query("select id from gateway_commands where id = $1 for update", [row.id]);
      const started = Date.now();
      const polled = poll(f, 10).then((r) => r.json());
      await new Promise((r) => setTimeout(r, 300));
      await client.query("update gateway_commands set ws_state = 'sending' where id = $1", [row.id]);
      await client.query("commit");
      const body = await polled;
      expect(body.commands.map((c: { id: string }) => c.id)).toEqual([row.id]);
      expect(Date.now() - started).toBeLessThan(1200); // the old SKIP LOCKED claim parked until the 2 s recheck
    } finally {
      await client.end();
    }
  });
});

describe("a release is shown as done only when access is back on every path", () => {
  it("stays 'releasing' until each path that applied the deny applied the release", async () => {
    const { contain, releaseContainment } = await import("@/lib/containment/service");
    const { getContainment } = await import("@/lib/containment/queries");
    const f = await fleet();
    // A second gateway that never received the apply (offline): it holds no deny to remove.
    const offline = await fleet();
    await db.gateway.update({ where: { id: f.gw.id }, data: { adminWsUrl: "ws://gw.example.invalid:18789", adminTokenEnc: seal("token-123456") } });
    const { actor } = await makeUser("operator");
    const { id } = await contain(actor, { scope: "tool", target: f.tool.name, action: "deny_tool", reason: "kill switch for the release test" });
    // The admin-WebSocket send started after commit cannot reach this made-up host: let it finish first.
    const wsSettled = (kind: string) =>
      expect.poll(async () => (await db.gatewayCommand.findFirstOrThrow({ where: { actionId: id, gatewayId: f.gw.id, kind } })).wsState, { timeout: 20_000 }).toBe("failed");
    await wsSettled("apply");
    await db.gatewayCommand.updateMany({ where: { actionId: id, gatewayId: f.gw.id }, data: { state: "applied", deliveredAt: new Date(), ackedAt: new Date(), wsState: "applied" } });
    expect(await db.gatewayCommand.count({ where: { actionId: id, gatewayId: offline.gw.id, deliveredAt: null } })).toBe(1);
    await releaseContainment(actor, { id, reason: "false alarm, verified" });
    await wsSettled("release");
    const status = async () => (await getContainment(id))!.status;
    expect(await status()).toBe("releasing");
    const release = { actionId: id, gatewayId: f.gw.id, kind: "release" };
    await db.gatewayCommand.updateMany({ where: release, data: { state: "applied", ackedAt: new Date() } });
    expect(await status()).toBe("releasing"); // the admin WebSocket still holds its deny
    await db.gatewayCommand.updateMany({ where: release, data: { wsState: "applied" } });
    expect(await status()).toBe("released");
  });
});
