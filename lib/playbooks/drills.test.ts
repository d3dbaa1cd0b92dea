import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import type { Actor } from "@/lib/auth/actor";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { makeUser, rid } from "@/test/factories";
import { createPlaybookAction } from "./actions";
import { checkDrillTimeline, timeToContainMs } from "./drill";
import { DRILL_CLOCK_SKEW_MS } from "./schema";

// The API routes resolve the caller through getActor(); tests swap in the actor they need.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const { POST: DRILL } = await import("@/app/api/v1/playbooks/[id]/drill/route");
const { GET: DRILLS } = await import("@/app/api/v1/playbooks/[id]/drills/route");

const SEC = 1000;
const MIN = 60 * SEC;

/** A playbook whose containment steps would deny a tool, suspend an agent and switch an integration. */
async function playbookWithActions() {
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
  const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "Test", purpose: "Drills", gatewayId: gw.id } });
  const integ = await db.integration.create({
    data: { name: `int-${rid()}`, provider: "Vendor", reason: "Drills", permissions: [], degradation: { primary: "a", fallback: "b", onFailure: "use_fallback", maxRetries: 1 } },
  });
  const { actor } = await makeUser("security_lead");
  const res = await execute(actor, createPlaybookAction, {
    name: `drill-${rid()}`,
    trigger: "manual",
    steps: [
      { phase: "detection", title: "Confirm" },
      { phase: "containment", title: "Deny the tool", action: { type: "deny_tool", target: `tool-${rid()}` } },
      { phase: "containment", title: "Suspend the agent", action: { type: "suspend_agent", target: agent.name } },
      { phase: "containment", title: "Switch to fallback", action: { type: "switch_fallback", target: integ.name } },
      { phase: "investigation", title: "Review calls" },
      { phase: "post_mortem", title: "Write it up" },
    ],
  });
  if (!res.ok) throw new Error(JSON.stringify(res));
  const steps = await db.playbookStep.findMany({ where: { playbookId: res.data.id }, orderBy: { position: "asc" } });
  return { playbook: res.data, steps, agent, integ, gw };
}

const post = (id: string, body: unknown) => DRILL(new Request("http://x", { method: "POST", body: JSON.stringify(body) }), { params: Promise.resolve({ id }) });
const asRole = async (role: "operator" | "security_lead" | "auditor" | "manager") => {
  const u = await makeUser(role);
  session.actor = u.actor;
  return u;
};

/** Results for the given steps laid end to end from `start`, each lasting `each` ms. */
function timeline(steps: { id: string }[], start: number, each: number, outcomes: string[] = []) {
  return steps.map((s, i) => ({
    stepId: s.id,
    startedAt: new Date(start + i * each).toISOString(),
    finishedAt: new Date(start + (i + 1) * each).toISOString(),
    outcome: outcomes[i] ?? "done",
    note: "",
  }));
}

describe("drills over the API", () => {
  it("without step results walks every step in order and records time to contain — touching no gateway, agent or integration", async () => {
    const { playbook, steps, agent, integ } = await playbookWithActions();
    const before = {
      actions: await db.containmentAction.count(),
      deliveries: await db.gatewayCommand.count(),
      incidents: await db.incident.count(),
      agent: await db.agent.findUniqueOrThrow({ where: { id: agent.id } }),
      integ: await db.integration.findUniqueOrThrow({ where: { id: integ.id } }),
      webhooks: await db.webhookDelivery.count(),
    };
    const { user } = await asRole("operator");
    const t0 = Date.now();
    const res = await post(playbook.id, { note: "quarterly automated drill" });
    expect(res.status).toBe(201);
    const { data } = await res.json();
    expect(data.stepResults.map((r: { stepId: string }) => r.stepId)).toEqual(steps.map((s) => s.id));
    expect(data.stepResults.every((r: { outcome: string }) => r.outcome === "done")).toBe(true);
    // Real wall-clock timestamps, in order, inside the drill window.
    const times = data.stepResults.flatMap((r: { startedAt: string; finishedAt: string }) => [Date.parse(r.startedAt), Date.parse(r.finishedAt)]);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse(data.startedAt));
    expect(times.at(-1)).toBeLessThanOrEqual(Date.parse(data.finishedAt));
    expect(Date.parse(data.startedAt)).toBeGreaterThanOrEqual(t0 - 5);
    // Time to contain: to the finish of the last containment step (the 4th step).
    expect(data.timeToContainMs).toBe(Date.parse(data.stepResults[3].finishedAt) - Date.parse(data.startedAt));

    const stored = await db.drill.findUniqueOrThrow({ where: { id: data.id } });
    expect(stored).toMatchObject({ playbookId: playbook.id, runById: user.id, timeToContainMs: data.timeToContainMs });
    expect(stored.stepResults).toEqual(data.stepResults);
    expect((stored.stepResults as { note: string; title: string; phase: string }[])[1]).toMatchObject({ title: "Deny the tool", phase: "containment", note: "quarterly automated drill" });

    // Nothing but the drill: no containment, no outbox row, no incident, no notification, no record changed.
    expect(await db.containmentAction.count()).toBe(before.actions);
    expect(await db.gatewayCommand.count()).toBe(before.deliveries);
    expect(await db.incident.count()).toBe(before.incidents);
    expect(await db.webhookDelivery.count()).toBe(before.webhooks);
    expect(await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).toEqual(before.agent);
    expect(await db.integration.findUniqueOrThrow({ where: { id: integ.id } })).toEqual(before.integ);

    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "playbook.drill", targetId: playbook.id, outcome: "success" } });
    expect(audit.after).toMatchObject({ drillId: data.id, timeToContainMs: data.timeToContainMs, simulated: true, steps: expect.any(Array) });
    expect((audit.after as { steps: unknown[] }).steps).toHaveLength(steps.length);
  });

  it("with step results: time to contain runs from the drill's start to the last containment step marked done", async () => {
    const { playbook, steps } = await playbookWithActions();
    await asRole("security_lead");
    const start = Date.now() - 30 * MIN;
    // detection 0–2 min, containment 2–4 (done), 4–6 (done), 6–8 (skipped), investigation, post-mortem.
    const results = timeline(steps, start, 2 * MIN, ["done", "done", "done", "skipped", "done", "failed"]);
    const res = await post(playbook.id, { startedAt: new Date(start).toISOString(), finishedAt: new Date(start + 13 * MIN).toISOString(), stepResults: results });
    expect(res.status).toBe(201);
    const { data } = await res.json();
    expect(data.timeToContainMs).toBe(6 * MIN);
    const stored = await db.drill.findUniqueOrThrow({ where: { id: data.id } });
    expect(stored.timeToContainMs).toBe(6 * MIN);
    expect(stored.startedAt.getTime()).toBe(start);
    expect(stored.finishedAt!.getTime()).toBe(start + 13 * MIN);
    expect((stored.stepResults as { outcome: string }[]).map((r) => r.outcome)).toEqual(["done", "done", "done", "skipped", "done", "failed"]);

    // No containment step completed: null. A partial run (some steps only) is allowed, in order.
    const partial = timeline([steps[0], steps[1], steps[4]], start, MIN, ["done", "failed", "done"]);
    const res2 = await post(playbook.id, { stepResults: partial });
    expect(res2.status).toBe(201);
    const d2 = (await res2.json()).data;
    expect(d2.timeToContainMs).toBeNull();
    // Without a window, the drill spans its steps.
    expect(Date.parse(d2.startedAt)).toBe(start);
    expect(Date.parse(d2.finishedAt)).toBe(start + 3 * MIN);
  });

  it("refuses step ids from another playbook and changes nothing", async () => {
    const { playbook, steps } = await playbookWithActions();
    const other = await playbookWithActions();
    await asRole("operator");
    const [drills, events] = [await db.drill.count(), await db.auditEvent.count({ where: { action: "playbook.drill" } })];
    const results = timeline([steps[0], other.steps[1], steps[2]], Date.now() - 10 * MIN, MIN);
    const res = await post(playbook.id, { stepResults: results });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.fieldErrors).toEqual({ "stepResults.1.stepId": ["Not a step of this playbook."] });
    expect(await db.drill.count()).toBe(drills);
    expect(await db.auditEvent.count({ where: { action: "playbook.drill" } })).toBe(events);
  });

  it.each([
    [
      "a step that finishes before it starts",
      (s: { id: string }[], t: number) => ({ stepResults: [{ stepId: s[0].id, startedAt: iso(t + MIN), finishedAt: iso(t), outcome: "done" }] }),
      "stepResults.0.finishedAt",
    ],
    [
      "a step that starts before the previous one finished",
      (s: { id: string }[], t: number) => ({
        stepResults: [
          { stepId: s[0].id, startedAt: iso(t), finishedAt: iso(t + 2 * MIN), outcome: "done" },
          { stepId: s[1].id, startedAt: iso(t + MIN), finishedAt: iso(t + 3 * MIN), outcome: "done" },
        ],
      }),
      "stepResults.1.startedAt",
    ],
    ["steps out of the playbook's order", (s: { id: string }[], t: number) => ({ stepResults: timeline([s[2], s[0]], t, MIN) }), "stepResults.1.stepId"],
    ["the same step twice", (s: { id: string }[], t: number) => ({ stepResults: timeline([s[0], s[0]], t, MIN) }), "stepResults.1.stepId"],
    [
      "a step outside the drill window",
      (s: { id: string }[], t: number) => ({ startedAt: iso(t + MIN), finishedAt: iso(t + 10 * MIN), stepResults: timeline([s[0]], t, MIN) }),
      "stepResults.0.startedAt",
    ],
    ["a drill that finishes before it starts", (s: { id: string }[], t: number) => ({ startedAt: iso(t + 10 * MIN), finishedAt: iso(t), stepResults: timeline([s[0]], t, MIN) }), "finishedAt"],
    ["timestamps in the future", (s: { id: string }[]) => ({ stepResults: timeline([s[0]], Date.now() + 10 * MIN, MIN) }), "stepResults.0.finishedAt"],
    ["a window without step results", (_s: { id: string }[], t: number) => ({ startedAt: iso(t) }), "stepResults"],
    ["an unknown outcome", (s: { id: string }[], t: number) => ({ stepResults: timeline([s[0]], t, MIN, ["maybe"]) }), "stepResults.0.outcome"],
  ])("refuses %s (400, nothing saved)", async (_label, body, field) => {
    const { playbook, steps } = await playbookWithActions();
    await asRole("security_lead");
    const res = await post(playbook.id, body(steps, Date.now() - 30 * MIN));
    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()).error.fieldErrors ?? {})).toContain(field);
    expect(await db.drill.count({ where: { playbookId: playbook.id } })).toBe(0);
  });

  it("auditors and managers are refused (403, denial audited); unknown playbooks are 404; empty playbooks cannot be drilled", async () => {
    const { playbook } = await playbookWithActions();
    for (const role of ["auditor", "manager"] as const) {
      const { actor } = await asRole(role);
      const res = await post(playbook.id, {});
      expect(res.status).toBe(403);
      expect(await db.auditEvent.count({ where: { action: "playbook.drill", outcome: "denied", actorLabel: actor.label } })).toBe(1);
    }
    expect(await db.drill.count({ where: { playbookId: playbook.id } })).toBe(0);
    await asRole("operator");
    expect((await post("8a7b3c1e-2d4f-4a6b-9c8d-0e1f2a3b4c5d", {})).status).toBe(404);
    const empty = await db.playbook.create({ data: { name: `empty-${rid()}`, trigger: "manual" } });
    expect((await post(empty.id, {})).status).toBe(400);
    // A drill is run by a person: system actors have no user to record.
    const { runDrill } = await import("./service");
    await expect(runDrill(SYSTEM_ACTOR, { id: playbook.id })).rejects.toMatchObject({ code: "forbidden" });
  });

  it("lists a playbook's drills newest first (registry:read)", async () => {
    const { playbook, steps } = await playbookWithActions();
    await asRole("operator");
    const old = Date.now() - 3 * 3_600_000;
    expect((await post(playbook.id, { stepResults: timeline(steps.slice(0, 2), old, MIN) })).status).toBe(201);
    expect((await post(playbook.id, {})).status).toBe(201);
    await asRole("manager");
    const res = await DRILLS(new Request("http://x?pageSize=1"), { params: Promise.resolve({ id: playbook.id }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.total).toBe(2);
    expect(body.data).toHaveLength(1);
    expect(Date.parse(body.data[0].startedAt)).toBeGreaterThan(old);
    expect(body.data[0]).toMatchObject({ outcomes: { done: steps.length, skipped: 0, failed: 0 }, runBy: { email: expect.any(String) } });
    expect((await DRILLS(new Request("http://x"), { params: Promise.resolve({ id: "nope" }) })).status).toBe(404);
  });
});

describe("drill arithmetic", () => {
  it("time to contain ignores skipped and failed containment steps and other phases", () => {
    const t = Date.parse("2030-01-01T00:00:00Z");
    const at = (m: number) => new Date(t + m * MIN);
    expect(
      timeToContainMs(at(0), [
        { phase: "containment", outcome: "done", finishedAt: at(3) },
        { phase: "containment", outcome: "failed", finishedAt: at(5) },
        { phase: "recovery", outcome: "done", finishedAt: at(9) },
      ]),
    ).toBe(3 * MIN);
    expect(timeToContainMs(at(0), [{ phase: "containment", outcome: "skipped", finishedAt: at(2) }])).toBeNull();
  });

  it("accepts a small clock skew but not more", () => {
    const now = new Date();
    const steps = [{ id: "a" }];
    const ok = (ahead: number) => checkDrillTimeline({ steps, startedAt: new Date(now.getTime() - MIN), finishedAt: new Date(now.getTime() + ahead), results: [], now });
    expect(ok(DRILL_CLOCK_SKEW_MS - 1000)).toEqual({});
    expect(ok(DRILL_CLOCK_SKEW_MS + 1000)).toEqual({ finishedAt: ["In the future."] });
  });
});

function iso(ms: number) {
  return new Date(ms).toISOString();
}
