import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { evaluateBudgets } from "./breaker";
import { makeAgent, makeGateway, noonUtc, spend } from "./test-fixtures";

// The fleet budget (at most one) counts every call of the day, so these tests live in their own
// database and each uses its own UTC day.

const fleetBudget = (dailyUsd: string, onLimit: "notify" | "block_fleet") => db.budget.create({ data: { agentId: null, dailyUsd: new Prisma.Decimal(dailyUsd), onLimit } });
const thresholds = (fired: { budgetId: string; threshold: number }[], budgetId: string) => fired.filter((f) => f.budgetId === budgetId).map((f) => f.threshold);

describe("fleet budget breaker", () => {
  afterEach(async () => {
    await db.budget.deleteMany({});
  });

  it("counts every agent's and unattributed spend, beside the agents' own budgets", async () => {
    const at = noonUtc(2);
    const gw = await makeGateway();
    const [a, b] = await Promise.all([makeAgent(gw.id), makeAgent(gw.id)]);
    const fleet = await fleetBudget("10.00", "notify");
    const aBudget = await db.budget.create({ data: { agentId: a.id, dailyUsd: new Prisma.Decimal("4.00"), onLimit: "notify" } });
    await spend(gw.id, a, at, ["3.00"]); // 75 % of a's budget
    await spend(gw.id, b, at, ["1.50"]);
    await spend(gw.id, null, at, ["0.50"]); // fleet: 5.00 = 50 %

    const runs = await Promise.all([evaluateBudgets({ now: at }), evaluateBudgets({ now: at }), evaluateBudgets({ now: at })]);
    const fired = runs.flatMap((r) => r.fired);
    expect(thresholds(fired, fleet.id)).toEqual([50]);
    expect(thresholds(fired, aBudget.id).sort()).toEqual([50, 75]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "budget.threshold", targetId: fleet.id } });
    expect(audit.after).toMatchObject({ agent: null, percent: 50, spentUsd: "5.00", dailyUsd: "10.00" });

    await spend(gw.id, b, at, ["4.00"]); // fleet 9.00 = 90 %
    expect(thresholds((await evaluateBudgets({ now: at })).fired, fleet.id)).toEqual([75, 90]);
    expect((await db.budgetAlert.findMany({ where: { budgetId: fleet.id }, orderBy: { threshold: "asc" } })).map((x) => x.threshold)).toEqual([50, 75, 90]);
  });

  // ── With the real containInTx (lib/containment/service.ts). ──
  it("containment: at 100 % block_fleet blocks the whole fleet through a breaker containment action linked from the alert", async () => {
    const at = noonUtc(3);
    const gw = await makeGateway();
    const a = await makeAgent(gw.id);
    const fleet = await fleetBudget("2.00", "block_fleet");
    await spend(gw.id, a, at, ["1.50"]);
    await spend(gw.id, null, at, ["0.75"]);

    const runs = await Promise.all([evaluateBudgets({ now: at }), evaluateBudgets({ now: at })]);
    const hundred = runs.flatMap((r) => r.fired).filter((f) => f.budgetId === fleet.id && f.threshold === 100);
    expect(hundred).toHaveLength(1);
    expect(hundred[0].containmentError).toBeNull();
    const alert = await db.budgetAlert.findFirstOrThrow({ where: { budgetId: fleet.id, threshold: 100 } });
    expect(alert.containmentActionId).toBe(hundred[0].containmentActionId);
    const action = await db.containmentAction.findUniqueOrThrow({ where: { id: alert.containmentActionId! } });
    expect(action).toMatchObject({ scope: "fleet", target: "fleet", action: "block_all", source: "breaker", reason: "daily budget of $2.00 reached ($2.25 spent)" });
    expect(await db.containmentAction.count({ where: { source: "breaker", scope: "fleet" } })).toBe(1);
    // Every gateway gets the command.
    expect(await db.gatewayCommand.count({ where: { actionId: action.id } })).toBe(await db.gateway.count());
  });
});
