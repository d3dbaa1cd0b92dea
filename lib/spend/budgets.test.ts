import { describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import type { Actor } from "@/lib/auth/actor";
import type { RoleName } from "@/lib/auth/roles";
import { Prisma } from "@/lib/generated/prisma/client";
import { makeUser } from "@/test/factories";
import { GET as LIST, PUT } from "@/app/api/v1/budgets/route";
import { DELETE } from "@/app/api/v1/budgets/[id]/route";
import { GET as SPEND } from "@/app/api/v1/spend/route";
import { deleteBudgetAction, setBudgetAction } from "./actions";
import { makeAgent, makeGateway, spend } from "./test-fixtures";

// The API routes resolve the caller through getActor(); tests swap in an actor of a given role.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
const as = async (role: RoleName) => {
  const { actor } = await makeUser(role);
  session.actor = actor;
  return actor;
};
const json = (method: string, body?: unknown, url = "http://warden.test/api/v1/budgets") =>
  new Request(url, { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

async function agent() {
  return makeAgent((await makeGateway()).id);
}

describe("budgets", () => {
  it("sets and updates an agent budget, audited with before and after", async () => {
    const { actor } = await makeUser("security_lead");
    const a = await agent();

    const created = await execute(actor, setBudgetAction, { agentId: a.id, dailyUsd: "25", onLimit: "suspend_agent" });
    expect(created).toMatchObject({ ok: true, data: { agentId: a.id, dailyUsd: "25.00", onLimit: "suspend_agent", enabled: true } });
    if (!created.ok) return;
    const first = await db.auditEvent.findFirstOrThrow({ where: { action: "budget.set", targetId: created.data.id } });
    expect(first).toMatchObject({ outcome: "success", actorLabel: actor.label, before: null });
    expect(first.after).toEqual({ agentId: a.id, agentName: a.name, dailyUsd: "25.00", onLimit: "suspend_agent", enabled: true });

    const updated = await execute(actor, setBudgetAction, { agentId: a.id, dailyUsd: 30.5, onLimit: "notify", enabled: false });
    expect(updated).toMatchObject({ ok: true, data: { id: created.data.id, dailyUsd: "30.50", onLimit: "notify", enabled: false } });
    expect(await db.budget.count({ where: { agentId: a.id } })).toBe(1);
    expect((await db.budget.findUniqueOrThrow({ where: { agentId: a.id } })).dailyUsd.toFixed(2)).toBe("30.50");
    const second = await db.auditEvent.findFirstOrThrow({ where: { action: "budget.set", targetId: created.data.id }, orderBy: { id: "desc" } });
    expect(second.before).toMatchObject({ dailyUsd: "25.00", onLimit: "suspend_agent", enabled: true });
    expect(second.after).toMatchObject({ dailyUsd: "30.50", onLimit: "notify", enabled: false });
  });

  it("keeps one fleet budget, even when two first writes race, and refuses to 'suspend an agent' for it", async () => {
    const { actor } = await makeUser("admin");
    const [x, y] = await Promise.all([
      execute(actor, setBudgetAction, { agentId: null, dailyUsd: "100", onLimit: "block_fleet" }),
      execute(actor, setBudgetAction, { agentId: null, dailyUsd: "200", onLimit: "notify" }),
    ]);
    expect(x.ok && y.ok).toBe(true);
    const fleet = await db.budget.findMany({ where: { agentId: null } });
    expect(fleet).toHaveLength(1);
    expect(["100.00", "200.00"]).toContain(fleet[0].dailyUsd.toFixed(2));
    if (x.ok && y.ok) expect(x.data.id).toBe(y.data.id);

    // The same race for an agent budget.
    const a = await agent();
    const both = await Promise.all([1, 2].map((n) => execute(actor, setBudgetAction, { agentId: a.id, dailyUsd: n, onLimit: "notify" })));
    expect(both.every((r) => r.ok)).toBe(true);
    expect(await db.budget.count({ where: { agentId: a.id } })).toBe(1);

    expect(await execute(actor, setBudgetAction, { agentId: null, dailyUsd: "50", onLimit: "suspend_agent" })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { onLimit: [expect.stringContaining("fleet")] },
    });
    // The form's "fleet" choice is the same as null.
    expect(await execute(actor, setBudgetAction, { agentId: "fleet", dailyUsd: "75.5", onLimit: "notify", enabled: "on" })).toMatchObject({
      ok: true,
      data: { id: fleet[0].id, agentId: null, dailyUsd: "75.50" },
    });
    await db.budget.deleteMany({ where: { agentId: null } });
  });

  it.each([
    [{ dailyUsd: 0 }, "dailyUsd", "more than $0"],
    [{ dailyUsd: "-5" }, "dailyUsd", "more than $0"],
    [{ dailyUsd: 1_000_000.01 }, "dailyUsd", "At most $1,000,000"],
    [{ dailyUsd: "1.234" }, "dailyUsd", "2 decimals"],
    [{ dailyUsd: "ten" }, "dailyUsd", "number of dollars"],
    [{ dailyUsd: "" }, "dailyUsd", "Required"],
    [{ dailyUsd: undefined }, "dailyUsd", "number of dollars"],
    [{ onLimit: "explode" }, "onLimit", "One of"],
    [{ enabled: "maybe" }, "enabled", "true or false"],
    [{ agentId: "not-a-uuid" }, "agentId", "Not a valid id"],
    [{ agentId: undefined }, "agentId", "Required"],
  ])("rejects %o with a field error on %s", async (patch, field, message) => {
    const { actor } = await makeUser("security_lead");
    const a = await agent();
    const input = { agentId: a.id, dailyUsd: "10", onLimit: "notify", ...patch };
    const res = await execute(actor, setBudgetAction, input);
    expect(res).toMatchObject({ ok: false, status: 400, fieldErrors: { [field]: [expect.stringContaining(message)] } });
    expect(await db.budget.count({ where: { agentId: a.id } })).toBe(0);
  });

  it("accepts the largest budget and an agent that exists only", async () => {
    const { actor } = await makeUser("security_lead");
    const a = await agent();
    expect(await execute(actor, setBudgetAction, { agentId: a.id, dailyUsd: "$1000000.00", onLimit: "notify" })).toMatchObject({ ok: true, data: { dailyUsd: "1000000.00" } });
    expect(await execute(actor, setBudgetAction, { agentId: a.id, dailyUsd: "0.01", onLimit: "notify" })).toMatchObject({ ok: true, data: { dailyUsd: "0.01" } });
    expect(await execute(actor, setBudgetAction, { agentId: randomUUID(), dailyUsd: "10", onLimit: "notify" })).toMatchObject({ ok: false, status: 400, fieldErrors: { agentId: ["No such agent."] } });
  });

  it("deletes a budget with its alerts, audited; a second delete is a 409 (already deleted)", async () => {
    const { actor } = await makeUser("security_lead");
    const a = await agent();
    const b = await db.budget.create({ data: { agentId: a.id, dailyUsd: new Prisma.Decimal("5"), onLimit: "notify" } });
    await db.budgetAlert.create({ data: { budgetId: b.id, day: new Date("2026-01-01"), threshold: 50, spentUsd: new Prisma.Decimal("2.5") } });

    expect(await execute(actor, deleteBudgetAction, { id: b.id })).toEqual({ ok: true, data: { id: b.id } });
    expect(await db.budget.count({ where: { id: b.id } })).toBe(0);
    expect(await db.budgetAlert.count({ where: { budgetId: b.id } })).toBe(0);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "budget.delete", targetId: b.id } });
    expect(audit.before).toMatchObject({ agentId: a.id, agentName: a.name, dailyUsd: "5.00", onLimit: "notify" });
    expect(await execute(actor, deleteBudgetAction, { id: b.id })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(actor, deleteBudgetAction, { id: "nope" })).toMatchObject({ ok: false, status: 400, fieldErrors: { id: expect.any(Array) } });
  });

  it.each(["operator", "auditor", "manager"] as const)("%s cannot set or delete budgets (denied and audited)", async (role) => {
    const { actor } = await makeUser(role);
    const a = await agent();
    const b = await db.budget.create({ data: { agentId: a.id, dailyUsd: new Prisma.Decimal("5"), onLimit: "notify" } });
    expect(await execute(actor, setBudgetAction, { agentId: a.id, dailyUsd: "500", onLimit: "notify" })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(actor, deleteBudgetAction, { id: b.id })).toMatchObject({ ok: false, status: 403 });
    for (const action of ["budget.set", "budget.delete"]) {
      expect(await db.auditEvent.count({ where: { action, outcome: "denied", actorLabel: actor.label } })).toBe(1);
    }
    expect((await db.budget.findUniqueOrThrow({ where: { id: b.id } })).dailyUsd.toFixed(2)).toBe("5.00");
  });
});

describe("/api/v1/budgets and /api/v1/spend", () => {
  it("PUT sets, GET lists, DELETE removes; spend shows today's cost against the budget", async () => {
    const gw = await makeGateway();
    const a = await makeAgent(gw.id);
    await spend(gw.id, a, new Date(), ["1.234567", "0.765433"]);

    await as("security_lead");
    const put = await PUT(json("PUT", { agentId: a.id, dailyUsd: 8, onLimit: "suspend_agent", enabled: true }));
    expect(put.status).toBe(200);
    const { data: budget } = await put.json();
    expect(budget).toMatchObject({ agentId: a.id, dailyUsd: "8.00", onLimit: "suspend_agent", enabled: true });

    const bad = await PUT(json("PUT", { agentId: a.id, dailyUsd: -1, onLimit: "notify" }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: "invalid", fieldErrors: { dailyUsd: expect.any(Array) } });
    expect((await PUT(new Request("http://warden.test/api/v1/budgets", { method: "PUT", body: "{nope" }))).status).toBe(400);

    await as("manager"); // dashboard:read: may read spend and budgets
    const list = await LIST();
    expect(list.status).toBe(200);
    expect((await list.json()).data).toContainEqual(expect.objectContaining({ id: budget.id, agentName: a.name, dailyUsd: "8.00" }));

    const s = await SPEND();
    expect(s.status).toBe(200);
    const { data } = await s.json();
    expect(data.day).toBe(new Date().toISOString().slice(0, 10));
    expect(data.agents).toContainEqual(expect.objectContaining({ agentId: a.id, calls: 2, costUsd: "2", percent: 25, budget: expect.objectContaining({ id: budget.id }) }));
    expect(data.last7Days).toHaveLength(7);
    expect(data.last7Days[6].day).toBe(data.day);

    expect((await PUT(json("PUT", { agentId: a.id, dailyUsd: 1000, onLimit: "notify" }))).status).toBe(403);
    expect((await DELETE(json("DELETE"), ctx(budget.id))).status).toBe(403);

    await as("security_lead");
    const del = await DELETE(json("DELETE"), ctx(budget.id));
    expect(del.status).toBe(200);
    expect(await db.budget.count({ where: { id: budget.id } })).toBe(0);
    expect((await DELETE(json("DELETE"), ctx(budget.id))).status).toBe(409);
  });

  it("answers 401 without a session and 403 without dashboard:read", async () => {
    session.actor = null;
    expect((await LIST()).status).toBe(401);
    expect((await SPEND()).status).toBe(401);
    expect((await PUT(json("PUT", { agentId: null, dailyUsd: 1, onLimit: "notify" }))).status).toBe(401);
    session.actor = { kind: "api_token", label: "roleless", role: null, ip: null, userAgent: null };
    expect((await SPEND()).status).toBe(403);
  });
});
