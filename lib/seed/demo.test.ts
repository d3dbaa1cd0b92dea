import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser } from "@/test/factories";
import { seedDemoFleet } from "./demo";

describe("demo fleet", () => {
  it("seeds once: registry, calls, budgets, and a closed incident whose kill switch was acknowledged and released", async () => {
    const { user } = await makeUser("admin");
    const first = await seedDemoFleet(db, { adminUserId: user.id, toolCallCount: 400 });
    expect(first.seeded).toBe(true);
    expect(first.counts).toMatchObject({ toolCalls: 400, incidents: 1, containmentActions: 1, budgets: (await db.agent.count()) + 1 });
    expect((await seedDemoFleet(db, { adminUserId: user.id })).seeded).toBe(false);

    expect(await db.budget.count({ where: { agentId: null } })).toBe(1);
    const incident = await db.incident.findFirstOrThrow({ include: { timeline: true, actions: { include: { deliveries: true } } } });
    expect(incident.status).toBe("closed");
    expect(incident.timeline.length).toBeGreaterThanOrEqual(5);
    expect(incident.actions[0].status).toBe("released");
    // Nothing left pending: a fresh install must not start with escalations.
    expect(incident.actions[0].deliveries.every((d) => d.state === "applied")).toBe(true);
    expect(await db.gatewayCommand.count({ where: { state: { not: "applied" } } })).toBe(0);
    // The rollup trigger saw the demo calls.
    const rolled = await db.toolCallHourly.aggregate({ _sum: { calls: true } });
    expect(rolled._sum.calls).toBe(400);
  });
});
