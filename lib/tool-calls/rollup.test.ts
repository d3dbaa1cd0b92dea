import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { mulberry32 } from "@/lib/prng";
import { rid } from "@/test/factories";

describe("tool_call_hourly rollup", () => {
  it("every insert into tool_calls is rolled up by hour, gateway, agent, tool and decision (ON CONFLICT duplicates are not counted)", async () => {
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "t", signingSecretEnc: seal("x") } });
    const tool = `tool-${rid()}`;
    const at = new Date("2026-11-20T10:15:00Z");
    const rows = (n: number, offset: number, decision: "allowed" | "blocked") =>
      Array.from({ length: n }, (_, i) => ({
        gatewayId: gw.id,
        eventId: `e-${offset + i}`,
        occurredAt: new Date(at.getTime() + i * 1000),
        agentName: "a1",
        toolName: tool,
        decision,
        tokensIn: 10,
        tokensOut: 5,
        costUsd: "0.010000",
      }));
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
    const mk = (i: number, decision: "allowed" | "blocked", minutes: number) => ({
      gatewayId: gw.id,
      eventId: `c-${i}`,
      occurredAt: new Date(hour.getTime() + minutes * 60_000),
      agentId: agent.id,
      agentName: agent.name,
      toolName: "t",
      decision,
      costUsd: "0.500000",
      tokensIn: 1,
    });
    await db.toolCall.createMany({ data: [mk(1, "allowed", 1), mk(2, "blocked", 2), mk(3, "allowed", 90)] });
    const fleet = await db.toolCallFleetHourly.findMany({ where: { hour } });
    const count = (rows: typeof fleet, d: string) => rows.find((r) => r.decision === d)?.calls ?? 0;
    expect([count(fleet, "allowed") - count(before, "allowed"), count(fleet, "blocked") - count(before, "blocked")]).toEqual([1, 1]);
    const daily = await db.toolCallAgentDaily.findUniqueOrThrow({ where: { day_agentKey: { day: new Date("2026-10-02"), agentKey: agent.id } } });
    expect([daily.calls, daily.blocked, Number(daily.costUsd), Number(daily.tokensIn), daily.agentName]).toEqual([3, 1, 1.5, 3, agent.name]);
  });
});

describe("rollups match the calls they count", () => {
  it("one insert spanning hours, a day boundary, gateways, agents and decisions rolls up exactly as a GROUP BY over tool_calls", async () => {
    const gws = await Promise.all([1, 2].map(() => db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "t", signingSecretEnc: seal("x") } })));
    const agents = await Promise.all(gws.map((g) => db.agent.create({ data: { name: `a-${rid()}`, gatewayId: g.id, owner: "o", purpose: "p" } })));
    const start = Date.parse("2025-03-09T21:30:00Z"); // 21:30 on the 9th to 03:00 on the 10th (UTC)
    const next = mulberry32(7); // the same rows every run
    const rand = (n: number) => Math.floor(next() * n);
    const rows = Array.from({ length: 400 }, (_, i) => {
      const g = rand(2);
      const attributed = rand(4) > 0;
      return {
        gatewayId: gws[g].id,
        eventId: `m-${i}`,
        occurredAt: new Date(start + rand(5.5 * 3_600_000)),
        agentId: attributed ? agents[g].id : null,
        agentName: attributed ? agents[g].name : "unattributed",
        toolName: `t${rand(3)}`,
        decision: rand(5) === 0 ? ("blocked" as const) : ("allowed" as const),
        tokensIn: rand(100),
        tokensOut: rand(3) === 0 ? null : rand(50),
        costUsd: rand(2) ? `0.${String(rand(1_000_000)).padStart(6, "0")}` : null,
      };
    });
    await db.toolCall.createMany({ data: rows.slice(0, 250) });
    await db.toolCall.createMany({ data: rows.slice(200), skipDuplicates: true }); // 50 re-sent, 150 new
    const ids = gws.map((g) => g.id);

    const hourly = await db.$queryRaw<unknown[]>`
      select hour, gateway_id::text, agent_key::text, tool_name, decision::text, calls, tokens_in::int, tokens_out::int, cost_usd::text, last_at, agent_name
        from tool_call_hourly where gateway_id = any(${ids}::uuid[]) order by 1, 2, 3, 4, 5`;
    const hourlyTruth = await db.$queryRaw<unknown[]>`
      select date_trunc('hour', occurred_at, 'UTC') as hour, gateway_id::text, coalesce(agent_id, '00000000-0000-0000-0000-000000000000')::text as agent_key, tool_name, decision::text,
             count(*)::int as calls, coalesce(sum(tokens_in), 0)::int as tokens_in, coalesce(sum(tokens_out), 0)::int as tokens_out,
             coalesce(sum(cost_usd), 0)::numeric(14, 6)::text as cost_usd, max(occurred_at) as last_at, max(agent_name) as agent_name
        from tool_calls where gateway_id = any(${ids}::uuid[]) group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`;
    expect(hourly.length).toBeGreaterThan(20);
    expect(hourly).toEqual(hourlyTruth);

    const agentIds = agents.map((a) => a.id);
    const daily = await db.$queryRaw<unknown[]>`
      select day, agent_key::text, calls, blocked, tokens_in::int, tokens_out::int, cost_usd::text, agent_name
        from tool_call_agent_daily where agent_key = any(${agentIds}::uuid[]) order by 1, 2`;
    const dailyTruth = await db.$queryRaw<unknown[]>`
      select (occurred_at at time zone 'UTC')::date as day, agent_id::text as agent_key, count(*)::int as calls, (count(*) filter (where decision = 'blocked'))::int as blocked,
             coalesce(sum(tokens_in), 0)::int as tokens_in, coalesce(sum(tokens_out), 0)::int as tokens_out, coalesce(sum(cost_usd), 0)::numeric(14, 6)::text as cost_usd, max(agent_name) as agent_name
        from tool_calls where agent_id = any(${agentIds}::uuid[]) group by 1, 2 order by 1, 2`;
    expect(daily).toHaveLength(4); // two agents, two days
    expect(daily).toEqual(dailyTruth);

    const fleet = await db.$queryRaw<unknown[]>`
      select hour, decision::text, calls from tool_call_fleet_hourly where hour >= ${new Date(start - 3_600_000)} and hour < ${new Date(start + 6 * 3_600_000)} order by 1, 2`;
    const fleetTruth = await db.$queryRaw<unknown[]>`
      select date_trunc('hour', occurred_at, 'UTC') as hour, decision::text, count(*)::int as calls from tool_calls
       where occurred_at >= ${new Date(start - 3_600_000)} and occurred_at < ${new Date(start + 6 * 3_600_000)} group by 1, 2 order by 1, 2`;
    expect(fleet.length).toBeGreaterThan(8);
    expect(fleet).toEqual(fleetTruth);
  });
});
