import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { makeUser, rid } from "@/test/factories";
import { evaluatePlaybookTriggers } from "./triggers";

// The API route resolves the caller through getActor(); tests swap in the actor they need.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const { POST: RUN } = await import("@/app/api/v1/playbooks/[id]/run/route");

const run = (id: string, body: unknown) => RUN(new Request("http://x", { method: "POST", body: JSON.stringify(body) }), { params: Promise.resolve({ id }) });
const asRole = async (role: "admin" | "operator" | "security_lead" | "auditor" | "manager") => {
  const u = await makeUser(role);
  session.actor = u.actor;
  return u;
};

/** A manual playbook that denies a tool, switches an integration to its fallback and notifies. */
async function manualPlaybook() {
  const tool = `tool-${rid()}`;
  await db.tool.create({ data: { name: tool, kind: "plugin", source: "vendor", publisher: "Vendor" } });
  const integ = await db.integration.create({
    data: { name: `int-${rid()}`, provider: "Vendor", reason: "Run by hand", permissions: [], degradation: { primary: "a", fallback: "b", onFailure: "use_fallback", maxRetries: 1 } },
  });
  type Step = { phase: "detection" | "containment" | "recovery"; title: string; action?: { type: string; target: string } };
  const steps: Step[] = [
    { phase: "detection", title: "Confirm with the vendor" },
    { phase: "containment", title: "Switch to the fallback vendor", action: { type: "switch_fallback", target: integ.name } },
    { phase: "containment", title: "Deny the tool", action: { type: "deny_tool", target: tool } },
    { phase: "recovery", title: "Tell the on-call", action: { type: "notify", target: "on-call" } },
  ];
  const p = await db.playbook.create({
    data: { name: `manual-${rid()}`, trigger: "manual", triggerConfig: { severity: "critical" }, steps: { create: steps.map((s, i) => ({ ...s, position: i + 1 })) } },
    select: { id: true, name: true },
  });
  return { p, tool, integ };
}

const incidentsOf = (playbookId: string) => db.incident.findMany({ where: { playbookId }, orderBy: { openedAt: "asc" } });

describe("running a playbook by hand (POST /api/v1/playbooks/{id}/run)", () => {
  it("opens an incident, runs every automated action in run order, audits playbook.fire as the person", async () => {
    const { p, tool, integ } = await manualPlaybook();
    const { user } = await asRole("operator");
    const res = await run(p.id, { reason: "Vendor phoned: their API token leaked" });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { incidentId: string; severity: string; actions: { type: string; target: string; ok: boolean }[] } };
    expect(data.severity).toBe("critical");
    expect(data.actions.map((a) => [a.type, a.target, a.ok])).toEqual([
      ["switch_fallback", integ.name, true],
      ["deny_tool", tool, true],
      ["notify", "on-call", true],
    ]);

    const [incident] = await incidentsOf(p.id);
    expect(incident).toMatchObject({ id: data.incidentId, severity: "critical", status: "open" });
    expect(incident.title).toContain("Vendor phoned: their API token leaked");
    expect(incident.dedupeKey).toMatch(new RegExp(`^playbook:${p.id}:manual:[0-9a-f-]{36}$`));

    // The kill switch is a real containment action of this incident, from the playbook.
    const contained = await db.containmentAction.findMany({ where: { incidentId: incident.id } });
    expect(contained.map((c) => [c.scope, c.action, c.target, c.source, c.status])).toEqual([["tool", "deny_tool", tool, "playbook", "active"]]);
    expect((await db.integration.findUniqueOrThrow({ where: { id: integ.id } })).fallbackActiveAt).not.toBeNull();

    const opened = await db.incidentEvent.findFirstOrThrow({ where: { incidentId: incident.id, kind: "opened" } });
    expect(opened.body).toMatchObject({ by: user.email, source: "playbook run by hand" });
    const entries = await db.incidentEvent.findMany({ where: { incidentId: incident.id, kind: "playbook" }, orderBy: { id: "asc" } });
    const fired = entries[0].body as { event: string; cause: { detail: { reason: string; userId: string } } };
    expect(fired.event).toBe("fired");
    expect(fired.cause.detail).toMatchObject({ reason: "Vendor phoned: their API token leaked", userId: user.id });
    expect(entries.slice(1).map((e) => (e.body as { type: string }).type)).toEqual(["switch_fallback", "deny_tool", "notify"]);

    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "playbook.fire", targetId: p.id } });
    expect(audit).toMatchObject({ actorId: user.id, outcome: "success" });
    expect((audit.after as { incidentId: string }).incidentId).toBe(incident.id);
  });

  it("each run opens its own incident", async () => {
    const { p } = await manualPlaybook();
    await asRole("admin");
    expect((await run(p.id, { reason: "First exercise of the plan" })).status).toBe(201);
    expect((await run(p.id, { reason: "Second, an hour later" })).status).toBe(201);
    expect(await incidentsOf(p.id)).toHaveLength(2);
  });

  it('a run by hand does not move the automatic trigger\'s "since the last fire": an earlier advisory still fires', async () => {
    const integ = await db.integration.create({ data: { name: `int-${rid()}`, provider: "Vendor", reason: "Advisory", permissions: [] } });
    const p = await db.playbook.create({
      data: { name: `advisory-${rid()}`, trigger: "vendor_advisory", triggerConfig: { integrationId: integ.id }, steps: { create: [{ phase: "detection", position: 1, title: "Read it" }] } },
      select: { id: true },
    });
    // Flagged 20 minutes ago, before the playbook was checked (older than the 10-minute grace).
    await db.integration.update({ where: { id: integ.id }, data: { advisoryFlaggedAt: new Date(Date.now() - 20 * 60_000), advisoryNote: "Token leak" } });
    await asRole("operator");
    expect((await run(p.id, { reason: "Heard about it on the phone" })).status).toBe(201);

    const tick = await evaluatePlaybookTriggers({ playbookIds: [p.id] });
    expect(tick.fired).toHaveLength(1);
    expect(await incidentsOf(p.id)).toHaveLength(2);
  });

  it("a playbook edited after it was shown is refused with 409 and nothing runs; the current version runs", async () => {
    const { p, tool } = await manualPlaybook();
    const shown = (await db.playbook.findUniqueOrThrow({ where: { id: p.id } })).updatedAt;
    await db.playbook.update({ where: { id: p.id }, data: { updatedAt: new Date(shown.getTime() + 1000) } }); // an edit meanwhile
    await asRole("operator");
    const stale = await run(p.id, { reason: "Run what I reviewed", expectedUpdatedAt: shown.toISOString() });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { fieldErrors: Record<string, string[]> } }).error.fieldErrors.expectedUpdatedAt).toHaveLength(1);
    expect(await incidentsOf(p.id)).toHaveLength(0);
    expect(await db.containmentAction.count({ where: { target: tool } })).toBe(0);

    const current = (await db.playbook.findUniqueOrThrow({ where: { id: p.id } })).updatedAt;
    expect((await run(p.id, { reason: "Run what I reviewed", expectedUpdatedAt: current.toISOString() })).status).toBe(201);
    expect(await incidentsOf(p.id)).toHaveLength(1);
  });

  it("bad input is a 400 with field errors; an unknown playbook is a 404; neither changes anything", async () => {
    const { p } = await manualPlaybook();
    await asRole("operator");
    const auditsBefore = await db.auditEvent.count({ where: { targetId: p.id } });

    const short = await run(p.id, { reason: "hm" });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: { fieldErrors: Record<string, string[]> } }).error.fieldErrors.reason).toEqual(["Say why, in a few words (at least 5 characters)."]);
    const missing = await run(p.id, {});
    expect(((await missing.json()) as { error: { fieldErrors: Record<string, string[]> } }).error.fieldErrors.reason).toEqual(["Required."]);
    const badId = await run("not-a-uuid", { reason: "A good enough reason" });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { error: { fieldErrors: Record<string, string[]> } }).error.fieldErrors.id).toEqual(["Not a valid id."]);
    const unknown = await run("00000000-0000-4000-8000-000000000000", { reason: "A good enough reason" });
    expect(unknown.status).toBe(404);

    expect(await incidentsOf(p.id)).toHaveLength(0);
    expect(await db.auditEvent.count({ where: { targetId: p.id } })).toBe(auditsBefore);
  });

  it("needs containment:execute: a security lead, an auditor and a manager get 403 (audited), and nothing runs", async () => {
    const { p, tool } = await manualPlaybook();
    for (const role of ["security_lead", "auditor", "manager"] as const) {
      const { user } = await asRole(role);
      const res = await run(p.id, { reason: "Trying without the scope" });
      expect(res.status, role).toBe(403);
      expect(await db.auditEvent.count({ where: { action: "playbook.fire", outcome: "denied", actorId: user.id } }), role).toBe(1);
    }
    expect(await incidentsOf(p.id)).toHaveLength(0);
    expect(await db.containmentAction.count({ where: { target: tool } })).toBe(0);
  });

  it("a system caller cannot run a playbook by hand", async () => {
    const { p } = await manualPlaybook();
    session.actor = { kind: "system", label: "cli:test", role: "admin", ip: null, userAgent: null };
    const res = await run(p.id, { reason: "From a script without a person" });
    expect(res.status).toBe(403);
    expect(await incidentsOf(p.id)).toHaveLength(0);
  });
});
