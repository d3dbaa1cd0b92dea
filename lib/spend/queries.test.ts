import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { getSpendOverview, listBudgetAlerts, listBudgets, percentOf, usageByDay, usageForDay, utcDayStart } from "./queries";
import { DAY_MS, makeAgent, makeGateway, noonUtc, spend } from "./test-fixtures";

const D = (s: string) => new Prisma.Decimal(s);

describe("spend queries", () => {
  it("sums one UTC day per agent and for the fleet, exactly, and nothing outside the day", async () => {
    const at = noonUtc(3);
    const start = utcDayStart(at);
    const gw = await makeGateway();
    const [a, b, idle] = await Promise.all([makeAgent(gw.id), makeAgent(gw.id), makeAgent(gw.id)]);
    await spend(gw.id, a, at, [
      { cost: "0.100000", tokensIn: 1000, tokensOut: 50 },
      { cost: "0.200001", tokensIn: 2000, tokensOut: 70 },
      { cost: "1.5", tokensIn: 5, tokensOut: 5 },
      { cost: null, tokensIn: null, tokensOut: null }, // a call without usage data still counts as a call
    ]);
    await spend(gw.id, b, at, [{ cost: "2.000005", tokensIn: 7, tokensOut: 3 }]);
    await spend(gw.id, null, at, [{ cost: "0.5", tokensIn: 1, tokensOut: 1 }]);
    // The neighbouring days' edges: the last millisecond before and the first of the next day.
    await spend(gw.id, a, at, [
      { cost: "100", at: new Date(start.getTime() - 1) },
      { cost: "200", at: new Date(start.getTime() + DAY_MS) },
    ]);
    await spend(gw.id, b, at, [{ cost: "7", at: new Date(start.getTime()) }]); // midnight belongs to the day

    const u = await usageForDay(at);
    expect(u.day).toBe(at.toISOString().slice(0, 10));
    expect(u.byAgent.get(a.id)).toEqual({
      calls: 4,
      tokensIn: 3005,
      tokensOut: 125,
      costUsd: expect.any(Prisma.Decimal),
      modelCalls: 0,
      modelCostUsd: expect.any(Prisma.Decimal),
      unpricedModelCalls: 0,
    });
    expect(u.byAgent.get(a.id)!.costUsd.toFixed()).toBe("1.800001");
    expect(u.byAgent.get(b.id)).toMatchObject({ calls: 2, tokensIn: 107, tokensOut: 13 });
    expect(u.byAgent.get(b.id)!.costUsd.toFixed()).toBe("9.000005");
    expect(u.byAgent.has(idle.id)).toBe(false);
    expect(u.unattributed).toMatchObject({ calls: 1, tokensIn: 1, tokensOut: 1 });
    expect(u.unattributed!.costUsd.toFixed()).toBe("0.5");
    expect(u.fleet).toMatchObject({ calls: 7, tokensIn: 3005 + 107 + 1, tokensOut: 125 + 13 + 1 });
    expect(u.fleet.costUsd.toFixed()).toBe("11.300006");

    // Restricted to some agents: only theirs, and `fleet` is their total.
    const some = await usageForDay(at, { agentIds: [b.id, idle.id] });
    expect([...some.byAgent.keys()]).toEqual([b.id]);
    expect(some.unattributed).toBeNull();
    expect(some.fleet.costUsd.toFixed()).toBe("9.000005");

    // A day with no calls at all: zero fleet, no agents.
    const empty = await usageForDay(noonUtc(40));
    expect(empty.byAgent.size).toBe(0);
    expect(empty.unattributed).toBeNull();
    expect(empty.fleet).toMatchObject({ calls: 0, tokensIn: 0, tokensOut: 0 });
    expect(empty.fleet.costUsd.isZero()).toBe(true);
  });

  it("gives the last 7 days per day, oldest first, with missing days as zero, for the fleet or one agent", async () => {
    const today = noonUtc(10); // "today" of this test, far from the other tests' days
    const gw = await makeGateway();
    const [a, b] = await Promise.all([makeAgent(gw.id), makeAgent(gw.id)]);
    await spend(gw.id, a, today, ["1.25", "0.75"]);
    await spend(gw.id, a, new Date(today.getTime() - 2 * DAY_MS), ["0.333333"]);
    await spend(gw.id, b, new Date(today.getTime() - 6 * DAY_MS), ["4"]);
    await spend(gw.id, b, new Date(today.getTime() - 7 * DAY_MS), ["1000"]); // 8 days back: outside the window

    const fleet = await usageByDay({ now: today });
    expect(fleet.map((p) => p.day)).toEqual(Array.from({ length: 7 }, (_, i) => new Date(today.getTime() - (6 - i) * DAY_MS).toISOString().slice(0, 10)));
    expect(fleet.map((p) => p.costUsd)).toEqual(["4", "0", "0", "0", "0.333333", "0", "2"]);
    expect(fleet.map((p) => p.calls)).toEqual([1, 0, 0, 0, 1, 0, 2]);
    expect(fleet[6]).toMatchObject({ tokensIn: 200, tokensOut: 20 });

    const onlyA = await usageByDay({ now: today, agentId: a.id });
    expect(onlyA.map((p) => p.costUsd)).toEqual(["0", "0", "0", "0", "0.333333", "0", "2"]);
  });

  it("puts today's spend against budgets with percent and the newest alert, the fleet's included", async () => {
    const at = noonUtc(5);
    const gw = await makeGateway();
    const [big, small, budgetOnly, noBudget] = await Promise.all([makeAgent(gw.id), makeAgent(gw.id), makeAgent(gw.id), makeAgent(gw.id)]);
    await spend(gw.id, big, at, ["1.000000", "0.800001"]);
    await spend(gw.id, small, at, ["0.25"]);
    await spend(gw.id, noBudget, at, ["3"]);
    await spend(gw.id, null, at, ["0.95"]);
    const [bBig, , bOnly] = await Promise.all([
      db.budget.create({ data: { agentId: big.id, dailyUsd: D("2.00"), onLimit: "suspend_agent" } }),
      db.budget.create({ data: { agentId: small.id, dailyUsd: D("1.00"), onLimit: "notify", enabled: false } }),
      db.budget.create({ data: { agentId: budgetOnly.id, dailyUsd: D("5.00"), onLimit: "notify" } }),
    ]);
    const fleetBudget = await db.budget.create({ data: { agentId: null, dailyUsd: D("12.00"), onLimit: "block_fleet" } });
    try {
      const day = utcDayStart(at);
      await db.budgetAlert.createMany({
        data: [
          { budgetId: bBig.id, day, threshold: 50, spentUsd: D("1.0") },
          { budgetId: bBig.id, day, threshold: 75, spentUsd: D("1.8") },
          { budgetId: bBig.id, day: new Date(day.getTime() - DAY_MS), threshold: 100, spentUsd: D("2.5") },
        ],
      });

      const o = await getSpendOverview(at);
      expect(o.day).toBe(day.toISOString().slice(0, 10));
      expect(o.fleet).toMatchObject({
        calls: 5,
        costUsd: "6.000001",
        budget: { id: fleetBudget.id, agentId: null, dailyUsd: "12.00", onLimit: "block_fleet", enabled: true },
        percent: 50,
        lastAlert: null,
      });
      expect(o.unattributed).toMatchObject({ calls: 1, costUsd: "0.95" });
      // Highest cost first; agents without spend today but with a budget are listed too.
      expect(o.agents.map((r) => r.agentId)).toEqual([noBudget.id, big.id, small.id, budgetOnly.id]);
      const byId = new Map(o.agents.map((r) => [r.agentId, r]));
      expect(byId.get(big.id)).toMatchObject({
        agentName: big.name,
        calls: 2,
        tokensIn: 200,
        tokensOut: 20,
        costUsd: "1.800001",
        budget: { id: bBig.id, dailyUsd: "2.00", onLimit: "suspend_agent" },
        percent: 90,
      });
      expect(byId.get(big.id)!.lastAlert).toMatchObject({ threshold: 75, day: o.day, spentUsd: "1.8", containmentActionId: null });
      expect(byId.get(small.id)).toMatchObject({ costUsd: "0.25", budget: { enabled: false }, percent: 25, lastAlert: null });
      expect(byId.get(budgetOnly.id)).toMatchObject({ calls: 0, costUsd: "0", budget: { id: bOnly.id }, percent: 0 });
      expect(byId.get(noBudget.id)).toMatchObject({ costUsd: "3", budget: null, percent: null, lastAlert: null });

      const budgets = await listBudgets();
      expect(budgets[0]).toMatchObject({ id: fleetBudget.id, agentId: null, agentName: null });
      expect(budgets.find((b) => b.id === bBig.id)).toMatchObject({ agentName: big.name, dailyUsd: "2.00" });

      const alerts = await listBudgetAlerts({ pageSize: 2 });
      expect(alerts.total).toBe(3);
      expect(alerts.rows).toHaveLength(2);
      expect(alerts.rows[0]).toMatchObject({ budgetId: bBig.id, agentId: big.id, agentName: big.name });
      expect((await listBudgetAlerts({ page: 2, pageSize: 2 })).rows).toHaveLength(1);
    } finally {
      await db.budget.delete({ where: { id: fleetBudget.id } });
    }
  });

  it("computes percent exactly, rounding down to one decimal", () => {
    expect(percentOf(D("1.999999"), D("2.00"))).toBe(99.9);
    expect(percentOf(D("2"), D("2.00"))).toBe(100);
    expect(percentOf(D("0.000001"), D("1000000"))).toBe(0);
    expect(percentOf(D("1"), null)).toBeNull();
  });
});
