import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { HOSTILE_CELLS, csvColumn, expectSafeCsv, neutralised } from "@/test/csv";
import { clearIntegrationAdvisoryAction, createIntegrationAction, reviewIntegrationAction, setIntegrationAdvisoryAction, setIntegrationAgentsAction, updateIntegrationAction } from "./actions";
import { reviewIntegration, setIntegrationAdvisory } from "./service";
import { getOverviewDashboard } from "@/lib/overview/queries";
import { exportIntegrationsCsv, getIntegration, listIntegrations, listReviewQueue, parseIntegrationQuery } from "./queries";

const DAY = 86_400_000;

async function makeAgent() {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "Test owner", purpose: "Testing integrations" } });
}

const base = (over: Record<string, unknown> = {}) => ({
  name: `int-${rid()}`,
  provider: "Slack (verified-team)",
  providerVerified: true,
  reason: "Send alerts on agent decisions",
  permissions: ["write:messages", "no:files", "no:auth"],
  ...over,
});

async function created(over: Record<string, unknown> = {}) {
  const { actor } = await makeUser("admin");
  const res = await execute(actor, createIntegrationAction, base(over));
  if (!res.ok) throw new Error(`create failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
  return { actor, integration: res.data };
}

describe("integrations: create and update", () => {
  it("creates an integration with agents, degradation and an audit event in the same transaction", async () => {
    const { actor } = await makeUser("security_lead");
    const [a1, a2] = [await makeAgent(), await makeAgent()];
    const input = base({
      auditDate: "2026-05-17",
      auditResult: "3 dependencies, all current",
      securityContactName: "Vendor PSIRT",
      securityContactEmail: "psirt@vendor.example",
      securityContactPhone: "+1 415 555 0142",
      disclosureProcess: "Coordinated disclosure, 72 h advisory",
      irPartner: "Northwind IR",
      degradation: { primary: "sendgrid", fallback: "local_smtp", onFailure: "queue_and_retry", maxRetries: 3 },
      agentIds: [a1.id, a2.id],
    });
    const res = await execute(actor, createIntegrationAction, input);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const stored = await db.integration.findUniqueOrThrow({ where: { id: res.data.id }, include: { agents: true } });
    expect(stored).toMatchObject({ name: input.name, providerVerified: true, securityContactEmail: "psirt@vendor.example", irPartner: "Northwind IR" });
    expect(stored.degradation).toEqual({ primary: "sendgrid", fallback: "local_smtp", onFailure: "queue_and_retry", maxRetries: 3 });
    expect(stored.agents.map((a) => a.agentId).sort()).toEqual([a1.id, a2.id].sort());
    // Quarterly by default: the next review is 90 days after the audit date.
    expect(stored.nextReviewAt?.toISOString()).toBe(new Date(Date.parse("2026-05-17T00:00:00Z") + 90 * DAY).toISOString());
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "integration.create", targetId: stored.id } });
    expect(audit).toMatchObject({ outcome: "success", actorLabel: actor.label, role: "security_lead", targetType: "integration" });
    expect(audit.after).toMatchObject({ name: input.name, agents: [a1.name, a2.name].sort(), permissions: input.permissions });
  });

  it("an integration never audited is due for review at once", async () => {
    const { actor } = await makeUser("admin");
    const { createIntegration } = await import("./service");
    const now = new Date("2030-03-01T12:00:00Z");
    const out = await createIntegration(actor, { ...base(), providerVerified: false, permissions: [], agentIds: [] }, now);
    expect(out.nextReviewAt?.toISOString()).toBe(now.toISOString());
  });

  it.each([
    ["missing fields", {}, ["name", "provider", "reason"]],
    ["wrong types", { name: 7, provider: ["x"], reason: true, providerVerified: "yes", permissions: "all" }, ["name", "provider", "reason", "providerVerified", "permissions"]],
    ["bad contact", base({ securityContactEmail: "not-an-email", securityContactPhone: "call me" }), ["securityContactEmail", "securityContactPhone"]],
    ["bad degradation", base({ degradation: { primary: "", onFailure: "queue and retry!", maxRetries: 99 } }), ["degradation.primary", "degradation.onFailure", "degradation.maxRetries"]],
    ["bad dates and agent ids", base({ auditDate: "17/05/2026", nextReviewAt: "soon", agentIds: ["nope"] }), ["auditDate", "nextReviewAt", "agentIds.0"]],
    ["oversize strings", base({ name: "n".repeat(200), reason: "r".repeat(2000) }), ["name", "reason"]],
  ])("rejects %s with 400 field errors and writes nothing", async (_label, input, fields) => {
    const { actor } = await makeUser("admin");
    const [rows, events] = await Promise.all([db.integration.count(), db.auditEvent.count()]);
    const res = await execute(actor, createIntegrationAction, input);
    expect(res).toMatchObject({ ok: false, status: 400 });
    if (res.ok) return;
    expect(Object.keys(res.fieldErrors ?? {}).sort()).toEqual([...fields].sort());
    expect(await db.integration.count()).toBe(rows);
    expect(await db.auditEvent.count()).toBe(events);
  });

  it("rejects unknown agents inside the transaction: nothing is written", async () => {
    const { actor } = await makeUser("admin");
    const [rows, events] = await Promise.all([db.integration.count(), db.auditEvent.count()]);
    const res = await execute(actor, createIntegrationAction, base({ agentIds: ["00000000-0000-4000-8000-000000000000"] }));
    expect(res).toMatchObject({ ok: false, status: 400, fieldErrors: { agentIds: ["Unknown agent."] } });
    expect(await db.integration.count()).toBe(rows);
    expect(await db.auditEvent.count()).toBe(events);
  });

  it("refuses a duplicate name with 409 and a field error", async () => {
    const { actor, integration } = await created();
    const res = await execute(actor, createIntegrationAction, base({ name: integration.name }));
    expect(res).toMatchObject({ ok: false, status: 409, fieldErrors: { name: ["Already in use."] } });
  });

  it("updates only the fields sent and audits just what changed", async () => {
    const { actor, integration } = await created({ irPartner: "Old IR", securityContactEmail: "old@vendor.example" });
    const res = await execute(actor, updateIntegrationAction, { id: integration.id, irPartner: "New IR", securityContactEmail: "", degradation: { primary: "a", onFailure: "fail_closed" } });
    expect(res.ok).toBe(true);
    const stored = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(stored).toMatchObject({ irPartner: "New IR", securityContactEmail: null, reason: integration.reason, provider: integration.provider });
    expect(stored.degradation).toEqual({ primary: "a", onFailure: "fail_closed", maxRetries: 3 });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "integration.update", targetId: integration.id } });
    expect(audit.before).toEqual({ irPartner: "Old IR", securityContactEmail: "old@vendor.example", degradation: null });
    expect(audit.after).toEqual({ irPartner: "New IR", securityContactEmail: null, degradation: { primary: "a", onFailure: "fail_closed", maxRetries: 3 } });

    // Clearing the degradation settings stores SQL NULL.
    expect((await execute(actor, updateIntegrationAction, { id: integration.id, degradation: null })).ok).toBe(true);
    expect((await db.integration.findUniqueOrThrow({ where: { id: integration.id } })).degradation).toBeNull();
  });

  it("an empty PATCH or a missing integration is refused", async () => {
    const { actor, integration } = await created();
    expect(await execute(actor, updateIntegrationAction, { id: integration.id })).toMatchObject({ ok: false, status: 400, fieldErrors: { _: ["Send at least one field to change."] } });
    expect(await execute(actor, updateIntegrationAction, { id: "00000000-0000-4000-8000-000000000000", reason: "x" })).toMatchObject({ ok: false, status: 404 });
  });

  it("replaces the linked agents and audits the names", async () => {
    const { actor, integration } = await created();
    const [a1, a2, a3] = [await makeAgent(), await makeAgent(), await makeAgent()];
    expect((await execute(actor, setIntegrationAgentsAction, { id: integration.id, agentIds: [a1.id, a2.id] })).ok).toBe(true);
    const res = await execute(actor, setIntegrationAgentsAction, { id: integration.id, agentIds: [a2.id, a3.id] });
    expect(res.ok).toBe(true);
    const links = await db.agentIntegration.findMany({ where: { integrationId: integration.id } });
    expect(links.map((l) => l.agentId).sort()).toEqual([a2.id, a3.id].sort());
    const audits = await db.auditEvent.findMany({ where: { action: "integration.set_agents", targetId: integration.id }, orderBy: { id: "asc" } });
    expect(audits).toHaveLength(2);
    expect(audits[1].before).toEqual({ agents: [a1.name, a2.name].sort() });
    expect(audits[1].after).toEqual({ agents: [a2.name, a3.name].sort() });
  });
});

describe("integrations: authorization", () => {
  it.each(["operator", "auditor", "manager"] as const)("denies %s every mutation (403) and audits each denial", async (role) => {
    const { integration } = await created({ reason: "untouched" });
    const { actor } = await makeUser(role);
    const cases = [
      [createIntegrationAction, base()],
      [updateIntegrationAction, { id: integration.id, reason: "changed" }],
      [reviewIntegrationAction, { id: integration.id, auditResult: "clean" }],
      [setIntegrationAdvisoryAction, { id: integration.id, note: "breach" }],
      [clearIntegrationAdvisoryAction, { id: integration.id }],
      [setIntegrationAgentsAction, { id: integration.id, agentIds: [] }],
    ] as const;
    for (const [def, input] of cases) {
      const res = await execute(actor, def as typeof createIntegrationAction, input);
      expect(res, `${role} ${def.name}`).toMatchObject({ ok: false, status: 403 });
      const denial = await db.auditEvent.findFirst({ where: { action: def.name, outcome: "denied", actorLabel: actor.label, targetId: "registry:write" } });
      expect(denial, `${role} ${def.name}`).not.toBeNull();
    }
    const after = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(after).toMatchObject({ reason: "untouched", auditResult: null, advisoryFlaggedAt: null });
  });

  it("refuses anonymous callers with 401", async () => {
    expect(await execute(null, createIntegrationAction, base())).toMatchObject({ ok: false, status: 401 });
  });
});

describe("integrations: reviews and advisories", () => {
  it("recording a review sets the audit date and result, and the next review 90 days later unless given", async () => {
    const { actor, integration } = await created();
    const now = new Date("2030-01-15T10:30:00Z");
    const out = await reviewIntegration(actor, { id: integration.id, auditResult: "4 dependencies, all current", dependencyStatus: "all current", clearAdvisory: false }, now);
    expect(out.auditDate?.toISOString()).toBe("2030-01-15T00:00:00.000Z");
    expect(out.nextReviewAt?.toISOString()).toBe("2030-04-15T00:00:00.000Z");
    expect(out).toMatchObject({ auditResult: "4 dependencies, all current", dependencyStatus: "all current" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "integration.review", targetId: integration.id } });
    expect(audit.after).toMatchObject({ auditResult: "4 dependencies, all current", nextReviewAt: "2030-04-15T00:00:00.000Z" });

    const res = await execute(actor, reviewIntegrationAction, { id: integration.id, auditResult: "re-checked", auditDate: "2026-01-02", nextReviewAt: "2026-02-01" });
    expect(res.ok).toBe(true);
    const stored = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(stored.auditDate?.toISOString().slice(0, 10)).toBe("2026-01-02");
    expect(stored.nextReviewAt?.toISOString()).toBe("2026-02-01T00:00:00.000Z");
  });

  it("refuses a review without a result or dated in the future, writing nothing", async () => {
    const { actor, integration } = await created();
    const events = await db.auditEvent.count();
    expect(await execute(actor, reviewIntegrationAction, { id: integration.id })).toMatchObject({ ok: false, status: 400, fieldErrors: { auditResult: ["Required."] } });
    expect(await execute(actor, reviewIntegrationAction, { id: integration.id, auditResult: "ok", auditDate: "2999-01-01" })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { auditDate: ["Not in the future."] },
    });
    expect(await db.auditEvent.count()).toBe(events);
    expect((await db.integration.findUniqueOrThrow({ where: { id: integration.id } })).auditResult).toBeNull();
  });

  it("computes the overdue and due-soon lists from the `now` it is given", async () => {
    const now = new Date("2031-06-01T00:00:00Z");
    const { integration: overdue } = await created({ nextReviewAt: new Date(now.getTime() - DAY).toISOString() });
    const { integration: soon } = await created({ nextReviewAt: new Date(now.getTime() + 10 * DAY).toISOString() });
    const { integration: edge } = await created({ nextReviewAt: new Date(now.getTime() + 30 * DAY).toISOString() });
    const { integration: later } = await created({ nextReviewAt: new Date(now.getTime() + 45 * DAY).toISOString() });
    const q = await listReviewQueue(now);
    const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
    expect(ids(q.overdue)).toContain(overdue.id);
    expect(ids(q.overdue)).not.toContain(soon.id);
    expect(ids(q.dueSoon)).toContain(soon.id);
    for (const id of [later.id, edge.id]) expect([...ids(q.overdue), ...ids(q.dueSoon)]).not.toContain(id);
    // Forty days on, the "later" one is due soon and the others are overdue.
    const q2 = await listReviewQueue(new Date(now.getTime() + 40 * DAY));
    expect(ids(q2.dueSoon)).toContain(later.id);
    expect(ids(q2.overdue)).toEqual(expect.arrayContaining([overdue.id, soon.id, edge.id]));
    // The list filter agrees with the queue.
    const page = await listIntegrations(parseIntegrationQuery({ review: "due_soon", pageSize: "200" }).query, now);
    expect(page.rows.map((r) => r.id)).toContain(soon.id);
    expect(page.rows.every((r) => r.reviewState === "due_soon")).toBe(true);
  });

  it("an advisory marks the integration for re-review now; clearing it is audited too", async () => {
    const { actor, integration } = await created({ nextReviewAt: "2099-01-01" });
    const now = new Date();
    const flagged = await setIntegrationAdvisory(actor, { id: integration.id, note: "Vendor disclosed a token leak" }, now);
    expect(flagged).toMatchObject({ advisoryNote: "Vendor disclosed a token leak" });
    expect(flagged.advisoryFlaggedAt?.toISOString()).toBe(now.toISOString());
    expect(flagged.nextReviewAt?.toISOString()).toBe(now.toISOString());
    const queue = await listReviewQueue(new Date(now.getTime() + 1000));
    expect(queue.overdue.find((i) => i.id === integration.id)?.advisoryFlaggedAt).not.toBeNull();
    const setAudit = await db.auditEvent.findFirstOrThrow({ where: { action: "integration.advisory_set", targetId: integration.id } });
    expect(setAudit.after).toMatchObject({ advisoryNote: "Vendor disclosed a token leak" });
    expect(setAudit.before).toMatchObject({ advisoryFlaggedAt: null, nextReviewAt: "2099-01-01T00:00:00.000Z" });

    // A note is required to set it.
    expect(await execute(actor, setIntegrationAdvisoryAction, { id: integration.id, note: " " })).toMatchObject({ ok: false, status: 400, fieldErrors: { note: ["Required."] } });
    expect(await execute(actor, setIntegrationAdvisoryAction, { id: integration.id, flagged: "yes", note: "x" })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { flagged: ["true to flag, false to clear."] },
    });

    const cleared = await execute(actor, clearIntegrationAdvisoryAction, { id: integration.id, note: "Vendor rotated all tokens" });
    expect(cleared.ok).toBe(true);
    const stored = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(stored).toMatchObject({ advisoryFlaggedAt: null, advisoryNote: null });
    expect(stored.nextReviewAt?.toISOString()).toBe(now.toISOString()); // the re-review is still due
    const clearAudit = await db.auditEvent.findFirstOrThrow({ where: { action: "integration.advisory_clear", targetId: integration.id } });
    expect(clearAudit.after).toMatchObject({ advisoryFlaggedAt: null, reason: "Vendor rotated all tokens" });
    // Nothing left to clear.
    expect(await execute(actor, clearIntegrationAdvisoryAction, { id: integration.id })).toMatchObject({ ok: false, status: 409 });
  });

  it("an open advisory keeps the re-review due now, whatever the schedule says: detail, list filters, queue and overview agree", async () => {
    const { actor, integration } = await created();
    const flaggedAt = new Date(Date.now() - DAY);
    await setIntegrationAdvisory(actor, { id: integration.id, note: "Vendor disclosed a token leak" }, flaggedAt);
    // Someone moves the schedule out while the advisory is still open (the demo data had exactly this).
    const moved = await execute(actor, updateIntegrationAction, { id: integration.id, nextReviewAt: new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10) });
    expect(moved.ok).toBe(true);
    const now = new Date();
    const d = (await getIntegration(integration.id, now))!;
    expect(d.reviewState).toBe("overdue");
    expect(d.reviewDueAt?.toISOString()).toBe(flaggedAt.toISOString());
    const q = await listReviewQueue(now);
    expect(q.overdue.map((i) => i.id)).toContain(integration.id);
    expect(q.dueSoon.map((i) => i.id)).not.toContain(integration.id);
    expect(q.overdue.find((i) => i.id === integration.id)?.nextReviewAt?.toISOString()).toBe(flaggedAt.toISOString());
    const inState = async (review: string) => (await listIntegrations(parseIntegrationQuery({ review, q: integration.name }).query, now)).rows.map((r) => r.id);
    expect(await inState("overdue")).toEqual([integration.id]);
    expect(await inState("due_soon")).toEqual([]);
    const overview = await getOverviewDashboard(now);
    expect(overview.reviews.integrationsOverdue).toBe(await db.integration.count({ where: { OR: [{ nextReviewAt: { lt: now } }, { advisoryFlaggedAt: { not: null } }] } }));
    // A recorded review that closes the advisory puts it back on its schedule.
    await execute(actor, reviewIntegrationAction, { id: integration.id, auditResult: "Tokens rotated", clearAdvisory: true });
    const after = (await getIntegration(integration.id))!;
    expect(after.reviewState).toBe("later");
    expect(after.reviewDueAt?.getTime()).toBe(after.nextReviewAt?.getTime());
  });

  it("a review can close the advisory it was asked for", async () => {
    const { actor, integration } = await created();
    await setIntegrationAdvisory(actor, { id: integration.id, note: "CVE in SDK" });
    const res = await execute(actor, reviewIntegrationAction, { id: integration.id, auditResult: "SDK patched", clearAdvisory: true });
    expect(res.ok).toBe(true);
    expect(await db.integration.findUniqueOrThrow({ where: { id: integration.id } })).toMatchObject({ advisoryFlaggedAt: null, auditResult: "SDK patched" });
  });
});

describe("integrations: list, detail and CSV", () => {
  it("searches, filters, sorts by allowlisted keys only and pages on the server", async () => {
    const tag = rid();
    for (const p of ["Alpha", "Bravo", "Charlie"]) await created({ name: `${tag}-${p}`, provider: `${p} Corp`, providerVerified: p !== "Bravo" });
    const desc = await listIntegrations(parseIntegrationQuery({ q: tag, sort: "provider", dir: "desc", pageSize: "2" }).query);
    expect(desc.total).toBe(3);
    expect(desc.rows.map((r) => r.provider)).toEqual(["Charlie Corp", "Bravo Corp"]);
    const page2 = await listIntegrations(parseIntegrationQuery({ q: tag, sort: "provider", dir: "desc", pageSize: "2", page: "2" }).query);
    expect(page2.rows.map((r) => r.provider)).toEqual(["Alpha Corp"]);
    const unverified = await listIntegrations(parseIntegrationQuery({ q: tag, verified: "no" }).query);
    expect(unverified.rows.map((r) => r.provider)).toEqual(["Bravo Corp"]);
    // An unknown sort key falls back to name; a bad filter value is reported and ignored.
    const { query, invalid } = parseIntegrationQuery({ q: tag, sort: "securityContactEmail;drop", review: "whenever" });
    expect(invalid).toEqual(["review"]);
    expect((await listIntegrations(query)).rows.map((r) => r.name)).toEqual([`${tag}-Alpha`, `${tag}-Bravo`, `${tag}-Charlie`]);
  });

  it("shows the detail with linked agents and trust decisions", async () => {
    const agent = await makeAgent();
    const { integration, actor } = await created({ agentIds: [agent.id] });
    await db.trustDecision.create({ data: { integrationId: integration.id, deciderId: actor.userId!, outcome: "approve", checklist: {}, reason: "Verified team" } });
    const detail = await getIntegration(integration.id);
    expect(detail?.agents).toEqual([{ id: agent.id, name: agent.name }]);
    expect(detail?.decisions).toHaveLength(1);
    expect(detail?.decisions[0]).toMatchObject({ outcome: "approve", reason: "Verified team", decider: { email: actor.label } });
    expect(await getIntegration("not-a-uuid")).toBeNull();
  });

  it("exports the current view as CSV with formula cells neutralised", async () => {
    const tag = rid();
    await created({ name: "=cmd", provider: `${tag} @evil`, permissions: ["-rm", "+x"] });
    const { csv, rows } = await exportIntegrationsCsv(parseIntegrationQuery({ q: tag }).query);
    expect(rows).toBe(1);
    const parsed = expectSafeCsv(csv);
    expect(parsed[0].slice(0, 5).map((c) => c.value)).toEqual(["name", "provider", "provider_verified", "reason", "permissions"]);
    expect(csvColumn(parsed, "name")).toEqual(["'=cmd"]);
    expect(csvColumn(parsed, "provider")).toEqual([`${tag} @evil`]);
    expect(csvColumn(parsed, "permissions")).toEqual(["'-rm; +x"]);
  });

  it("every hostile text cell round-trips quoted and neutralised", async () => {
    const tag = rid();
    for (const [i, cell] of HOSTILE_CELLS.entries()) await created({ name: `${tag}-${i}`, provider: cell, reason: cell });
    const { csv, rows } = await exportIntegrationsCsv(parseIntegrationQuery({ q: tag, pageSize: "200" }).query);
    expect(rows).toBe(HOSTILE_CELLS.length);
    const parsed = expectSafeCsv(csv);
    // What was stored (the schema may trim) is what must come back, neutralised.
    const stored = await db.integration.findMany({ where: { name: { startsWith: `${tag}-` } }, select: { provider: true, reason: true } });
    expect(csvColumn(parsed, "reason").sort()).toEqual(stored.map((r) => neutralised(r.reason)).sort());
    expect(csvColumn(parsed, "provider").sort()).toEqual(stored.map((r) => neutralised(r.provider)).sort());
    expect(csvColumn(parsed, "provider")).toContain("x;=1+1");
  });
});
