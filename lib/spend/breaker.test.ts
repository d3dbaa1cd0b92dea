import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { Prisma } from "@/lib/generated/prisma/client";
import { rid } from "@/test/factories";
import { breakerIdle, evaluateBudgets, evaluateBudgetsSoon } from "./breaker";
import { utcDayStart } from "./queries";
import { DAY_MS, makeAgent, makeGateway, noonUtc, spend } from "./test-fixtures";

// Every test uses its own UTC day (noonUtc(n)) and its own agents, so evaluations of one test see
// none of the others' spend. No fleet budget exists in this file (see breaker-fleet.test.ts).

async function agentWithBudget(dailyUsd: string, onLimit: "notify" | "suspend_agent" | "block_fleet" = "notify", enabled = true) {
  const gw = await makeGateway();
  const agent = await makeAgent(gw.id);
  const budget = await db.budget.create({ data: { agentId: agent.id, dailyUsd: new Prisma.Decimal(dailyUsd), onLimit, enabled } });
  return { gw, agent, budget };
}

const alertsOf = (budgetId: string) => db.budgetAlert.findMany({ where: { budgetId }, orderBy: [{ day: "asc" }, { threshold: "asc" }] });
const thresholdAudits = (budgetId: string) => db.auditEvent.findMany({ where: { action: "budget.threshold", targetId: budgetId }, orderBy: { id: "asc" } });
const mine = (fired: { budgetId: string; threshold: number }[], budgetId: string) => fired.filter((f) => f.budgetId === budgetId).map((f) => f.threshold);

describe("spend breaker", () => {
  afterEach(async () => {
    await db.webhookEndpoint.deleteMany({});
  });

  it("fires each reached threshold once per day, however often it evaluates", async () => {
    const at = noonUtc(2);
    const { gw, agent, budget } = await agentWithBudget("10.00");

    await spend(gw.id, agent, at, ["2.50", "2.50"]); // exactly 50 %
    expect(mine((await evaluateBudgets({ now: at })).fired, budget.id)).toEqual([50]);
    expect(mine((await evaluateBudgets({ now: at })).fired, budget.id)).toEqual([]);

    await spend(gw.id, agent, at, ["2.599999"]); // 75.99999 %
    const second = await evaluateBudgets({ now: at });
    expect(second.fired.filter((f) => f.budgetId === budget.id)).toEqual([
      expect.objectContaining({ threshold: 75, spentUsd: "7.599999", dailyUsd: "10.00", agentId: agent.id, day: second.day, containmentActionId: null }),
    ]);
    expect(mine((await evaluateBudgets({ now: at })).fired, budget.id)).toEqual([]);

    const alerts = await alertsOf(budget.id);
    expect(alerts.map((a) => [a.threshold, a.spentUsd.toFixed()])).toEqual([
      [50, "5"],
      [75, "7.599999"],
    ]);
    expect(alerts.every((a) => a.day.getTime() === utcDayStart(at).getTime())).toBe(true);

    const audits = await thresholdAudits(budget.id);
    expect(audits).toHaveLength(2);
    expect(audits[1]).toMatchObject({ actorType: "system", actorLabel: "warden", outcome: "success", targetType: "budget" });
    expect(audits[1].after).toMatchObject({ percent: 75, spentUsd: "7.60", dailyUsd: "10.00", day: second.day, agent: { id: agent.id, name: agent.name }, alertId: alerts[1].id });
  });

  it("fires each threshold once when evaluations run concurrently", async () => {
    const at = noonUtc(3);
    const { gw, agent, budget } = await agentWithBudget("10.00");
    await spend(gw.id, agent, at, ["9.50"]);

    const runs = await Promise.all([evaluateBudgets({ now: at }), evaluateBudgets({ now: at }), evaluateBudgets({ now: at }), evaluateBudgets({ now: at })]);
    expect(runs.flatMap((r) => mine(r.fired, budget.id)).sort((x, y) => x - y)).toEqual([50, 75, 90]);
    expect((await alertsOf(budget.id)).map((a) => a.threshold)).toEqual([50, 75, 90]);
    expect(await thresholdAudits(budget.id)).toHaveLength(3);

    // Reaching 100 % later, again concurrently: one more alert, once.
    await spend(gw.id, agent, at, ["0.50"]);
    const more = await Promise.all([evaluateBudgets({ now: at }), evaluateBudgets({ now: at })]);
    expect(more.flatMap((r) => mine(r.fired, budget.id))).toEqual([100]);
    expect(await thresholdAudits(budget.id)).toHaveLength(4);
  });

  it("jumping from 40 % to 95 % fires 50, 75 and 90 in one evaluation, in order", async () => {
    const at = noonUtc(4);
    const { gw, agent, budget } = await agentWithBudget("20.00");
    await spend(gw.id, agent, at, ["8.00"]);
    expect(mine((await evaluateBudgets({ now: at })).fired, budget.id)).toEqual([]);

    await spend(gw.id, agent, at, ["11.00"]);
    expect(mine((await evaluateBudgets({ now: at })).fired, budget.id)).toEqual([50, 75, 90]);
    const alerts = await db.budgetAlert.findMany({ where: { budgetId: budget.id }, orderBy: { firedAt: "asc" } });
    expect(alerts.map((a) => a.threshold)).toEqual([50, 75, 90]);
    expect(alerts.every((a) => a.spentUsd.toFixed() === "19")).toBe(true);
    expect((await thresholdAudits(budget.id)).map((a) => (a.after as { percent: number }).percent)).toEqual([50, 75, 90]);
  });

  it("fires again on a new UTC day, and evaluating an earlier day again fires nothing", async () => {
    const day1 = noonUtc(21);
    const day2 = noonUtc(20);
    const { gw, agent, budget } = await agentWithBudget("4.00");
    await spend(gw.id, agent, day1, ["2.10"]);
    await spend(gw.id, agent, day2, ["2.00"]);

    expect(mine((await evaluateBudgets({ now: day1 })).fired, budget.id)).toEqual([50]);
    // Late in day 1 is still day 1; day 2 starts counting from zero.
    expect(mine((await evaluateBudgets({ now: new Date(utcDayStart(day1).getTime() + DAY_MS - 1) })).fired, budget.id)).toEqual([]);
    expect(mine((await evaluateBudgets({ now: day2 })).fired, budget.id)).toEqual([50]);
    expect(mine((await evaluateBudgets({ now: day1 })).fired, budget.id)).toEqual([]);

    const alerts = await alertsOf(budget.id);
    expect(alerts.map((a) => [a.day.toISOString().slice(0, 10), a.threshold])).toEqual([
      [day1.toISOString().slice(0, 10), 50],
      [day2.toISOString().slice(0, 10), 50],
    ]);
  });

  it("at 100 % with onLimit notify records the alert and applies no containment", async () => {
    const at = noonUtc(5);
    const { gw, agent, budget } = await agentWithBudget("3.00", "notify");
    await spend(gw.id, agent, at, ["1.00", "1.00", "1.00"]); // exactly 100 %
    const before = await db.containmentAction.count();

    const { fired } = await evaluateBudgets({ now: at });
    expect(mine(fired, budget.id)).toEqual([50, 75, 90, 100]);
    expect(fired.find((f) => f.budgetId === budget.id && f.threshold === 100)).toMatchObject({ containmentActionId: null, containmentError: null });
    expect((await alertsOf(budget.id)).find((a) => a.threshold === 100)).toMatchObject({ containmentActionId: null, spentUsd: new Prisma.Decimal(3) });
    expect(await db.containmentAction.count()).toBe(before);
    const last = (await thresholdAudits(budget.id)).at(-1)!;
    expect(last.after).toMatchObject({ percent: 100, onLimit: "notify" });
    expect(last.after).not.toHaveProperty("containment");
  });

  it("does not fire below 50 %, for disabled budgets, or for another agent's spend", async () => {
    const at = noonUtc(6);
    const under = await agentWithBudget("10.00");
    await spend(under.gw.id, under.agent, at, ["4.999999"]);
    const off = await agentWithBudget("1.00", "suspend_agent", false);
    await spend(off.gw.id, off.agent, at, ["5.00"]);
    const other = await agentWithBudget("1.00");
    await spend(other.gw.id, null, at, ["5.00"]); // unattributed calls on its gateway are not its spend

    const { fired } = await evaluateBudgets({ now: at });
    for (const b of [under.budget, off.budget, other.budget]) expect(mine(fired, b.id)).toEqual([]);
    expect(await db.budgetAlert.count({ where: { budgetId: { in: [under.budget.id, off.budget.id, other.budget.id] } } })).toBe(0);

    // Enabling the budget later the same day fires what it reached.
    await db.budget.update({ where: { id: off.budget.id }, data: { onLimit: "notify", enabled: true } });
    expect(mine((await evaluateBudgets({ now: at })).fired, off.budget.id)).toEqual([50, 75, 90, 100]);
  });

  it("queues a budget.threshold webhook only when an endpoint is subscribed", async () => {
    const at = noonUtc(7);
    const quiet = await agentWithBudget("10.00");
    await spend(quiet.gw.id, quiet.agent, at, ["6.00"]);
    expect(mine((await evaluateBudgets({ now: at })).fired, quiet.budget.id)).toEqual([50]);
    expect(await db.webhookDelivery.count()).toBe(0);

    const endpoint = await db.webhookEndpoint.create({ data: { name: `hook-${rid()}`, url: "https://hooks.example.com/warden", events: ["budget.threshold"], secretEnc: seal("whsec_x") } });
    const loud = await agentWithBudget("10.00");
    await spend(loud.gw.id, loud.agent, at, ["8.00"]);
    expect(mine((await evaluateBudgets({ now: at })).fired, loud.budget.id)).toEqual([50, 75]);
    const deliveries = await db.webhookDelivery.findMany({ where: { endpointId: endpoint.id }, orderBy: { createdAt: "asc" } });
    expect(deliveries).toHaveLength(2);
    expect(deliveries.every((d) => d.event === "budget.threshold" && d.state === "pending")).toBe(true);
    expect(JSON.stringify(deliveries.map((d) => d.payload))).toContain(loud.agent.name);
    expect(JSON.stringify(deliveries.map((d) => d.payload))).not.toContain("whsec_");
  });

  it("evaluates about a second after evaluateBudgetsSoon(), once for a burst of calls", async () => {
    const { gw, agent, budget } = await agentWithBudget("10.00");
    await spend(gw.id, agent, new Date(), ["6.00"]); // today: what the background run evaluates
    evaluateBudgetsSoon();
    evaluateBudgetsSoon();
    evaluateBudgetsSoon();
    expect(await db.budgetAlert.count({ where: { budgetId: budget.id } })).toBe(0); // not synchronously
    await breakerIdle();
    expect((await alertsOf(budget.id)).map((a) => a.threshold)).toEqual([50]);
    expect(await thresholdAudits(budget.id)).toHaveLength(1);
  });

  it("fires the spend_threshold playbooks following the budget, and the 100 % containment joins their incident", async () => {
    const at = noonUtc(9);
    const { gw, agent, budget } = await agentWithBudget("4.00", "suspend_agent");
    const [at75, at100, otherAgent] = await Promise.all([
      db.playbook.create({ data: { name: `pb75-${rid()}`, trigger: "spend_threshold", triggerConfig: { percent: 75, agentId: agent.id } } }),
      db.playbook.create({ data: { name: `pb100-${rid()}`, trigger: "spend_threshold", triggerConfig: { percent: 100, agentId: agent.id, severity: "critical" } } }),
      db.playbook.create({ data: { name: `pbx-${rid()}`, trigger: "spend_threshold", triggerConfig: { percent: 75, agentId: (await makeAgent(gw.id)).id } } }),
    ]);
    await spend(gw.id, agent, at, ["3.10"]);
    const first = await evaluateBudgets({ now: at });
    const f75 = first.fired.find((f) => f.budgetId === budget.id && f.threshold === 75)!;
    expect(f75.incidentIds).toHaveLength(1);
    expect(await db.incident.findUniqueOrThrow({ where: { id: f75.incidentIds[0] } })).toMatchObject({ playbookId: at75.id });
    expect(first.fired.filter((f) => f.budgetId === budget.id && f.threshold !== 75).every((f) => f.incidentIds.length === 0)).toBe(true);
    expect(await db.incident.count({ where: { playbookId: otherAgent.id } })).toBe(0);

    await spend(gw.id, agent, at, ["1.00"]);
    const second = await evaluateBudgets({ now: at });
    const f100 = second.fired.find((f) => f.budgetId === budget.id && f.threshold === 100)!;
    expect(f100.incidentIds).toHaveLength(1);
    const incident = await db.incident.findUniqueOrThrow({ where: { id: f100.incidentIds[0] } });
    expect(incident).toMatchObject({ playbookId: at100.id, severity: "critical" });
    // The breaker's kill switch is part of that incident.
    expect(f100.containmentActionId).not.toBeNull();
    expect(await db.containmentAction.findUniqueOrThrow({ where: { id: f100.containmentActionId! } })).toMatchObject({ incidentId: incident.id, source: "breaker" });
    expect(await db.incidentEvent.count({ where: { incidentId: incident.id, kind: "containment" } })).toBe(1);
    // Evaluating again opens nothing more.
    await evaluateBudgets({ now: at });
    expect(await db.incident.count({ where: { playbookId: { in: [at75.id, at100.id] } } })).toBe(2);
  });

  // ── With the real containInTx (lib/containment/service.ts). ──
  it("containment: at 100 % suspend_agent suspends the agent through a breaker containment action linked from the alert", async () => {
    const at = noonUtc(8);
    const { gw, agent, budget } = await agentWithBudget("5.00", "suspend_agent");
    await spend(gw.id, agent, at, ["5.25"]);

    const runs = await Promise.all([evaluateBudgets({ now: at }), evaluateBudgets({ now: at })]);
    const hundred = runs.flatMap((r) => r.fired).filter((f) => f.budgetId === budget.id && f.threshold === 100);
    expect(hundred).toHaveLength(1);
    expect(hundred[0].containmentError).toBeNull();

    const alert = await db.budgetAlert.findFirstOrThrow({ where: { budgetId: budget.id, threshold: 100 } });
    expect(alert.containmentActionId).toBe(hundred[0].containmentActionId);
    const action = await db.containmentAction.findUniqueOrThrow({ where: { id: alert.containmentActionId! } });
    expect(action).toMatchObject({ scope: "agent", action: "suspend_agent", source: "breaker", status: "active" });
    expect([agent.id, agent.name]).toContain(action.target);
    expect(action.reason).toBe("daily budget of $5.00 reached ($5.25 spent)");
    expect(await db.containmentAction.count({ where: { source: "breaker", target: action.target } })).toBe(1);
    // Lower thresholds never contain.
    expect((await alertsOf(budget.id)).filter((a) => a.threshold < 100).every((a) => a.containmentActionId === null)).toBe(true);
    const last = (await thresholdAudits(budget.id)).at(-1)!;
    expect(last.after).toMatchObject({ percent: 100, containment: { id: action.id, action: "suspend_agent" } });
  });
});
