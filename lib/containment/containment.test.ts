import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { pollCommands, ackCommand } from "@/lib/outbox/commands";
import { buildGatewayPolicy } from "@/lib/allowlist/policy";
import { generateSigningSecret } from "@/lib/connector/signature";
import { blastRadiusAction, containApiAction, containConfirmedAction, releaseContainmentAction } from "./actions";
import { escalateOverdue } from "@/lib/outbox/escalation";
import { getContainment, countOpenEscalations, openEscalations } from "./queries";
import { getOverviewDashboard } from "@/lib/overview/queries";

async function fleet() {
  const mk = (n: string) => db.gateway.create({ data: { name: `${n}-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(generateSigningSecret()) } });
  const [g1, g2] = await Promise.all([mk("gw-a"), mk("gw-b")]);
  const agent = await db.agent.create({ data: { name: `agent-${rid()}`, externalId: `ext-${rid()}`, gatewayId: g1.id, owner: "sec", purpose: "test" } });
  const other = await db.agent.create({ data: { name: `agent-${rid()}`, externalId: `ext-${rid()}`, gatewayId: g2.id, owner: "sec", purpose: "test" } });
  // Creating the agents queued a policy refresh for each gateway (lib/outbox/policy-push.test.ts): not what these tests are about.
  await db.gatewayCommand.deleteMany({ where: { gatewayId: { in: [g1.id, g2.id] }, type: "policy_refresh" } });
  return { g1, g2, agent, other };
}
const gatewayActor = (gatewayId: string) => ({ kind: "gateway" as const, label: "gw", role: null, gatewayId, ip: null, userAgent: null });

describe("kill switches", () => {
  it("suspending an agent reaches only its gateway, is audited, and needs the typed name", async () => {
    const { g1, g2, agent } = await fleet();
    const { actor } = await makeUser("operator");
    const preview = await execute(actor, blastRadiusAction, { scope: "agent", target: agent.name });
    expect(preview).toMatchObject({ ok: true, data: { label: agent.name, gateways: [{ id: g1.id }], agents: [{ id: agent.id }] } });

    const before = await db.containmentAction.count();
    const wrong = await execute(actor, containConfirmedAction, { scope: "agent", target: agent.id, action: "suspend_agent", reason: "rogue agent", confirm: "someone-else" });
    expect(wrong).toMatchObject({ ok: false, status: 400, fieldErrors: { confirm: [expect.stringContaining(agent.name)] } });
    const noReason = await execute(actor, containConfirmedAction, { scope: "agent", target: agent.id, action: "suspend_agent", reason: "", confirm: agent.name });
    expect(noReason).toMatchObject({ ok: false, status: 400, fieldErrors: { reason: expect.any(Array) } });
    const badAction = await execute(actor, containConfirmedAction, { scope: "agent", target: agent.id, action: "shutdown", reason: "rogue agent", confirm: agent.name });
    expect(badAction).toMatchObject({ ok: false, status: 400, fieldErrors: { action: expect.any(Array) } });
    expect(await db.containmentAction.count()).toBe(before);

    const ok = await execute(actor, containConfirmedAction, { scope: "agent", target: agent.id, action: "suspend_agent", reason: "rogue agent", confirm: agent.name, options: { cronOff: true } });
    expect(ok.ok).toBe(true);
    const id = (ok as { data: { id: string } }).data.id;
    const c = await getContainment(id);
    expect(c).toMatchObject({ scope: "agent", target: agent.id, label: agent.name, status: "active", options: { cronOff: true }, summary: { total: 1, pending: 1 } });
    expect(c!.deliveries.map((d) => d.gatewayId)).toEqual([g1.id]);
    expect(await db.gatewayCommand.count({ where: { actionId: id, gatewayId: g2.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "containment.apply", targetId: id, actorId: actor.userId } })).toBe(1);

    // The gateway receives it with its own agent id, acknowledges, and the console shows applied.
    const cmds = await pollCommands(g1.id, 0);
    expect(cmds).toEqual([
      expect.objectContaining({ kind: "apply", scope: "agent", action: "suspend_agent", target: agent.id, options: expect.objectContaining({ cronOff: true, agentExternalId: agent.externalId }) }),
    ]);
    await ackCommand(gatewayActor(g1.id), g1.id, cmds[0].id, { outcome: "applied", detail: "agent suspended locally" });
    expect((await getContainment(id))!.summary).toMatchObject({ total: 1, applied: 1 });
  });

  it("managers and auditors cannot contain; the denial is audited", async () => {
    const { agent } = await fleet();
    for (const role of ["manager", "auditor"] as const) {
      const { actor } = await makeUser(role);
      const res = await execute(actor, containApiAction, { scope: "agent", target: agent.id, action: "suspend_agent", reason: "not allowed" });
      expect(res).toMatchObject({ ok: false, status: 403 });
      expect(await db.auditEvent.count({ where: { action: "containment.apply", outcome: "denied", actorId: actor.userId } })).toBe(1);
    }
  });

  it("a tool or fleet kill switch reaches every gateway; unknown targets are 404 with a field error", async () => {
    const { g1, g2 } = await fleet();
    const { actor } = await makeUser("operator");
    await db.tool.create({ data: { name: `tool-${rid()}`, kind: "skill", source: "clawhub", publisher: "p" } }).then(async (tool) => {
      const res = await execute(actor, containApiAction, { scope: "tool", target: tool.name, action: "deny_tool", reason: "vendor breach" });
      expect(res.ok).toBe(true);
      const c = await getContainment((res as { data: { id: string } }).data.id);
      expect(c!.deliveries.map((d) => d.gatewayId)).toEqual(expect.arrayContaining([g1.id, g2.id]));
      expect(c!.source).toBe("manual");
    });
    const missing = await execute(actor, containApiAction, { scope: "tool", target: `nope-${rid()}`, action: "deny_tool", reason: "vendor breach" });
    expect(missing).toMatchObject({ ok: false, status: 404, fieldErrors: { target: expect.any(Array) } });
    const fleetRes = await execute(actor, containApiAction, { scope: "fleet", target: "fleet", action: "block_all", reason: "fleet-wide incident" });
    expect(fleetRes.ok).toBe(true);
    const gws = await db.gateway.count();
    expect(await db.gatewayCommand.count({ where: { actionId: (fleetRes as { data: { id: string } }).data.id } })).toBe(gws);
  });

  it("a long-poll waiting for commands answers as soon as a kill switch commits", async () => {
    const { g2, other } = await fleet();
    const { actor } = await makeUser("operator");
    const started = Date.now();
    const polling = pollCommands(g2.id, 20);
    await new Promise((r) => setTimeout(r, 300));
    await execute(actor, containApiAction, { scope: "agent", target: other.name, action: "suspend_agent", reason: "wake test" });
    const cmds = await polling;
    expect(cmds.map((c) => c.target)).toEqual([other.id]);
    expect(Date.now() - started).toBeLessThan(10_000); // far before the 20 s poll deadline
  });

  it("the signed policy carries active containment (a third path) and drops it on release", async () => {
    const { g1, agent } = await fleet();
    const { actor } = await makeUser("operator");
    const before = await buildGatewayPolicy(g1.id);
    expect(before.containment).toEqual({ deniedTools: {}, suspendedAgents: {} });
    const res = await execute(actor, containApiAction, { scope: "agent", target: agent.id, action: "suspend_agent", reason: "policy path" });
    const id = (res as { data: { id: string } }).data.id;
    const during = await buildGatewayPolicy(g1.id);
    expect(during.containment.suspendedAgents).toEqual({ [agent.externalId!]: "policy path" });
    expect(during.version).not.toBe(before.version);

    const rel = await execute(actor, releaseContainmentAction, { id, reason: "false alarm, verified" });
    expect(rel).toMatchObject({ ok: true, data: { status: "released" } });
    const after = await buildGatewayPolicy(g1.id);
    expect(after.containment).toEqual({ deniedTools: {}, suspendedAgents: {} });
    expect(after.version).toBe(before.version);
    // The release is a command of its own, after the apply; a second release is a conflict.
    const kinds = (await pollCommands(g1.id, 0)).filter((c) => c.target === agent.id).map((c) => c.kind);
    expect(kinds).toEqual(["apply", "release"]);
    expect(await execute(actor, releaseContainmentAction, { id, reason: "again please" })).toMatchObject({ ok: false, status: 409 });
    expect(await db.auditEvent.count({ where: { action: "containment.release", targetId: id, outcome: "success" } })).toBe(1);
  });

  it("an unacknowledged command escalates once, keeps being delivered, and a late ack still applies", async () => {
    const { g1, agent } = await fleet();
    const { actor } = await makeUser("operator");
    const incident = await db.incident.create({ data: { title: "rogue", severity: "high" } });
    const res = await execute(actor, containApiAction, { scope: "agent", target: agent.id, action: "suspend_agent", reason: "escalation test", incidentId: incident.id });
    const id = (res as { data: { id: string } }).data.id;
    const [delivery] = await db.gatewayCommand.findMany({ where: { actionId: id } });
    // Not yet overdue: nothing happens.
    expect(await escalateOverdue(new Date(), 60_000)).toBe(0);
    const later = new Date(Date.now() + 61_000);
    expect(await escalateOverdue(later, 60_000)).toBeGreaterThanOrEqual(1);
    expect(await db.gatewayCommand.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ state: "timed_out", escalatedAt: later });
    expect(await db.auditEvent.count({ where: { action: "containment.escalate", targetId: delivery.id } })).toBe(1);
    expect(await db.incidentEvent.count({ where: { incidentId: incident.id, kind: "delivery" } })).toBe(1);
    // Escalated once only.
    await escalateOverdue(new Date(later.getTime() + 60_000), 60_000);
    expect(await db.auditEvent.count({ where: { action: "containment.escalate", targetId: delivery.id } })).toBe(1);
    // Still delivered (it stays flagged as timed out) and a late ack turns it applied.
    const cmds = await pollCommands(g1.id, 0);
    expect(cmds.map((c) => c.id)).toContain(delivery.id);
    expect((await db.gatewayCommand.findUniqueOrThrow({ where: { id: delivery.id } })).state).toBe("timed_out");
    await ackCommand(gatewayActor(g1.id), g1.id, delivery.id, { outcome: "applied" });
    expect((await db.gatewayCommand.findUniqueOrThrow({ where: { id: delivery.id } })).state).toBe("applied");
    expect(await db.incidentEvent.count({ where: { incidentId: incident.id } })).toBe(3); // applied, escalated, acked
  });
  it("an escalation clears once it no longer matters (release, late ack); banners and the overview count the same; webhooks told are counted, not assumed", async () => {
    const { g1, agent } = await fleet();
    const { actor } = await makeUser("operator");
    const contain = async (reason: string) => {
      const res = await execute(actor, containApiAction, { scope: "agent", target: agent.id, action: "suspend_agent", reason });
      return (res as { data: { id: string } }).data.id;
    };
    const escalate = async () => {
      await db.gatewayCommand.updateMany({ where: { gatewayId: g1.id, state: { in: ["pending", "delivered"] } }, data: { createdAt: new Date(Date.now() - 120_000) } });
      await escalateOverdue(new Date(), 60_000);
    };
    const mine = async () => (await openEscalations()).items.filter((e) => e.gatewayId === g1.id);
    const webhooksBefore = await db.webhookEndpoint.count();

    // No webhook subscribed: the escalation is open, and nobody was told by webhook.
    const id = await contain("escalation banner test");
    await pollCommands(g1.id, 0); // delivered over the connector, never acknowledged
    await escalate();
    const [apply] = await db.gatewayCommand.findMany({ where: { actionId: id } });
    let open = await openEscalations();
    expect((await mine()).map((e) => [e.deliveryId, e.kind, e.gatewayName, e.containmentId])).toEqual([[apply.id, "apply", g1.name, id]]);
    expect(open.total).toBe(await countOpenEscalations());
    expect((await getOverviewDashboard()).response.escalations).toBe(open.total);
    if (webhooksBefore === 0) expect(open.webhooks).toEqual({ subscribed: 0, queued: 0, delivered: 0 });
    expect((await db.auditEvent.findFirstOrThrow({ where: { action: "containment.escalate", targetId: apply.id } })).after).toMatchObject({ webhooksQueued: 0 });

    // Released: the timed-out apply no longer matters; the release is what the gateway owes now.
    expect((await execute(actor, releaseContainmentAction, { id, reason: "fixed" })).ok).toBe(true);
    expect(await mine()).toEqual([]);
    const total = (await openEscalations()).total;
    expect(total).toBe(await countOpenEscalations());
    expect((await getOverviewDashboard()).response.escalations).toBe(total);
    // The release is not acknowledged either: that escalation is open (the gateway got the deny)...
    await pollCommands(g1.id, 0);
    await escalate();
    const release = await db.gatewayCommand.findFirstOrThrow({ where: { actionId: id, kind: "release" } });
    expect((await mine()).map((e) => [e.deliveryId, e.kind])).toEqual([[release.id, "release"]]);
    // ...until the gateway acknowledges it.
    await ackCommand(gatewayActor(g1.id), g1.id, release.id, { outcome: "applied" });
    expect(await mine()).toEqual([]);

    // With a subscribed endpoint, the banner says how many were queued for these escalations.
    const hook = await db.webhookEndpoint.create({
      data: { name: `hook-${rid()}`, url: "https://hooks.example.test/warden", events: ["containment.escalated"], secretEnc: seal("whsec_test"), enabled: false },
    });
    await db.webhookEndpoint.update({ where: { id: hook.id }, data: { enabled: true } });
    try {
      const id2 = await contain("escalation with a webhook");
      await escalate();
      const [apply2] = await db.gatewayCommand.findMany({ where: { actionId: id2 } });
      open = await openEscalations();
      expect(open.items.map((e) => e.deliveryId)).toContain(apply2.id);
      expect(open.webhooks.subscribed).toBe(webhooksBefore + 1);
      expect(open.webhooks.queued).toBeGreaterThanOrEqual(1);
      // A kill switch whose apply never reached the gateway: its timed-out release holds nothing back.
      expect((await execute(actor, releaseContainmentAction, { id: id2, reason: "fixed" })).ok).toBe(true);
      await escalate();
      expect(await mine()).toEqual([]);
    } finally {
      await db.webhookEndpoint.delete({ where: { id: hook.id } });
    }
  });
});
