import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { ContainmentInput } from "@/lib/containment/types";
import { evaluateBudgets, inSavepoint } from "./breaker";
import { makeAgent, makeGateway, noonUtc, spend } from "./test-fixtures";

// This file replaces containment and notify with controllable fakes, to drive the breaker's
// failure paths (the real containment is exercised in breaker.test.ts and breaker-fleet.test.ts).
const fakes = vi.hoisted(() => ({
  containInTx: vi.fn<(tx: Tx, actor: unknown, input: ContainmentInput) => Promise<{ id: string; gateways: number; gatewayIds: string[] }>>(),
  afterContainCommit: vi.fn<(gatewayIds: string[]) => void>(),
  notify: vi.fn<(tx: Tx, event: string, summary: string, payload: Record<string, unknown>) => Promise<number>>(),
}));
vi.mock("@/lib/containment/service", () => ({ containInTx: fakes.containInTx, afterContainCommit: fakes.afterContainCommit }));
vi.mock("@/lib/notify", () => ({ notify: fakes.notify }));

async function suspendingBudget(dailyUsd: string) {
  const gw = await makeGateway();
  const agent = await makeAgent(gw.id);
  const budget = await db.budget.create({ data: { agentId: agent.id, dailyUsd: new Prisma.Decimal(dailyUsd), onLimit: "suspend_agent" } });
  return { gw, agent, budget };
}

describe("spend breaker failure paths", () => {
  beforeEach(() => {
    fakes.containInTx.mockReset();
    fakes.afterContainCommit.mockReset();
    fakes.notify.mockReset().mockResolvedValue(0);
    vi.spyOn(console, "error").mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it("links the alert to the containment and wakes its gateways after the commit", async () => {
    const at = noonUtc(2);
    const { gw, agent, budget } = await suspendingBudget("1.00");
    await spend(gw.id, agent, at, ["1.20"]);
    fakes.containInTx.mockImplementation(async (tx, _actor, input) => {
      const row = await tx.containmentAction.create({
        data: { scope: input.scope, target: input.target, action: input.action, reason: input.reason, source: input.source ?? "manual" },
        select: { id: true },
      });
      return { id: row.id, gateways: 1, gatewayIds: [gw.id] };
    });
    // Called only after the commit: at that moment the alert is visible outside the transaction.
    let seenAtWake: Promise<number> | null = null;
    fakes.afterContainCommit.mockImplementation(() => {
      seenAtWake = db.budgetAlert.count({ where: { budgetId: budget.id, threshold: 100, containmentActionId: { not: null } } });
    });

    const { fired } = await evaluateBudgets({ now: at });
    expect(fired.map((f) => f.threshold)).toEqual([50, 75, 90, 100]);
    expect(fakes.containInTx).toHaveBeenCalledTimes(1);
    expect(fakes.containInTx.mock.calls[0][1]).toMatchObject({ kind: "system" });
    expect(fakes.containInTx.mock.calls[0][2]).toEqual({
      scope: "agent",
      target: agent.id,
      action: "suspend_agent",
      reason: "daily budget of $1.00 reached ($1.20 spent)",
      source: "breaker",
      incidentId: null,
    });
    expect(fakes.afterContainCommit).toHaveBeenCalledWith([gw.id]);
    expect(await seenAtWake).toBe(1);
    const alert = await db.budgetAlert.findFirstOrThrow({ where: { budgetId: budget.id, threshold: 100 } });
    expect(alert.containmentActionId).toBe(fired[3].containmentActionId);
    expect(await db.containmentAction.findUnique({ where: { id: alert.containmentActionId! } })).toMatchObject({ source: "breaker", action: "suspend_agent" });
    // The notification names the containment.
    const [, event, summary, payload] = fakes.notify.mock.calls.at(-1)!;
    expect(event).toBe("budget.threshold");
    expect(summary).toContain("suspend agent applied");
    expect(payload).toMatchObject({ percent: 100, containment: { id: alert.containmentActionId, scope: "agent", action: "suspend_agent" } });
  });

  it("a containment that fails in SQL is rolled back alone: the alert, audit and notification still go out", async () => {
    const at = noonUtc(3);
    const { gw, agent, budget } = await suspendingBudget("2.00");
    await spend(gw.id, agent, at, ["2.00"]);
    fakes.containInTx.mockImplementation(async (tx) => {
      await tx.containmentAction.create({ data: { scope: "agent", target: "half-done", action: "suspend_agent", reason: "x", source: "breaker" } });
      await tx.$executeRawUnsafe("select 1/0"); // aborts the transaction unless rolled back to the savepoint
      throw new Error("unreachable");
    });

    const { fired } = await evaluateBudgets({ now: at });
    const hundred = fired.find((f) => f.threshold === 100)!;
    expect(hundred).toMatchObject({ containmentActionId: null, containmentError: "Internal error (see the server log)." });
    expect(await db.containmentAction.count({ where: { target: "half-done" } })).toBe(0);
    expect(await db.budgetAlert.findFirstOrThrow({ where: { budgetId: budget.id, threshold: 100 } })).toMatchObject({ containmentActionId: null });
    const failure = await db.auditEvent.findFirstOrThrow({ where: { action: "budget.contain", targetId: budget.id } });
    expect(failure).toMatchObject({ outcome: "failure", actorType: "system" });
    const threshold = await db.auditEvent.findFirstOrThrow({ where: { action: "budget.threshold", targetId: budget.id }, orderBy: { id: "desc" } });
    expect(threshold.after).toMatchObject({ percent: 100, containment: { action: "suspend_agent", error: "Internal error (see the server log)." } });
    expect(fakes.notify.mock.calls.at(-1)![2]).toContain("FAILED");
    expect(fakes.afterContainCommit).not.toHaveBeenCalled();
    // It does not retry on its own: 100 % fired for today.
    expect((await evaluateBudgets({ now: at })).fired).toEqual([]);
  });

  it("an AppError from containment (say, already contained) is reported with its message", async () => {
    const at = noonUtc(4);
    const { gw, agent, budget } = await suspendingBudget("1.00");
    await spend(gw.id, agent, at, ["5"]);
    fakes.containInTx.mockRejectedValue(new AppError("conflict", "This agent is already suspended."));
    const { fired } = await evaluateBudgets({ now: at });
    expect(fired.find((f) => f.budgetId === budget.id && f.threshold === 100)).toMatchObject({ containmentError: "This agent is already suspended." });
  });

  it("is all-or-nothing: when a step outside the savepoints fails, nothing is recorded, other budgets go on, and the next run fires", async () => {
    const at = noonUtc(5);
    const { gw, agent, budget } = await suspendingBudget("10.00");
    const other = await suspendingBudget("10.00");
    await spend(gw.id, agent, at, ["8"]);
    await spend(other.gw.id, other.agent, at, ["6"]);
    // The first notification of the run fails: the other budget's evaluation must not suffer.
    let first = true;
    fakes.notify.mockImplementation(async (_tx, _event, _summary, payload) => {
      if (first && payload.budgetId === budget.id) {
        first = false;
        throw new Error("outbox down");
      }
      return 0;
    });

    const run = await evaluateBudgets({ now: at });
    expect(run.failed).toEqual([{ budgetId: budget.id, threshold: 50, error: "outbox down" }]);
    expect(run.fired.filter((f) => f.budgetId === budget.id)).toEqual([]); // 75 waits for 50
    expect(run.fired.filter((f) => f.budgetId === other.budget.id).map((f) => f.threshold)).toEqual([50]);
    expect(await db.budgetAlert.count({ where: { budgetId: budget.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "budget.threshold", targetId: budget.id } })).toBe(0);

    const next = await evaluateBudgets({ now: at });
    expect(next).toMatchObject({ failed: [] });
    expect(next.fired.map((f) => [f.budgetId, f.threshold])).toEqual([
      [budget.id, 50],
      [budget.id, 75],
    ]);
    expect(await db.auditEvent.count({ where: { action: "budget.threshold", targetId: budget.id } })).toBe(2);
  });

  it("inSavepoint keeps the transaction usable after a failed statement", async () => {
    const name = `sp-${Date.now()}`;
    const out = await db.$transaction(async (tx) => {
      const bad = await inSavepoint(tx, "probe", () => tx.$executeRawUnsafe("select 1/0"));
      const good = await inSavepoint(tx, "probe", () => tx.gateway.create({ data: { name, kind: "generic", environment: "test" }, select: { id: true } }));
      return { bad, good };
    });
    expect(out.bad).toEqual({ ok: false, error: "Internal error (see the server log)." });
    expect(out.good.ok).toBe(true);
    expect(await db.gateway.count({ where: { name } })).toBe(1);
  });
});
