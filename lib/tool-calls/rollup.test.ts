import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { rid } from "@/test/factories";

describe("tool_call_hourly rollup", () => {
  it("every insert into tool_calls is rolled up by hour, gateway, agent, tool and decision (ON CONFLICT duplicates are not counted)", async () => {
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "t", signingSecretEnc: seal("x") } });
    const tool = `tool-${rid()}`;
    const at = new Date("2026-11-20T10:15:00Z");
    const rows = (n: number, offset: number, decision: "allowed" | "blocked") =>
      Array.from({ length: n }, (_, i) => ({ gatewayId: gw.id, eventId: `e-${offset + i}`, occurredAt: new Date(at.getTime() + i * 1000), agentName: "a1", toolName: tool, decision, tokensIn: 10, tokensOut: 5, costUsd: "0.010000" }));
    await db.toolCall.createMany({ data: rows(3, 0, "allowed") });
    await db.toolCall.createMany({ data: [...rows(2, 100, "blocked"), ...rows(1, 200, "allowed")] });
    await db.toolCall.createMany({ data: rows(3, 0, "allowed"), skipDuplicates: true }); // all duplicates
    const r = await db.toolCallHourly.findMany({ where: { toolName: tool }, orderBy: { decision: "asc" } });
    expect(r.map((x) => [x.hour.toISOString(), x.decision, x.calls, Number(x.tokensIn), Number(x.costUsd)])).toEqual([
      ["2026-11-20T10:00:00.000Z", "allowed", 4, 40, 0.04],
      ["2026-11-20T10:00:00.000Z", "blocked", 2, 20, 0.02],
    ]);
    expect(r[0].agentKey).toBe("00000000-0000-0000-0000-000000000000");
  });
});

describe("coarse rollups", () => {
  it("the same inserts also feed the fleet-hourly and agent-daily rollups", async () => {
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "t", signingSecretEnc: seal("x") } });
    const agent = await db.agent.create({ data: { name: `a-${rid()}`, gatewayId: gw.id, owner: "o", purpose: "p" } });
    const hour = new Date("2026-10-02T07:00:00Z");
    const before = await db.toolCallFleetHourly.findMany({ where: { hour } });
    const mk = (i: number, decision: "allowed" | "blocked", minutes: number) => ({ gatewayId: gw.id, eventId: `c-${i}`, occurredAt: new Date(hour.getTime() + minutes * 60_000), agentId: agent.id, agentName: agent.name, toolName: "t", decision, costUsd: "0.500000", tokensIn: 1 });
    await db.toolCall.createMany({ data: [mk(1, "allowed", 1), mk(2, "blocked", 2), mk(3, "allowed", 90)] });
    const fleet = await db.toolCallFleetHourly.findMany({ where: { hour } });
    const count = (rows: typeof fleet, d: string) => rows.find((r) => r.decision === d)?.calls ?? 0;
    expect([count(fleet, "allowed") - count(before, "allowed"), count(fleet, "blocked") - count(before, "blocked")]).toEqual([1, 1]);
    const daily = await db.toolCallAgentDaily.findUniqueOrThrow({ where: { day_agentKey: { day: new Date("2026-10-02"), agentKey: agent.id } } });
    expect([daily.calls, daily.blocked, Number(daily.costUsd), Number(daily.tokensIn), daily.agentName]).toEqual([3, 1, 1.5, 3, agent.name]);
  });
});
