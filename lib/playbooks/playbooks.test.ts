import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { z } from "zod";
import { execute, type ActionDef } from "@/lib/action";
import type { Actor } from "@/lib/auth/actor";
import { makeUser, rid } from "@/test/factories";
import { createPlaybookAction, deletePlaybookAction, runDrillAction, updatePlaybookAction } from "./actions";
import { countPlaybooksNeedingDrill, drillStateOf, getPlaybook, listPlaybooks, parsePlaybookQuery } from "./queries";

// The API routes resolve the caller through getActor(); tests swap in the actor they need.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const DAY = 86_400_000;

async function makeAgent() {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "Test owner", purpose: "Testing playbooks" } });
}
async function makeIntegration() {
  return db.integration.create({ data: { name: `int-${rid()}`, provider: "Vendor", reason: "Testing playbooks", permissions: [] } });
}

const base = (over: Record<string, unknown> = {}) => ({
  name: `pb-${rid()}`,
  description: "A vendor discloses a breach.",
  trigger: "unapproved_burst",
  triggerConfig: { count: 20, minutes: 10 },
  contacts: [{ kind: "oncall", name: "Sam (on-call)", email: "sam@example.test", phone: "+44 20 7946 0100" }],
  breakGlass: "SSH to the bastion with the hardware key; run `openclaw gateway stop`.",
  steps: [
    { phase: "recovery", title: "Release containment", detail: "" },
    { phase: "detection", title: "Confirm the burst", detail: "Look at the blocked calls." },
    { phase: "containment", title: "Deny the tool", detail: "", action: { type: "deny_tool", target: "web_fetch" } },
    { phase: "detection", title: "Size the blast radius", detail: "" },
  ],
  ...over,
});

async function created(over: Record<string, unknown> = {}) {
  const { actor } = await makeUser("security_lead");
  const res = await execute(actor, createPlaybookAction, base(over));
  if (!res.ok) throw new Error(`create failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
  return { actor, playbook: res.data };
}

const stepsOf = (playbookId: string) => db.playbookStep.findMany({ where: { playbookId }, orderBy: { position: "asc" } });

describe("playbooks: create", () => {
  it("creates a playbook with steps in phase order, contacts and break-glass notes, audited in the same transaction", async () => {
    const { actor } = await makeUser("security_lead");
    const input = base();
    const res = await execute(actor, createPlaybookAction, input);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const stored = await db.playbook.findUniqueOrThrow({ where: { id: res.data.id } });
    expect(stored).toMatchObject({ name: input.name, trigger: "unapproved_burst", triggerConfig: { count: 20, minutes: 10 }, breakGlass: input.breakGlass });
    expect(stored.contacts).toEqual(input.contacts);
    // Phases in their fixed order; the submitted order within a phase.
    const steps = await stepsOf(stored.id);
    expect(steps.map((s) => [s.position, s.phase, s.title])).toEqual([
      [1, "detection", "Confirm the burst"],
      [2, "detection", "Size the blast radius"],
      [3, "containment", "Deny the tool"],
      [4, "recovery", "Release containment"],
    ]);
    expect(steps[2].action).toEqual({ type: "deny_tool", target: "web_fetch" });
    expect(steps[0].action).toBeNull();
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "playbook.create", targetId: stored.id } });
    expect(audit).toMatchObject({ outcome: "success", actorLabel: actor.label, targetType: "playbook" });
    expect(audit.after).toMatchObject({
      name: input.name,
      trigger: "unapproved_burst",
      steps: expect.arrayContaining([expect.objectContaining({ title: "Deny the tool", action: { type: "deny_tool", target: "web_fetch" } })]),
    });
  });

  it("accepts each trigger with its own configuration, normalised (form strings become numbers)", async () => {
    const [agent, integ] = await Promise.all([makeAgent(), makeIntegration()]);
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ["manual", {}, {}],
      ["vendor_advisory", { integrationId: integ.id }, { integrationId: integ.id }],
      ["vendor_advisory", { toolName: "slack-notify", integrationId: "" }, { toolName: "slack-notify" }],
      ["spend_threshold", { percent: "90", agentId: agent.id }, { percent: 90, agentId: agent.id }],
      ["spend_threshold", { percent: 100, agentId: "" }, { percent: 100 }],
      ["unapproved_burst", { count: "15", minutes: "5", severity: "critical" }, { count: 15, minutes: 5, severity: "critical" }],
      ["hash_drift", { toolName: "github-mcp" }, { toolName: "github-mcp" }],
    ];
    for (const [trigger, triggerConfig, stored] of cases) {
      const { playbook } = await created({ trigger, triggerConfig });
      expect((await db.playbook.findUniqueOrThrow({ where: { id: playbook.id } })).triggerConfig).toEqual(stored);
    }
  });

  it.each([
    ["missing fields", { name: "", trigger: undefined }, ["name", "trigger"]],
    ["spend percent not a threshold", { trigger: "spend_threshold", triggerConfig: { percent: 60 } }, ["triggerConfig.percent"]],
    ["burst without minutes, zero count", { trigger: "unapproved_burst", triggerConfig: { count: 0 } }, ["triggerConfig.count", "triggerConfig.minutes"]],
    [
      "advisory following both an integration and a tool",
      { trigger: "vendor_advisory", triggerConfig: { integrationId: "8a7b3c1e-2d4f-4a6b-9c8d-0e1f2a3b4c5d", toolName: "x" } },
      ["triggerConfig.toolName"],
    ],
    ["unknown configuration key (a typo must not pass)", { trigger: "hash_drift", triggerConfig: { tool: "x" } }, ["triggerConfig"]],
    ["configuration that is not an object", { trigger: "manual", triggerConfig: ["x"] }, ["triggerConfig"]],
    ["a contact nobody can reach", { contacts: [{ kind: "vendor", name: "Vendor PSIRT" }] }, ["contacts.0.email"]],
    ["bad contact kind and email", { contacts: [{ kind: "boss", name: "X", email: "nope" }] }, ["contacts.0.kind", "contacts.0.email"]],
    ["step action of an unknown type", { steps: [{ phase: "containment", title: "Nuke", action: { type: "delete_everything", target: "all" } }] }, ["steps.0.action.type"]],
    [
      "step action without a target, step without a title",
      { steps: [{ phase: "containment", title: "", action: { type: "suspend_agent", target: " " } }] },
      ["steps.0.title", "steps.0.action.target"],
    ],
    ["step in no phase", { steps: [{ phase: "panic", title: "Run" }] }, ["steps.0.phase"]],
  ])("refuses %s with field errors and changes nothing", async (_label, over, fields) => {
    const { actor } = await makeUser("admin");
    const input = base(over as Record<string, unknown>);
    const [rows, events] = await Promise.all([db.playbook.count(), db.auditEvent.count()]);
    const res = await execute(actor, createPlaybookAction, input);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.status).toBe(400);
    const keys = Object.keys(res.fieldErrors ?? {});
    for (const f of fields) expect(keys.some((k) => k === f || k.startsWith(`${f}.`))).toBe(true);
    expect(await db.playbook.count()).toBe(rows);
    expect(await db.auditEvent.count()).toBe(events);
  });

  it("refuses references to records that do not exist (checked on the server), changing nothing", async () => {
    const { actor } = await makeUser("admin");
    const ghost = "0b0b0b0b-1c1c-4d2d-8e3e-4f4f4f4f4f4f";
    const [rows, events] = await Promise.all([db.playbook.count(), db.auditEvent.count()]);
    const res = await execute(
      actor,
      createPlaybookAction,
      base({
        trigger: "spend_threshold",
        triggerConfig: { percent: 90, agentId: ghost },
        steps: [
          { phase: "containment", title: "Suspend", action: { type: "suspend_agent", target: `nobody-${rid()}` } },
          { phase: "containment", title: "Fallback", action: { type: "switch_fallback", target: `nothing-${rid()}` } },
        ],
      }),
    );
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.code).toBe("invalid");
    expect(Object.keys(res.fieldErrors ?? {}).sort()).toEqual(["steps.0.action.target", "steps.1.action.target", "triggerConfig.agentId"]);
    expect(await db.playbook.count()).toBe(rows);
    expect(await db.auditEvent.count()).toBe(events);
  });

  it("names are unique (409 with a field error)", async () => {
    const { playbook, actor } = await created();
    const res = await execute(actor, createPlaybookAction, base({ name: playbook.name }));
    expect(res).toMatchObject({ ok: false, status: 409, fieldErrors: { name: ["Already in use."] } });
  });
});

describe("playbooks: update and delete", () => {
  it("changes only the fields sent; a configuration alone is checked against the current trigger", async () => {
    const { playbook, actor } = await created();
    const bad = await execute(actor, updatePlaybookAction, { id: playbook.id, triggerConfig: { percent: 90 } });
    expect(bad).toMatchObject({ ok: false, status: 400 });
    if (!bad.ok) expect(Object.keys(bad.fieldErrors ?? {})).toEqual(expect.arrayContaining(["triggerConfig"]));
    // A new trigger without a configuration starts from {} — not valid for a spend trigger.
    const noConfig = await execute(actor, updatePlaybookAction, { id: playbook.id, trigger: "spend_threshold" });
    expect(noConfig).toMatchObject({ ok: false, status: 400, fieldErrors: { "triggerConfig.percent": expect.any(Array) } });
    const unchanged = await db.playbook.findUniqueOrThrow({ where: { id: playbook.id } });
    expect(unchanged).toMatchObject({ trigger: "unapproved_burst", triggerConfig: { count: 20, minutes: 10 } });

    const res = await execute(actor, updatePlaybookAction, { id: playbook.id, triggerConfig: { count: "50", minutes: 15 }, breakGlass: "Call the bastion team." });
    expect(res.ok).toBe(true);
    const after = await db.playbook.findUniqueOrThrow({ where: { id: playbook.id } });
    expect(after).toMatchObject({ name: playbook.name, triggerConfig: { count: 50, minutes: 15 }, breakGlass: "Call the bastion team.", description: playbook.description });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "playbook.update", targetId: playbook.id } });
    expect(audit.before).toEqual({ triggerConfig: { count: 20, minutes: 10 }, breakGlass: playbook.breakGlass });
    expect(audit.after).toEqual({ triggerConfig: { count: 50, minutes: 15 }, breakGlass: "Call the bastion team." });
    expect(await db.auditEvent.count({ where: { action: "playbook.steps_update", targetId: playbook.id } })).toBe(0);
  });

  it("edits, reorders, adds and removes steps: kept steps keep their ids; audited as playbook.steps_update", async () => {
    const { playbook, actor } = await created();
    const before = await stepsOf(playbook.id);
    const [confirm, size, deny, release] = before;
    const res = await execute(actor, updatePlaybookAction, {
      id: playbook.id,
      steps: [
        { id: size.id, phase: "detection", title: "Size the blast radius" },
        { id: confirm.id, phase: "detection", title: "Confirm the burst (edited)", detail: "New detail" },
        { phase: "post_mortem", title: "Write the post-mortem" },
        { id: deny.id, phase: "containment", title: "Require approval instead", action: { type: "require_approval", target: "web_fetch" } },
      ],
    });
    expect(res.ok).toBe(true);
    const after = await stepsOf(playbook.id);
    expect(after.map((s) => [s.position, s.phase, s.title])).toEqual([
      [1, "detection", "Size the blast radius"],
      [2, "detection", "Confirm the burst (edited)"],
      [3, "containment", "Require approval instead"],
      [4, "post_mortem", "Write the post-mortem"],
    ]);
    expect(after.slice(0, 3).map((s) => s.id)).toEqual([size.id, confirm.id, deny.id]);
    expect(after.find((s) => s.id === release.id)).toBeUndefined();
    expect(after[2].action).toEqual({ type: "require_approval", target: "web_fetch" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "playbook.steps_update", targetId: playbook.id } });
    expect((audit.before as { steps: unknown[] }).steps).toHaveLength(4);
    expect((audit.after as { steps: { title: string }[] }).steps.map((s) => s.title)).toEqual(after.map((s) => s.title));
    expect(await db.auditEvent.count({ where: { action: "playbook.update", targetId: playbook.id } })).toBe(0);
  });

  it("refuses a step id of another playbook and changes nothing", async () => {
    const { playbook, actor } = await created();
    const { playbook: other } = await created();
    const foreign = (await stepsOf(other.id))[0];
    const before = await stepsOf(playbook.id);
    const events = await db.auditEvent.count();
    const res = await execute(actor, updatePlaybookAction, { id: playbook.id, name: `renamed-${rid()}`, steps: [{ id: foreign.id, phase: "detection", title: "Stolen" }] });
    expect(res).toMatchObject({ ok: false, status: 400, fieldErrors: { "steps.0.id": ["Not a step of this playbook."] } });
    expect(await stepsOf(playbook.id)).toEqual(before);
    expect((await db.playbook.findUniqueOrThrow({ where: { id: playbook.id } })).name).toBe(playbook.name);
    expect(await stepsOf(other.id)).toHaveLength(4);
    expect(await db.auditEvent.count()).toBe(events);
  });

  it("deletes a playbook with its drills; incidents it opened stay (link cleared); audited with what was lost", async () => {
    const { playbook, actor } = await created();
    await db.drill.create({ data: { playbookId: playbook.id, runById: actor.userId!, startedAt: new Date(Date.now() - 60_000), finishedAt: new Date() } });
    const incident = await db.incident.create({ data: { title: "Burst", severity: "high", playbookId: playbook.id } });
    const res = await execute(actor, deletePlaybookAction, { id: playbook.id });
    expect(res.ok).toBe(true);
    expect(await db.playbook.findUnique({ where: { id: playbook.id } })).toBeNull();
    expect(await db.drill.count({ where: { playbookId: playbook.id } })).toBe(0);
    expect(await db.incident.findUniqueOrThrow({ where: { id: incident.id } })).toMatchObject({ playbookId: null });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "playbook.delete", targetId: playbook.id } });
    expect(audit.before).toMatchObject({ name: playbook.name, drills: 1, incidents: 1 });
    expect(await execute(actor, deletePlaybookAction, { id: playbook.id })).toMatchObject({ ok: false, status: 409 });
  });
});

describe("playbooks: authorization", () => {
  it("managers and auditors cannot create, edit or delete; operators neither; each denial audited, nothing changed", async () => {
    const { playbook } = await created();
    for (const role of ["manager", "auditor", "operator"] as const) {
      const { actor } = await makeUser(role);
      const rows = await db.playbook.count();
      for (const [def, input] of [
        [createPlaybookAction, base()],
        [updatePlaybookAction, { id: playbook.id, name: "taken over" }],
        [deletePlaybookAction, { id: playbook.id }],
      ] as [ActionDef<z.ZodType, unknown>, unknown][]) {
        const res = await execute(actor, def, input);
        expect(res).toMatchObject({ ok: false, status: 403 });
        const denial = await db.auditEvent.findFirst({ where: { action: def.name, outcome: "denied", actorLabel: actor.label, targetId: "playbooks:manage" } });
        expect(denial).not.toBeNull();
      }
      expect(await db.playbook.count()).toBe(rows);
    }
    expect((await db.playbook.findUniqueOrThrow({ where: { id: playbook.id } })).name).toBe(playbook.name);
  });

  it("auditors and managers cannot run drills (denial audited); operators and security leads can", async () => {
    const { playbook } = await created();
    for (const role of ["auditor", "manager"] as const) {
      const { actor } = await makeUser(role);
      const res = await execute(actor, runDrillAction, { id: playbook.id });
      expect(res).toMatchObject({ ok: false, status: 403 });
      expect(await db.auditEvent.findFirst({ where: { action: "playbook.drill", outcome: "denied", actorLabel: actor.label, targetId: "incidents:manage" } })).not.toBeNull();
    }
    expect(await db.drill.count({ where: { playbookId: playbook.id } })).toBe(0);
    for (const role of ["operator", "security_lead"] as const) {
      const { actor } = await makeUser(role);
      expect(await execute(actor, runDrillAction, { id: playbook.id })).toMatchObject({ ok: true });
    }
    expect(await db.drill.count({ where: { playbookId: playbook.id } })).toBe(2);
  });

  it("read-only roles list and read playbooks over the API; writes are refused with 403", async () => {
    const { playbook } = await created();
    const { GET: LIST, POST: CREATE } = await import("@/app/api/v1/playbooks/route");
    const { GET: READ, PATCH, DELETE } = await import("@/app/api/v1/playbooks/[id]/route");
    const ctx = { params: Promise.resolve({ id: playbook.id }) };
    session.actor = (await makeUser("manager")).actor;
    const list = await LIST(new Request(`http://x/api/v1/playbooks?q=${playbook.name}`));
    expect(list.status).toBe(200);
    expect((await list.json()).data.map((p: { id: string }) => p.id)).toEqual([playbook.id]);
    const one = await READ(new Request("http://x"), ctx);
    expect(one.status).toBe(200);
    expect((await one.json()).data).toMatchObject({ id: playbook.id, breakGlass: playbook.breakGlass, steps: expect.any(Array) });
    expect((await CREATE(new Request("http://x", { method: "POST", body: JSON.stringify(base()) }))).status).toBe(403);
    expect((await PATCH(new Request("http://x", { method: "PATCH", body: JSON.stringify({ name: "x" }) }), ctx)).status).toBe(403);
    expect((await DELETE(new Request("http://x", { method: "DELETE" }), ctx)).status).toBe(403);
    session.actor = null;
    expect((await LIST(new Request("http://x/api/v1/playbooks"))).status).toBe(401);
  });

  it("the API creates (201), patches and deletes for a security lead", async () => {
    const { POST: CREATE } = await import("@/app/api/v1/playbooks/route");
    const { PATCH, DELETE } = await import("@/app/api/v1/playbooks/[id]/route");
    session.actor = (await makeUser("security_lead")).actor;
    const res = await CREATE(new Request("http://x", { method: "POST", body: JSON.stringify(base()) }));
    expect(res.status).toBe(201);
    const { data } = await res.json();
    const ctx = { params: Promise.resolve({ id: data.id }) };
    const bad = await PATCH(new Request("http://x", { method: "PATCH", body: JSON.stringify({ triggerConfig: { count: -1, minutes: 5 } }) }), ctx);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fieldErrors).toHaveProperty(["triggerConfig.count"]);
    expect((await PATCH(new Request("http://x", { method: "PATCH", body: JSON.stringify({ description: "Updated" }) }), ctx)).status).toBe(200);
    expect((await db.playbook.findUniqueOrThrow({ where: { id: data.id } })).description).toBe("Updated");
    expect((await DELETE(new Request("http://x", { method: "DELETE" }), ctx)).status).toBe(200);
    expect(await db.playbook.findUnique({ where: { id: data.id } })).toBeNull();
  });
});

describe("playbooks: drill state queries", () => {
  it("marks playbooks never drilled and not drilled in 90 days; filters and counts them", async () => {
    const now = new Date();
    const tag = `tag${rid()}`;
    const before = await countPlaybooksNeedingDrill(now);
    const { actor } = await makeUser("security_lead");
    const mk = async (label: string, drillDaysAgo: number[]) => {
      const { playbook } = await created({ name: `${tag}-${label}` });
      for (const d of drillDaysAgo) {
        const startedAt = new Date(now.getTime() - d * DAY);
        await db.drill.create({ data: { playbookId: playbook.id, runById: actor.userId!, startedAt, finishedAt: new Date(startedAt.getTime() + 600_000), timeToContainMs: d * 1000 } });
      }
      return playbook;
    };
    const never = await mk("never", []);
    const overdue = await mk("overdue", [200, 91]);
    const recent = await mk("recent", [200, 89]);

    const q = (extra: Record<string, string>) => listPlaybooks(parsePlaybookQuery({ q: tag, ...extra }).query, now);
    const all = await q({});
    expect(all.rows.map((r) => [r.name, r.drillState])).toEqual([
      [never.name, "never"],
      [overdue.name, "overdue"],
      [recent.name, "ok"],
    ]);
    const rowOf = (id: string) => all.rows.find((r) => r.id === id)!;
    expect(rowOf(overdue.id).lastDrill).toMatchObject({ timeToContainMs: 91_000 });
    expect(rowOf(recent.id).lastDrill).toMatchObject({ timeToContainMs: 89_000 });
    expect(rowOf(never.id)).toMatchObject({ lastDrill: null, stepsCount: 4, drillsCount: 0 });
    expect((await q({ drill: "due" })).rows.map((r) => r.id)).toEqual([never.id, overdue.id]);
    expect((await q({ drill: "never" })).rows.map((r) => r.id)).toEqual([never.id]);
    expect((await q({ drill: "overdue" })).rows.map((r) => r.id)).toEqual([overdue.id]);
    expect((await q({ drill: "ok" })).rows.map((r) => r.id)).toEqual([recent.id]);
    expect((await q({ trigger: "hash_drift" })).total).toBe(0);

    const after = await countPlaybooksNeedingDrill(now);
    expect(after).toEqual({ never: before.never + 1, overdue: before.overdue + 1, total: before.total + 2 });
    // 90 days is the line: a drill exactly 90 days old still counts.
    expect(drillStateOf(new Date(now.getTime() - 90 * DAY), now)).toBe("ok");
    expect(drillStateOf(new Date(now.getTime() - 90 * DAY - 1), now)).toBe("overdue");
    expect(drillStateOf(null, now)).toBe("never");

    const detail = await getPlaybook(overdue.id, now);
    expect(detail).toMatchObject({ drillState: "overdue", lastDrill: { timeToContainMs: 91_000 } });
    expect(detail!.drills).toHaveLength(2);
    expect(detail!.steps.map((s) => s.phase)).toEqual(["detection", "detection", "containment", "recovery"]);
  });

  it("invalid list filters are reported (the API answers 400)", async () => {
    const { invalid } = parsePlaybookQuery({ trigger: "whenever", drill: "sometimes" });
    expect(invalid.sort()).toEqual(["drill", "trigger"]);
    const { GET } = await import("@/app/api/v1/playbooks/route");
    session.actor = (await makeUser("auditor")).actor;
    expect((await GET(new Request("http://x/api/v1/playbooks?drill=sometimes"))).status).toBe(400);
  });
});
