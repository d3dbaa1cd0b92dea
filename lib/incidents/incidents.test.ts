import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { can } from "@/lib/auth/roles";
import { makeUser, rid } from "@/test/factories";
import { addIncidentNoteAction, openIncidentAction, setPostMortemAction, updateIncidentAction } from "./actions";
import { openIncidentInTx } from "./service";
import { getIncident, incidentCounts, listIncidents, parseIncidentQuery, INCIDENT_READ_SCOPE } from "./queries";

const MIN = 60_000;
const HOUR = 60 * MIN;

async function gateway() {
  return db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
}
async function agent(gatewayId: string) {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test", gatewayId } });
}
async function finding(gatewayId: string, agentId: string, toolName: string, over: { firstSeenAt?: Date; lastSeenAt?: Date; severity?: "low" | "medium" | "high" | "critical" } = {}) {
  return db.finding.create({
    data: {
      kind: "unapproved_tool",
      severity: over.severity ?? "high",
      gatewayId,
      agentId,
      toolName,
      title: `agent called ${toolName} ${rid()}`,
      detail: { calls: 3, blocked: 1 },
      firstSeenAt: over.firstSeenAt,
      lastSeenAt: over.lastSeenAt,
    },
  });
}
const eventsOf = (incidentId: string) => db.incidentEvent.findMany({ where: { incidentId }, orderBy: [{ at: "asc" }, { id: "asc" }] });

async function openByHand(actor: Parameters<typeof execute>[0], over: Record<string, unknown> = {}) {
  const res = await execute(actor, openIncidentAction, { title: `Vendor breach ${rid()}`, severity: "high", summary: "Vendor X reported a key leak.", ...over });
  if (!res.ok) throw new Error(`open failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
  return res.data;
}

describe("opening incidents", () => {
  it("opens by hand with an owner and a playbook: timeline 'opened' entry and an audit row", async () => {
    const lead = await makeUser("security_lead");
    const owner = await makeUser("operator");
    const pb = await db.playbook.create({ data: { name: `pb-${rid()}`, trigger: "manual", breakGlass: "Call the vendor hotline." } });
    const i = await openByHand(lead.actor, { ownerId: owner.user.id, playbookId: pb.id, severity: "critical" });

    expect(i).toMatchObject({ status: "open", severity: "critical", ownerId: owner.user.id, playbookId: pb.id, findingId: null, closedAt: null, summary: "Vendor X reported a key leak." });
    const evs = await eventsOf(i.id);
    expect(evs).toEqual([expect.objectContaining({ kind: "opened", body: expect.objectContaining({ by: lead.actor.label, severity: "critical", source: "manual" }) })]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "incident.open", targetId: i.id, outcome: "success" } });
    expect(audit.after).toMatchObject({ title: i.title, severity: "critical", owner: owner.user.email, playbook: pb.name });
  });

  it("rejects a manual open without title/severity, an unknown owner, a disabled owner or playbook; nothing is created", async () => {
    const { actor } = await makeUser("operator");
    const title = `Nope ${rid()}`;
    expect(await execute(actor, openIncidentAction, { summary: "x" })).toMatchObject({ ok: false, status: 400, fieldErrors: { title: expect.any(Array), severity: expect.any(Array) } });
    expect(await execute(actor, openIncidentAction, { title, severity: "high", ownerId: crypto.randomUUID() })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { ownerId: ["No user with this id."] },
    });
    const gone = await makeUser("operator");
    await db.user.update({ where: { id: gone.user.id }, data: { disabledAt: new Date() } });
    expect(await execute(actor, openIncidentAction, { title, severity: "high", ownerId: gone.user.id })).toMatchObject({ ok: false, status: 400, fieldErrors: { ownerId: expect.any(Array) } });
    expect(await execute(actor, openIncidentAction, { title, severity: "high", playbookId: crypto.randomUUID() })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { playbookId: expect.any(Array) },
    });
    expect(await db.incident.count({ where: { title } })).toBe(0);
  });

  it("opens from a finding: copies title/severity, marks the finding, records its details; a second open is a 409 naming the incident", async () => {
    const { actor } = await makeUser("operator");
    const gw = await gateway();
    const a = await agent(gw.id);
    const f = await finding(gw.id, a.id, `rogue-${rid()}`, { severity: "critical" });

    const i = await openByHand(actor, { title: undefined, severity: undefined, summary: undefined, findingId: f.id });
    expect(i).toMatchObject({ title: f.title, severity: "critical", findingId: f.id, status: "open" });
    expect(i.summary).toContain("unapproved tool");
    expect(await db.finding.findUniqueOrThrow({ where: { id: f.id } })).toMatchObject({ status: "incident" });
    const evs = await eventsOf(i.id);
    expect(evs.map((e) => e.kind)).toEqual(["opened", "finding"]);
    expect(evs[1].body).toMatchObject({ findingId: f.id, kind: "unapproved_tool", severity: "critical", toolName: f.toolName, agentId: a.id, gatewayId: gw.id, detail: { calls: 3, blocked: 1 } });
    expect(await db.auditEvent.findFirstOrThrow({ where: { action: "incident.open", targetId: i.id } })).toMatchObject({ before: { findingStatus: "open" } });

    const again = await execute(actor, openIncidentAction, { findingId: f.id, severity: "low" });
    expect(again).toMatchObject({ ok: false, status: 409, code: "conflict" });
    expect(!again.ok && again.error).toContain(i.id);
    expect(await db.incident.count({ where: { findingId: f.id } })).toBe(1);

    // Once that incident is closed, the same finding may open a new one.
    expect(await execute(actor, updateIncidentAction, { id: i.id, status: "closed" })).toMatchObject({ ok: true });
    const next = await openByHand(actor, { title: undefined, severity: "medium", summary: undefined, findingId: f.id });
    expect(next.id).not.toBe(i.id);
    expect(next).toMatchObject({ severity: "medium", findingId: f.id });
    expect(await execute(actor, openIncidentAction, { findingId: crypto.randomUUID() })).toMatchObject({ ok: false, status: 404 });
  });

  it("an automatic open with a dedupe key returns the first incident", async () => {
    const { actor } = await makeUser("operator");
    const key = `breaker:${rid()}`;
    const input = { title: `Spend breaker ${rid()}`, severity: "high" as const };
    const [a, b] = await Promise.all([
      db.$transaction((tx) => openIncidentInTx(tx, actor, input, { dedupeKey: key })),
      db.$transaction((tx) => openIncidentInTx(tx, actor, input, { dedupeKey: key })),
    ]);
    expect(a.incident.id).toBe(b.incident.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await db.incident.count({ where: { dedupeKey: key } })).toBe(1);
  });
});

describe("updating incidents", () => {
  it("walks open → contained → resolved → open (reopen) → closed, with a timeline entry and audit row per change", async () => {
    const { actor } = await makeUser("security_lead");
    const i = await openByHand(actor);
    for (const status of ["contained", "resolved", "open"] as const) {
      expect(await execute(actor, updateIncidentAction, { id: i.id, status })).toMatchObject({ ok: true, data: { status, closedAt: null } });
    }
    const closed = await execute(actor, updateIncidentAction, { id: i.id, status: "closed", severity: "low" });
    expect(closed).toMatchObject({ ok: true, data: { status: "closed", severity: "low", closedAt: expect.any(Date) } });

    const changes = (await eventsOf(i.id)).filter((e) => e.kind === "status").map((e) => e.body);
    expect(changes).toEqual([
      { field: "status", from: "open", to: "contained", by: actor.label },
      { field: "status", from: "contained", to: "resolved", by: actor.label },
      { field: "status", from: "resolved", to: "open", by: actor.label },
      { field: "status", from: "open", to: "closed", by: actor.label },
      { field: "severity", from: "high", to: "low", by: actor.label },
    ]);
    expect(await db.auditEvent.count({ where: { action: "incident.update", targetId: i.id } })).toBe(3);
    expect(await db.auditEvent.findFirstOrThrow({ where: { action: "incident.close", targetId: i.id } })).toMatchObject({
      before: { status: "open", severity: "high", closedAt: null },
      after: { status: "closed", severity: "low" },
    });
  });

  it("rejects invalid transitions and changes nothing", async () => {
    const { actor } = await makeUser("operator");
    const i = await openByHand(actor);
    await execute(actor, updateIncidentAction, { id: i.id, status: "contained" });
    // contained → open is not a reopen (only resolved incidents reopen).
    expect(await execute(actor, updateIncidentAction, { id: i.id, status: "open" })).toMatchObject({ ok: false, status: 400, fieldErrors: { status: ["From contained: resolved, closed."] } });
    await execute(actor, updateIncidentAction, { id: i.id, status: "closed" });
    const before = await db.incident.findUniqueOrThrow({ where: { id: i.id } });
    const eventsBefore = await db.incidentEvent.count({ where: { incidentId: i.id } });
    const auditBefore = await db.auditEvent.count({ where: { targetId: i.id } });

    expect(await execute(actor, updateIncidentAction, { id: i.id, status: "open" })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(actor, updateIncidentAction, { id: i.id, severity: "critical" })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(actor, updateIncidentAction, { id: i.id, status: "reopened" })).toMatchObject({ ok: false, status: 400, fieldErrors: { status: expect.any(Array) } });
    expect(await execute(actor, updateIncidentAction, { id: i.id })).toMatchObject({ ok: false, status: 400 });

    expect(await db.incident.findUniqueOrThrow({ where: { id: i.id } })).toEqual(before);
    expect(await db.incidentEvent.count({ where: { incidentId: i.id } })).toBe(eventsBefore);
    expect(await db.auditEvent.count({ where: { targetId: i.id } })).toBe(auditBefore);
    expect(await execute(actor, updateIncidentAction, { id: crypto.randomUUID(), status: "closed" })).toMatchObject({ ok: false, status: 404 });
  });

  it("an owner must be an existing active user; owner changes are on the timeline; null clears it", async () => {
    const { actor } = await makeUser("operator");
    const i = await openByHand(actor);
    expect(await execute(actor, updateIncidentAction, { id: i.id, ownerId: crypto.randomUUID() })).toMatchObject({ ok: false, status: 400, fieldErrors: { ownerId: expect.any(Array) } });
    const gone = await makeUser("operator");
    await db.user.update({ where: { id: gone.user.id }, data: { disabledAt: new Date() } });
    expect(await execute(actor, updateIncidentAction, { id: i.id, ownerId: gone.user.id })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { ownerId: ["A disabled user cannot own an incident."] },
    });
    expect(await db.incident.findUniqueOrThrow({ where: { id: i.id } })).toMatchObject({ ownerId: null });

    const owner = await makeUser("security_lead");
    expect(await execute(actor, updateIncidentAction, { id: i.id, ownerId: owner.user.id })).toMatchObject({ ok: true, data: { ownerId: owner.user.id, owner: { email: owner.user.email } } });
    expect(await execute(actor, updateIncidentAction, { id: i.id, ownerId: "" })).toMatchObject({ ok: true, data: { ownerId: null } });
    const owners = (await eventsOf(i.id)).filter((e) => e.kind === "owner").map((e) => e.body);
    expect(owners).toEqual([
      { from: null, to: { id: owner.user.id, name: owner.user.name }, by: actor.label },
      { from: { id: owner.user.id, name: owner.user.name }, to: null, by: actor.label },
    ]);
  });

  it("notes (≤ 4000 characters) and the post-mortem are recorded, audited and allowed after closing", async () => {
    const { actor } = await makeUser("operator");
    const i = await openByHand(actor);
    await execute(actor, updateIncidentAction, { id: i.id, status: "closed" });
    expect(await execute(actor, addIncidentNoteAction, { id: i.id, text: "x".repeat(4001) })).toMatchObject({ ok: false, status: 400, fieldErrors: { text: ["At most 4000 characters."] } });
    expect(await execute(actor, addIncidentNoteAction, { id: i.id, text: "   " })).toMatchObject({ ok: false, status: 400 });
    expect(await execute(actor, addIncidentNoteAction, { id: i.id, text: "  Vendor confirmed the key was rotated.  " })).toMatchObject({
      ok: true,
      data: { author: actor.label, text: "Vendor confirmed the key was rotated." },
    });

    const pm = "## What happened\n- key leaked\n- contained in 4 min";
    expect(await execute(actor, setPostMortemAction, { id: i.id, postMortem: pm })).toMatchObject({ ok: true, data: { postMortem: pm, changed: true } });
    expect(await execute(actor, setPostMortemAction, { id: i.id, postMortem: `${pm}\n- follow-up: rotate quarterly` })).toMatchObject({ ok: true, data: { changed: true } });
    const evs = await eventsOf(i.id);
    expect(evs.filter((e) => e.kind === "note").map((e) => e.body)).toEqual([{ author: actor.label, text: "Vendor confirmed the key was rotated." }]);
    expect(evs.filter((e) => e.kind === "post_mortem").map((e) => (e.body as { event: string }).event)).toEqual(["written", "updated"]);
    expect(await db.auditEvent.count({ where: { action: "incident.note", targetId: i.id, outcome: "success" } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "incident.post_mortem", targetId: i.id, outcome: "success" } })).toBe(2);
    expect((await getIncident(i.id))?.postMortem).toBe(`${pm}\n- follow-up: rotate quarterly`);
  });
});

describe("the incident detail", () => {
  it("merges stored events, containment, delivery acks, related findings and blocked calls in time order; never params", async () => {
    const { actor } = await makeUser("operator");
    const gw = await gateway();
    const gw2 = await gateway();
    const a = await agent(gw.id);
    const bystander = await agent(gw2.id);
    const tool = `rogue-${rid()}`;
    const f = await finding(gw.id, a.id, tool);
    const i = await openByHand(actor, { title: undefined, severity: undefined, summary: undefined, findingId: f.id });
    // Pretend it was opened 3 h ago (its first events too), so everything below falls inside the window.
    const t0 = new Date(Date.now() - 3 * HOUR);
    const at = (m: number) => new Date(t0.getTime() + m * MIN);
    await db.incident.update({ where: { id: i.id }, data: { openedAt: t0 } });
    await db.incidentEvent.updateMany({ where: { incidentId: i.id }, data: { at: t0 } });

    const action = await db.containmentAction.create({
      data: {
        scope: "agent",
        target: a.id,
        action: "suspend_agent",
        reason: "Stop the leak",
        incidentId: i.id,
        createdAt: at(10),
        releasedAt: at(50),
        status: "released",
        releaseReason: "Key rotated",
        affected: { gateways: [{ id: gw.id, name: gw.name }], agents: [{ id: a.id, name: a.name }], label: a.name },
      },
    });
    // The containment service records "applied" on the timeline itself: the merge must not repeat it.
    await db.incidentEvent.create({
      data: {
        incidentId: i.id,
        at: at(10),
        kind: "containment",
        body: { containmentId: action.id, event: "applied", by: actor.label, action: "suspend_agent", scope: "agent", label: a.name, reason: "Stop the leak" },
      },
    });
    await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: gw.id, state: "applied", attempts: 1, deliveredAt: at(11), ackedAt: at(12), createdAt: at(10) } });
    await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: gw2.id, state: "timed_out", attempts: 3, deliveredAt: at(13), escalatedAt: at(20), error: "no ack", createdAt: at(10) } });
    await db.incidentEvent.create({ data: { incidentId: i.id, at: at(30), kind: "note", body: { author: actor.label, text: "Watching" } } });
    // The gateway's ack is recorded as an event too (lib/outbox/commands.ts): shown once, from the event.
    await db.incidentEvent.create({ data: { incidentId: i.id, at: at(12), kind: "delivery", body: { containmentId: action.id, gateway: gw.name, kind: "apply", state: "applied", detail: null } } });

    const call = (agentRef: { id: string; name: string }, toolName: string, when: Date, decision: "allowed" | "blocked", gatewayId = gw.id) => ({
      occurredAt: when,
      gatewayId,
      eventId: `ev-${rid()}`,
      agentId: agentRef.id,
      agentName: agentRef.name,
      toolName,
      decision,
      params: { apiKey: "SECRET-PARAM-VALUE" },
      result: { body: "SECRET-RESULT" },
    });
    await db.toolCall.createMany({
      data: [
        call(a, tool, at(5), "blocked"), // agent + tool
        call(a, "web_fetch", at(15), "blocked"), // same agent, other tool
        call(bystander, tool, at(25), "blocked", gw2.id), // other agent, same tool: the finding names an agent, so not related
        call(a, tool, at(6), "allowed"), // allowed: not shown
        call(a, tool, new Date(t0.getTime() - 2 * HOUR), "blocked"), // before the window (openedAt − 1 h)
        call(bystander, "web_fetch", at(7), "blocked", gw2.id), // unrelated
      ],
    });
    const related = await finding(gw.id, a.id, "web_fetch", { firstSeenAt: at(16), lastSeenAt: at(18), severity: "medium" });
    const other = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "x", purpose: "x", gatewayId: gw2.id } });
    await finding(gw2.id, other.id, `other-${rid()}`, { firstSeenAt: at(17), lastSeenAt: at(19) });

    const d = await getIncident(i.id);
    expect(d).not.toBeNull();
    const tl = d!.timeline;
    const times = tl.map((e) => e.at.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(tl.map((e) => [Math.round((e.at.getTime() - t0.getTime()) / MIN), e.source, e.kind])).toEqual([
      [0, "event", "opened"],
      [0, "event", "finding"],
      [5, "tool_call", "tool_call"],
      [10, "event", "containment"],
      [11, "delivery", "delivery"],
      [12, "delivery", "delivery"],
      [13, "delivery", "delivery"],
      [15, "tool_call", "tool_call"],
      [16, "finding", "related_finding"],
      [20, "delivery", "delivery"],
      [30, "event", "note"],
      [50, "containment", "containment"],
    ]);
    expect(tl.find((e) => e.key === `f-${related.id}`)).toBeTruthy();
    expect(tl.filter((e) => e.at.getTime() === at(12).getTime()).map((e) => e.key)).toEqual([expect.stringMatching(/^ev-/)]);
    expect(tl.filter((e) => e.kind === "delivery").map((e) => e.title)).toEqual([
      `${gw.name}: command suspend agent delivered`,
      `${gw.name} acknowledged command suspend agent: applied`,
      `${gw2.name}: command suspend agent delivered`,
      `${gw2.name} did not acknowledge command suspend agent in time: escalated`,
    ]);
    expect(d!.actions).toEqual([expect.objectContaining({ id: action.id, label: a.name, status: "released", deliveriesTotal: 2 })]);
    expect(d!.actions[0].deliveries.map((x) => [x.gatewayName, x.state, x.ackedAt?.getTime() ?? null]).sort()).toEqual(
      [
        [gw.name, "applied", at(12).getTime()],
        [gw2.name, "timed_out", null],
      ].sort(),
    );
    expect(d!.blockedCalls.map((c) => [c.toolName, c.agentName, c.decision])).toEqual([
      ["web_fetch", a.name, "blocked"],
      [tool, a.name, "blocked"],
    ]);
    expect(d!.window).toEqual({ from: new Date(t0.getTime() - HOUR), to: expect.any(Date) });

    const json = JSON.stringify(d, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    expect(json).not.toContain("SECRET-PARAM-VALUE");
    expect(json).not.toContain("SECRET-RESULT");
    expect(json).not.toMatch(/"params"|"result"/);
  });

  it("an incident opened days after its finding covers the calls that raised it; a finding that only shares the gateway or the tool is not related", async () => {
    const { actor } = await makeUser("operator");
    const gw = await gateway();
    const a = await agent(gw.id);
    const neighbour = await agent(gw.id);
    const tool = `exec-${rid()}`;
    const first = new Date(Date.now() - 6 * 24 * HOUR);
    const f = await finding(gw.id, a.id, tool, { firstSeenAt: first, lastSeenAt: new Date(Date.now() - 5 * HOUR) });
    const i = await openByHand(actor, { title: undefined, severity: undefined, summary: undefined, findingId: f.id });
    await db.toolCall.create({ data: { occurredAt: first, gatewayId: gw.id, eventId: `ev-${rid()}`, agentId: a.id, agentName: a.name, toolName: tool, decision: "blocked" } });
    // Same gateway, other agent; and the same tool by another agent: neither is about this incident.
    const sameGateway = await db.finding.create({
      data: { kind: "spike", severity: "medium", gatewayId: gw.id, agentId: neighbour.id, title: `spike ${rid()}`, firstSeenAt: new Date(Date.now() - HOUR), lastSeenAt: new Date() },
    });
    const sameTool = await finding(gw.id, neighbour.id, tool, { firstSeenAt: new Date(Date.now() - 2 * HOUR), lastSeenAt: new Date() });
    // Same agent, inside the window: related.
    const sameAgent = await finding(gw.id, a.id, `other-${rid()}`, { firstSeenAt: new Date(Date.now() - 3 * 24 * HOUR), lastSeenAt: new Date(Date.now() - 2 * 24 * HOUR) });

    const d = (await getIncident(i.id))!;
    expect(d.window.from.getTime()).toBe(first.getTime() - HOUR);
    expect(d.window.from.getTime()).toBeLessThan(first.getTime());
    expect(d.blockedCalls.map((c) => c.occurredAt.getTime())).toEqual([first.getTime()]);
    expect(d.relatedFindings.map((r) => r.id)).toEqual([sameAgent.id]);
    expect(d.timeline.some((e) => e.key === `f-${sameGateway.id}` || e.key === `f-${sameTool.id}`)).toBe(false);
  });

  it("lists with filters, title search (wildcards literal) and counts by status", async () => {
    const { actor } = await makeUser("operator");
    const tag = rid();
    const x = await openByHand(actor, { title: `Alpha 100% ${tag}`, severity: "critical" });
    await openByHand(actor, { title: `Beta 1000 ${tag}`, severity: "low" });
    await execute(actor, updateIncidentAction, { id: x.id, status: "contained" });

    const all = await listIncidents(parseIncidentQuery({ q: tag }).query);
    expect(all.total).toBe(2);
    expect((await listIncidents(parseIncidentQuery({ q: `100% ${tag}` }).query)).rows.map((r) => r.id)).toEqual([x.id]);
    expect((await listIncidents(parseIncidentQuery({ q: tag, status: "contained" }).query)).rows.map((r) => r.id)).toEqual([x.id]);
    expect((await listIncidents(parseIncidentQuery({ q: tag, severity: "low" }).query)).rows.map((r) => r.title)).toEqual([`Beta 1000 ${tag}`]);
    expect((await listIncidents(parseIncidentQuery({ q: tag, sort: "severity", dir: "desc" }).query)).rows.map((r) => r.severity)).toEqual(["critical", "low"]);
    expect(parseIncidentQuery({ status: "bogus" }).invalid).toEqual(["status"]);
    const counts = await incidentCounts();
    expect(counts.contained).toBeGreaterThanOrEqual(1);
    expect(Object.keys(counts).sort()).toEqual(["closed", "contained", "open", "resolved"]);
  });
});

describe("authorization", () => {
  it.each(["manager", "auditor"] as const)("%s can read incidents but cannot open, change, note or write a post-mortem (denials audited)", async (role) => {
    const lead = await makeUser("security_lead");
    const i = await openByHand(lead.actor);
    const { actor } = await makeUser(role);
    expect(can(role, INCIDENT_READ_SCOPE)).toBe(true);
    expect(await getIncident(i.id)).toMatchObject({ id: i.id });

    const title = `Denied ${rid()}`;
    expect(await execute(actor, openIncidentAction, { title, severity: "high" })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, updateIncidentAction, { id: i.id, status: "closed" })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, addIncidentNoteAction, { id: i.id, text: "hi" })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, setPostMortemAction, { id: i.id, postMortem: "x" })).toMatchObject({ ok: false, status: 403 });
    for (const action of ["incident.open", "incident.update", "incident.note", "incident.post_mortem"]) {
      expect(await db.auditEvent.count({ where: { action, outcome: "denied", actorLabel: actor.label } })).toBe(1);
    }
    expect(await db.incident.count({ where: { title } })).toBe(0);
    expect(await db.incident.findUniqueOrThrow({ where: { id: i.id } })).toMatchObject({ status: "open", postMortem: null });
    expect(await db.incidentEvent.count({ where: { incidentId: i.id } })).toBe(1);
  });
});
