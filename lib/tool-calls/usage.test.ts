import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeAgent, makeGateway, rid } from "@/test/factories";
import { agentsUsingTool } from "./usage";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Call = { at: Date; gatewayId: string; agentId: string | null; agentName: string; toolName: string; blocked?: boolean };
async function seed(calls: Call[]) {
  await db.toolCall.createMany({
    data: calls.map((c) => ({
      occurredAt: c.at,
      gatewayId: c.gatewayId,
      eventId: `ev-${rid()}`,
      agentId: c.agentId,
      agentName: c.agentName,
      toolName: c.toolName,
      decision: c.blocked ? ("blocked" as const) : ("allowed" as const),
    })),
  });
}

/** The same answer computed the slow way, straight from tool_calls. */
async function reference(tool: string, since: Date, now: Date) {
  const rows = await db.$queryRaw<{ agent_id: string | null; agent_name: string; calls: number; blocked: number; last_at: Date }[]>`
    select t.agent_id::text as agent_id, coalesce(case when t.agent_id is null then t.agent_name end, min(a.name)) as agent_name,
           count(*)::int as calls, (count(*) filter (where t.decision = 'blocked'))::int as blocked, max(t.occurred_at) as last_at
      from tool_calls t left join agents a on a.id = t.agent_id
     where t.tool_name = ${tool} and t.occurred_at >= ${since} and t.occurred_at <= ${now}
     group by t.agent_id, case when t.agent_id is null then t.agent_name end`;
  return rows
    .map((r) => ({ agentId: r.agent_id, agentName: r.agent_name, calls: r.calls, blocked: r.blocked, lastAt: new Date(r.last_at) }))
    .sort((x, y) => y.calls - x.calls || (x.agentName < y.agentName ? -1 : x.agentName > y.agentName ? 1 : 0));
}

describe("agentsUsingTool (hourly rollup + partial hours)", () => {
  it("matches a full scan of tool_calls for windows that start and end mid-hour", async () => {
    const tool = `tool-${rid()}`;
    const [g1, g2] = await Promise.all([makeGateway(), makeGateway()]);
    const agents = await Promise.all([makeAgent(g1.id), makeAgent(g1.id), makeAgent(g2.id)]);
    // A fixed "now" 37 minutes past an hour, so both ends of every window are partial hours.
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR + 37 * MIN);
    let seedState = 7;
    const rand = () => (seedState = (seedState * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const calls: Call[] = [];
    for (let i = 0; i < 400; i++) {
      const at = new Date(now.getTime() - Math.floor(rand() * 3 * DAY) + (i % 9 === 0 ? 30 * MIN : 0)); // a few after "now": excluded
      const pick = Math.floor(rand() * 5);
      const gw = pick === 2 ? g2 : g1;
      const agent = pick < 3 ? agents[pick] : null;
      // Registered agents report two names over time; unregistered ones share hours and gateways.
      const agentName = agent ? (rand() < 0.2 ? `${agent.name}-alias` : agent.name) : pick === 3 ? `ghost-a-${tool}` : `ghost-b-${tool}`;
      calls.push({ at, gatewayId: gw.id, agentId: agent?.id ?? null, agentName, toolName: rand() < 0.8 ? tool : `${tool}-other`, blocked: rand() < 0.15 });
    }
    await seed(calls);
    for (const windowMs of [DAY, 2 * DAY + 13 * MIN, 3 * HOUR, 50 * MIN, 20 * MIN]) {
      const since = new Date(now.getTime() - windowMs);
      const expected = await reference(tool, since, now);
      const got = await agentsUsingTool(tool, windowMs, now);
      expect(got, `window ${windowMs / MIN} min`).toEqual(expected);
    }
    const all = await agentsUsingTool(tool, 3 * DAY, now);
    // Registered agents appear once each, under their registry name; the two unregistered names separately.
    expect(
      all
        .filter((a) => a.agentId)
        .map((a) => [a.agentId, a.agentName])
        .sort(),
    ).toEqual(agents.map((a) => [a.id, a.name]).sort());
    expect(
      all
        .filter((a) => !a.agentId)
        .map((a) => a.agentName)
        .sort(),
    ).toEqual([`ghost-a-${tool}`, `ghost-b-${tool}`]);
    expect(all.reduce((n, a) => n + a.calls, 0)).toBe(calls.filter((c) => c.toolName === tool && c.at <= now && c.at >= new Date(now.getTime() - 3 * DAY)).length);
  });

  it("reads whole hours from the rollup, not from tool_calls", async () => {
    const tool = `rollup-${rid()}`;
    const g = await makeGateway();
    const a = await makeAgent(g.id);
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR + 10 * MIN);
    const at = new Date(now.getTime() - 3 * HOUR);
    await seed([{ at, gatewayId: g.id, agentId: a.id, agentName: a.name, toolName: tool }]);
    // Only the rollup says there were 40 calls in that hour (as if the rows were elsewhere).
    await db.$executeRaw`update tool_call_hourly set calls = 40 where tool_name = ${tool}`;
    expect(await agentsUsingTool(tool, DAY, now)).toEqual([{ agentId: a.id, agentName: a.name, calls: 40, blocked: 0, lastAt: at }]);
  });

  it("takes the exact time of the last call from the rollup, without reading tool_calls", async () => {
    const tool = `last-${rid()}`;
    const g = await makeGateway();
    const a = await makeAgent(g.id);
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR + 10 * MIN);
    const hour = Math.floor((now.getTime() - 3 * HOUR) / HOUR) * HOUR;
    const first = new Date(hour + 7 * MIN + 123);
    const last = new Date(hour + 41 * MIN + 456);
    // Two batches into the same rollup row, the later call first: last_at keeps the maximum.
    await seed([{ at: last, gatewayId: g.id, agentId: a.id, agentName: a.name, toolName: tool }]);
    await seed([{ at: first, gatewayId: g.id, agentId: a.id, agentName: a.name, toolName: tool, blocked: true }]);
    const rows = await db.toolCallHourly.findMany({ where: { toolName: tool } });
    expect(rows.map((r) => r.lastAt?.toISOString()).sort()).toEqual([first.toISOString(), last.toISOString()]); // allowed and blocked rows
    // Remove the calls themselves: the answer (counts and exact last time) still comes whole from the rollup.
    await db.toolCall.deleteMany({ where: { toolName: tool } });
    expect(await agentsUsingTool(tool, DAY, now)).toEqual([{ agentId: a.id, agentName: a.name, calls: 2, blocked: 1, lastAt: last }]);
  });

  it("reads the current hour from the rollup when asked about the present", async () => {
    const tool = `live-${rid()}`;
    const g = await makeGateway();
    const a = await makeAgent(g.id);
    const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
    const recent = new Date(Math.max(hourStart, Date.now() - MIN)); // in the current hour
    const older = new Date(Date.now() - 3 * HOUR);
    await seed([
      { at: recent, gatewayId: g.id, agentId: a.id, agentName: a.name, toolName: tool },
      { at: older, gatewayId: g.id, agentId: a.id, agentName: a.name, toolName: tool },
    ]);
    // The same answer as a full scan of tool_calls…
    const [got, expected] = [await agentsUsingTool(tool, DAY), await reference(tool, new Date(Date.now() - DAY), new Date())];
    expect(got).toEqual(expected);
    expect(expected[0]).toMatchObject({ calls: 2, lastAt: recent });
    // …and it comes from the rollup: the current hour's row says 40 calls.
    await db.$executeRaw`update tool_call_hourly set calls = 40 where tool_name = ${tool} and hour = ${new Date(hourStart)}`;
    expect(await agentsUsingTool(tool, DAY)).toEqual([{ agentId: a.id, agentName: a.name, calls: 41, blocked: 0, lastAt: recent }]);
    // A given time reads its partial hour from tool_calls, as before (the end of this hour: the
    // same partial hour whenever the test runs).
    expect(await agentsUsingTool(tool, DAY, new Date(hourStart + HOUR - 1))).toEqual([{ agentId: a.id, agentName: a.name, calls: 2, blocked: 0, lastAt: recent }]);
  });

  it("answers nothing for an unknown tool, and treats the name literally", async () => {
    expect(await agentsUsingTool(`nope-${rid()}`, DAY)).toEqual([]);
    expect(await agentsUsingTool("' or 1=1 --", DAY)).toEqual([]);
    expect(await agentsUsingTool("%", DAY)).toEqual([]);
  });
});
