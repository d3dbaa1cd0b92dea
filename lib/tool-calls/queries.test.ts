import { beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import type { RoleName } from "@/lib/auth/roles";
import { makeAgent, makeGateway, rid } from "@/test/factories";
import {
  agentsByTool,
  COUNT_CAP,
  explorerPage,
  explorerPickers,
  getToolCall,
  listRecentAgentNames,
  listRecentToolNames,
  listToolCalls,
  paramsAllowed,
  parseSince,
  parseToolCallQuery,
  toolCallSeries,
} from "./queries";

// The API routes resolve the caller through getActor(); tests swap in an actor of a given role.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
const asRole = (role: RoleName) => {
  session.actor = { kind: "user", userId: undefined, label: `${role}-${Math.random()}@test.local`, role, ip: "203.0.113.9", userAgent: "vitest" };
};

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type CallSeed = { at: Date; gatewayId: string; agentId: string | null; agentName: string; toolName: string; blocked?: boolean; blockReason?: string; error?: string; params?: object; result?: object };
async function seedCalls(calls: CallSeed[]) {
  await db.toolCall.createMany({
    data: calls.map((c) => ({
      occurredAt: c.at,
      gatewayId: c.gatewayId,
      eventId: `ev-${rid()}`,
      agentId: c.agentId,
      agentName: c.agentName,
      toolName: c.toolName,
      toolVersion: "1.0.0",
      decision: c.blocked ? ("blocked" as const) : ("allowed" as const),
      blockReason: c.blockReason ?? null,
      error: c.error ?? null,
      durationMs: 12,
      egressHosts: ["api.example.com"],
      params: c.params ?? { path: "/tmp/x", token: "[REDACTED]" },
      result: c.result ?? { ok: true },
    })),
  });
}

describe("tool-call explorer queries", () => {
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const tag = rid();
  const T1 = `fs.read-${tag}`;
  const T2 = `web.fetch-${tag}`;
  let g1: { id: string }, g2: { id: string }, a1: { id: string; name: string }, a2: { id: string; name: string };
  const ghost = `ghost-${tag}`;
  const q = (params: Record<string, string>) => parseToolCallQuery(params, now).query;

  beforeAll(async () => {
    [g1, g2] = await Promise.all([makeGateway(), makeGateway()]);
    [a1, a2] = await Promise.all([makeAgent(g1.id), makeAgent(g2.id)]);
    await seedCalls([
      { at: ago(1 * HOUR), gatewayId: g1.id, agentId: a1.id, agentName: a1.name, toolName: T1 },
      { at: ago(2 * HOUR), gatewayId: g1.id, agentId: a1.id, agentName: a1.name, toolName: T1, blocked: true, blockReason: `not in bundle ${tag}-reason` },
      { at: ago(3 * HOUR), gatewayId: g2.id, agentId: a2.id, agentName: a2.name, toolName: T1, error: `ENOENT ${tag}-err` },
      { at: ago(30 * MIN), gatewayId: g2.id, agentId: a2.id, agentName: a2.name, toolName: T2 },
      { at: ago(5 * HOUR), gatewayId: g1.id, agentId: null, agentName: ghost, toolName: T1 },
      // Older than 24h: only in the 7d window.
      { at: ago(3 * DAY), gatewayId: g1.id, agentId: a1.id, agentName: a1.name, toolName: T1 },
      // A tool whose name merely starts with T1 is another tool.
      { at: ago(4 * HOUR), gatewayId: g1.id, agentId: a2.id, agentName: a2.name, toolName: `${T1}-extra` },
    ]);
  });

  it("parses the window: default 24h, ranges, explicit from/to, and rejects bad values", () => {
    const def = parseToolCallQuery({}, now);
    expect(def.invalid).toEqual([]);
    expect(def.query.window).toEqual({ from: ago(DAY), to: now });
    expect(def.query.dir).toBe("desc");
    expect(parseToolCallQuery({ range: "7d" }, now).query.window.from).toEqual(ago(7 * DAY));
    const explicit = parseToolCallQuery({ from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00.000Z" }, now).query.window;
    expect(explicit).toEqual({ from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-01-02T00:00:00Z") });
    expect(parseToolCallQuery({ range: "2y", decision: "maybe", gateway: "nope", pageSize: "500", sort: "agent_name" }, now).invalid.sort()).toEqual([
      "decision",
      "gateway",
      "pageSize",
      "range",
      "sort",
    ]);
    // A reversed or over-wide window is refused and falls back to the range: reads stay bounded.
    for (const bad of [
      { from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" },
      { from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" },
    ]) {
      const r = parseToolCallQuery(bad, now);
      expect(r.invalid.sort()).toEqual(["from", "to"]);
      expect(r.query.window).toEqual({ from: ago(DAY), to: now });
    }
  });

  it("filters by tool, range, agent id or name, gateway, decision and text", async () => {
    const names = async (params: Record<string, string>) => (await listToolCalls(q(params), { withParams: false })).rows.map((r) => `${r.agentName}@${r.occurredAt.getTime()}`);
    const key = (agent: string, at: Date) => `${agent}@${at.getTime()}`;

    expect(await names({ tool: T1 })).toEqual([key(a1.name, ago(HOUR)), key(a1.name, ago(2 * HOUR)), key(a2.name, ago(3 * HOUR)), key(ghost, ago(5 * HOUR))]);
    expect(await names({ tool: T1, dir: "asc" })).toEqual([key(ghost, ago(5 * HOUR)), key(a2.name, ago(3 * HOUR)), key(a1.name, ago(2 * HOUR)), key(a1.name, ago(HOUR))]);
    expect(await names({ tool: T1, range: "1h" })).toEqual([key(a1.name, ago(HOUR))]);
    expect(await names({ tool: T1, range: "7d" })).toHaveLength(5);
    expect(await names({ tool: T1, agent: a1.id })).toEqual([key(a1.name, ago(HOUR)), key(a1.name, ago(2 * HOUR))]);
    expect(await names({ tool: T1, agent: a1.id.toUpperCase() })).toHaveLength(2);
    expect(await names({ agent: ghost })).toEqual([key(ghost, ago(5 * HOUR))]);
    expect(await names({ gateway: g2.id })).toEqual([key(a2.name, ago(30 * MIN)), key(a2.name, ago(3 * HOUR))]);
    expect(await names({ tool: T1, decision: "blocked" })).toEqual([key(a1.name, ago(2 * HOUR))]);
    expect(await names({ q: `${tag}-REASON` })).toEqual([key(a1.name, ago(2 * HOUR))]);
    expect(await names({ q: `${tag}-err` })).toEqual([key(a2.name, ago(3 * HOUR))]);
    expect(await names({ q: `WEB.FETCH-${tag}` })).toEqual([key(a2.name, ago(30 * MIN))]);
    expect(await names({ q: ghost, range: "1h" })).toEqual([]);
    // LIKE wildcards in the text are literal characters.
    expect(await names({ q: `fs_read-${tag}` })).toEqual([]);
    expect(await names({ q: `%${tag}` })).toEqual([]);
    expect(await names({ tool: T1, from: ago(4 * HOUR).toISOString(), to: ago(90 * MIN).toISOString() })).toEqual([key(a1.name, ago(2 * HOUR)), key(a2.name, ago(3 * HOUR))]);
  });

  it("pages with a total, inside the time bound", async () => {
    const page2 = await listToolCalls(q({ tool: T1, pageSize: "2", page: "2" }), { withParams: false });
    expect(page2.total).toBe(4);
    expect(page2.rows.map((r) => r.agentName)).toEqual([a2.name, ghost]);
    expect(page2.rows[0]).toMatchObject({ toolVersion: "1.0.0", egressHosts: ["api.example.com"], durationMs: 12, gatewayName: expect.stringMatching(/^gw-/) });
    expect(typeof page2.rows[0].id).toBe("string");
    const csv = await listToolCalls(q({ tool: T1, pageSize: "1", page: "3" }), { withParams: false, all: true });
    expect(csv.rows).toHaveLength(4);
  });

  it("never selects params or results without withParams", async () => {
    const meta = await listToolCalls(q({ tool: T1 }), { withParams: paramsAllowed("manager") });
    expect(meta.rows.length).toBe(4);
    for (const r of meta.rows) {
      expect(r).not.toHaveProperty("params");
      expect(r).not.toHaveProperty("result");
    }
    expect(JSON.stringify(meta)).not.toContain("REDACTED");
    const full = await listToolCalls(q({ tool: T1 }), { withParams: true });
    expect(full.rows[0]).toMatchObject({ params: { path: "/tmp/x", token: "[REDACTED]" }, result: { ok: true } });

    const row = meta.rows[0];
    const detail = await getToolCall(row.id, row.occurredAt, { withParams: false });
    expect(detail).toMatchObject({ id: row.id, agentName: a1.name, toolName: T1 });
    expect(detail).not.toHaveProperty("params");
    expect(await getToolCall(row.id, row.occurredAt, { withParams: true })).toMatchObject({ params: { token: "[REDACTED]" } });
    // The occurredAt is part of the key: a wrong one finds nothing; junk ids are refused.
    expect(await getToolCall(row.id, ago(7 * HOUR), { withParams: true })).toBeNull();
    expect(await getToolCall("99999999999999999999", row.occurredAt, { withParams: true })).toBeNull();
    expect(await getToolCall("1;drop table tool_calls", row.occurredAt, { withParams: true })).toBeNull();
  });

  it("only roles with tool_calls:read_params see params (managers never do)", () => {
    expect(paramsAllowed("manager")).toBe(false);
    expect(paramsAllowed(null)).toBe(false);
    for (const role of ["admin", "security_lead", "operator", "auditor"] as const) expect(paramsAllowed(role)).toBe(true);
  });

  it("agentsByTool returns exactly the agents that called the tool in the window, with counts", async () => {
    const rows = await agentsByTool(T1, DAY, now);
    expect(rows).toEqual([
      { agentId: a1.id, agentName: a1.name, calls: 2, blocked: 1, lastAt: ago(HOUR) },
      ...[
        { agentId: a2.id, agentName: a2.name, calls: 1, blocked: 0, lastAt: ago(3 * HOUR) },
        { agentId: null, agentName: ghost, calls: 1, blocked: 0, lastAt: ago(5 * HOUR) },
      ].sort((x, y) => x.agentName.localeCompare(y.agentName)),
    ]);
    expect((await agentsByTool(T1, 7 * DAY, now))[0]).toMatchObject({ agentId: a1.id, calls: 3 });
    expect(await agentsByTool(T2, HOUR, now)).toEqual([{ agentId: a2.id, agentName: a2.name, calls: 1, blocked: 0, lastAt: ago(30 * MIN) }]);
    expect(await agentsByTool(`${T1.toUpperCase()}`, DAY, now)).toEqual([]);
    expect(await agentsByTool(`' or 1=1 --`, DAY, now)).toEqual([]);
  });

  it("lists recent tool names for the picker", async () => {
    const tools = await listRecentToolNames(7, now);
    expect(tools).toEqual(expect.arrayContaining([T1, T2, `${T1}-extra`]));
  });

  it("counts calls and blocks per UTC hour, every hour present", async () => {
    const tool = `series-${rid()}`;
    const hourStart = Math.floor(now.getTime() / HOUR) * HOUR;
    const at = (hoursBack: number, minute: number) => new Date(hourStart - hoursBack * HOUR + minute * MIN);
    const base = { gatewayId: g1.id, agentId: a1.id, agentName: a1.name, toolName: tool };
    await seedCalls([
      { ...base, at: at(2, 0) },
      { ...base, at: at(2, 5), blocked: true, blockReason: "policy" },
      { ...base, at: at(2, 59.9) },
      { ...base, at: at(5, 30), blocked: true, blockReason: "policy" },
      { ...base, at: at(30, 0) }, // outside 24h
    ]);
    const query = q({ tool });
    const series = await toolCallSeries(query);
    expect(series[0].hour).toBe(new Date(Math.floor(ago(DAY).getTime() / HOUR) * HOUR).toISOString());
    expect(series.at(-1)!.hour).toBe(new Date(hourStart).toISOString());
    expect(series).toHaveLength(25);
    const byHour = Object.fromEntries(series.filter((p) => p.calls > 0).map((p) => [p.hour, p]));
    expect(byHour).toEqual({
      [new Date(hourStart - 5 * HOUR).toISOString()]: { hour: new Date(hourStart - 5 * HOUR).toISOString(), calls: 1, blocked: 1 },
      [new Date(hourStart - 2 * HOUR).toISOString()]: { hour: new Date(hourStart - 2 * HOUR).toISOString(), calls: 3, blocked: 1 },
    });
    // The series and the list apply the same filters.
    for (const params of [{ tool, decision: "blocked" } as Record<string, string>, { q: tag }, { gateway: g2.id }, { agent: ghost }, { agent: a1.id, range: "7d" }, { q: `${tag}%` }]) {
      const sq = q(params);
      const total = (await toolCallSeries(sq)).reduce((n, p) => n + p.calls, 0);
      expect(total, JSON.stringify(params)).toBe((await listToolCalls(sq, { withParams: false })).total);
    }
  });

  it("counts and charts through the hourly rollup exactly as a full scan would, for windows that start and end mid-hour", async () => {
    const tool = `rollup-${rid()}`;
    const base = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 3 * HOUR + 23 * MIN); // a fixed "now", mid-hour
    let seedState = 11;
    const rand = () => (seedState = (seedState * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const calls: CallSeed[] = [];
    for (let i = 0; i < 300; i++) {
      const pick = Math.floor(rand() * 3);
      const [gatewayId, agentId, agentName] = pick === 0 ? [g1.id, a1.id, a1.name] : pick === 1 ? [g2.id, a2.id, a2.name] : [g1.id, null, ghost];
      calls.push({
        at: new Date(base.getTime() - Math.floor(rand() * 2 * DAY) + (i % 10 === 0 ? 20 * MIN : 0)),
        gatewayId,
        agentId,
        agentName,
        toolName: rand() < 0.7 ? tool : `${tool}-b`,
        blocked: rand() < 0.2,
      });
    }
    await seedCalls(calls);
    const views: Record<string, string>[] = [
      { tool },
      { tool, decision: "blocked" },
      { tool, agent: a1.id },
      { tool, gateway: g1.id },
      { tool, gateway: g2.id, decision: "allowed" },
      { tool, range: "1h" },
      { tool, range: "7d" },
      { tool, from: new Date(base.getTime() - 30 * HOUR - 7 * MIN).toISOString(), to: new Date(base.getTime() - 2 * HOUR - 50 * MIN).toISOString() },
      { tool, from: new Date(base.getTime() - 50 * MIN).toISOString(), to: new Date(base.getTime() - 10 * MIN).toISOString() },
      { tool, agent: ghost },
      { q: tool },
      // Only time and decision: the fleet-wide rollup (every call of this test file's database).
      {},
      { decision: "blocked" },
      { range: "7d" },
      { range: "1h" },
      { from: new Date(base.getTime() - 30 * HOUR - 7 * MIN).toISOString(), to: new Date(base.getTime() - 2 * HOUR - 50 * MIN).toISOString(), decision: "allowed" },
    ];
    for (const params of views) {
      const query = parseToolCallQuery(params, base).query;
      const like = `%${query.q ?? ""}%`;
      const [{ n }] = await db.$queryRaw<{ n: bigint }[]>`
        select count(*) as n from tool_calls where occurred_at >= ${query.window.from} and occurred_at <= ${query.window.to}
           and (${query.tool ?? null}::text is null or tool_name = ${query.tool ?? null})
           and (${query.q ?? null}::text is null or tool_name ilike ${like} or agent_name ilike ${like} or block_reason ilike ${like} or error ilike ${like})
           and (${query.decision ?? null}::text is null or decision::text = ${query.decision ?? null})
           and (${query.gateway ?? null}::text is null or gateway_id::text = ${query.gateway ?? null})
           and (${query.agent ?? null}::text is null or agent_id::text = ${query.agent ?? null} or agent_name = ${query.agent ?? null})`;
      const page = await listToolCalls(query, { withParams: false });
      expect(page.total, JSON.stringify(params)).toBe(Number(n));
      expect(page.totalCapped).toBe(false);
      const series = await toolCallSeries(query);
      expect(
        series.reduce((sum, p) => sum + p.calls, 0),
        JSON.stringify(params),
      ).toBe(Number(n));
      // The explorer page: the same rows and series, the total summed from the series.
      const explorer = await explorerPage(query);
      expect(explorer.page, JSON.stringify(params)).toEqual({ ...page, totalCapped: false });
      expect(explorer.series).toEqual(series);
      const perHour = await db.$queryRaw<{ hour: Date; calls: number; blocked: number }[]>`
        select date_trunc('hour', occurred_at at time zone 'UTC') at time zone 'UTC' as hour, count(*)::int as calls, (count(*) filter (where decision = 'blocked'))::int as blocked
          from tool_calls where occurred_at >= ${query.window.from} and occurred_at <= ${query.window.to}
           and (${query.tool ?? null}::text is null or tool_name = ${query.tool ?? null})
           and (${query.q ?? null}::text is null or tool_name ilike ${like} or agent_name ilike ${like} or block_reason ilike ${like} or error ilike ${like})
           and (${query.decision ?? null}::text is null or decision::text = ${query.decision ?? null})
           and (${query.gateway ?? null}::text is null or gateway_id::text = ${query.gateway ?? null})
           and (${query.agent ?? null}::text is null or agent_id::text = ${query.agent ?? null} or agent_name = ${query.agent ?? null})
         group by 1`;
      expect(
        series.filter((p) => p.calls > 0),
        JSON.stringify(params),
      ).toEqual(perHour.map((r) => ({ hour: new Date(r.hour).toISOString(), calls: r.calls, blocked: r.blocked })).sort((x, y) => x.hour.localeCompare(y.hour)));
    }
  });

  it("counts the current hour from the rollup, less calls dated after now, exactly as a full scan would", async () => {
    const tool = `hot-${rid()}`;
    const t = Date.now();
    const hourEnd = Math.ceil((t + 1) / HOUR) * HOUR;
    const later = new Date(t + Math.max(1_000, Math.floor((hourEnd - t) / 2))); // after now, in the current hour (or just past it)
    const calls: CallSeed[] = [];
    for (let i = 0; i < 40; i++) calls.push({ at: new Date(t - i * 97_000), gatewayId: g1.id, agentId: a1.id, agentName: a1.name, toolName: tool, blocked: i % 4 === 0 });
    // A gateway whose clock runs ahead: calls dated after Warden's "now", in this hour and the next.
    calls.push({ at: later, gatewayId: g1.id, agentId: a1.id, agentName: a1.name, toolName: tool }, { at: later, gatewayId: g2.id, agentId: a2.id, agentName: a2.name, toolName: tool, blocked: true });
    calls.push({ at: new Date(hourEnd + 10 * MIN), gatewayId: g1.id, agentId: a1.id, agentName: a1.name, toolName: tool });
    await seedCalls(calls);
    for (const params of [{ tool }, { tool, range: "1h" }, { tool, decision: "blocked" }, { tool, gateway: g1.id }, {}, { range: "1h" }] as Record<string, string>[]) {
      const query = parseToolCallQuery(params).query;
      const perHour = await db.$queryRaw<{ hour: Date; calls: number; blocked: number }[]>`
        select date_trunc('hour', occurred_at at time zone 'UTC') at time zone 'UTC' as hour, count(*)::int as calls, (count(*) filter (where decision = 'blocked'))::int as blocked
          from tool_calls where occurred_at >= ${query.window.from} and occurred_at <= ${query.window.to}
           and (${query.tool ?? null}::text is null or tool_name = ${query.tool ?? null})
           and (${query.decision ?? null}::text is null or decision::text = ${query.decision ?? null})
           and (${query.gateway ?? null}::text is null or gateway_id::text = ${query.gateway ?? null})
         group by 1`;
      const expected = perHour.map((r) => ({ hour: new Date(r.hour).toISOString(), calls: r.calls, blocked: r.blocked })).sort((x, y) => x.hour.localeCompare(y.hour));
      const { page, series } = await explorerPage(query);
      expect(
        series.filter((p) => p.calls > 0),
        JSON.stringify(params),
      ).toEqual(expected);
      expect(page.total, JSON.stringify(params)).toBe(expected.reduce((n, r) => n + r.calls, 0));
      expect((await listToolCalls(query, { withParams: false })).total, JSON.stringify(params)).toBe(page.total);
    }
  });

  it("stops counting at COUNT_CAP when the rollup cannot count the view, and says so", async () => {
    const tag = rid();
    await db.$executeRaw`
      insert into tool_calls (occurred_at, gateway_id, event_id, agent_name, tool_name, decision, block_reason)
      select now() - (i || ' seconds')::interval, ${g1.id}::uuid, 'cap-' || ${tag} || '-' || i, 'cap-agent', 'cap-tool', 'blocked', 'cap ' || ${tag}
        from generate_series(1, ${COUNT_CAP + 5}) as i`;
    const text = await listToolCalls(parseToolCallQuery({ q: `cap ${tag}` }).query, { withParams: false });
    expect(text).toMatchObject({ total: COUNT_CAP + 1, totalCapped: true });
    expect(text.rows).toHaveLength(50);
    // The same calls counted by the rollup are exact.
    const exact = await listToolCalls(parseToolCallQuery({ tool: "cap-tool", gateway: g1.id }).query, { withParams: false });
    expect(exact).toMatchObject({ total: COUNT_CAP + 5, totalCapped: false });
    // The explorer page sums its hourly series, which counts every call: exact for a text search too.
    expect((await explorerPage(parseToolCallQuery({ q: `cap ${tag}` }).query)).page).toMatchObject({ total: COUNT_CAP + 5, totalCapped: false });
  });

  it("keeps the explorer's pickers 30 s per process, then reads them again", async () => {
    const t0 = Date.now() + 3_600_000; // clear of any earlier call's cache entry
    const [tools0] = await explorerPickers(t0);
    const name = `picker-new-${rid()}`;
    await seedCalls([{ at: ago(10 * MIN), gatewayId: g1.id, agentId: a1.id, agentName: a1.name, toolName: name }]);
    expect((await explorerPickers(t0 + 29_000))[0]).toEqual(tools0);
    expect((await explorerPickers(t0 + 31_000))[0]).toContain(name);
  });

  it("lists recent tool and agent names for the pickers from the rollup", async () => {
    const tag = rid();
    const g = await makeGateway();
    const a = await makeAgent(g.id);
    await seedCalls([
      { at: ago(2 * HOUR), gatewayId: g.id, agentId: a.id, agentName: `${a.name}-old-name`, toolName: `pick-a-${tag}` },
      { at: ago(1 * HOUR), gatewayId: g.id, agentId: a.id, agentName: a.name, toolName: `pick-b-${tag}` },
      { at: ago(3 * HOUR), gatewayId: g.id, agentId: null, agentName: `unregistered-${tag}`, toolName: `pick-b-${tag}` },
      { at: ago(9 * DAY), gatewayId: g.id, agentId: null, agentName: `too-old-${tag}`, toolName: `pick-old-${tag}` },
    ]);
    const tools = await listRecentToolNames(7, now);
    expect(tools.filter((t) => t.endsWith(tag))).toEqual([`pick-a-${tag}`, `pick-b-${tag}`]);
    expect(tools).toEqual([...tools].sort((x, y) => (x < y ? -1 : 1)));
    const agentNames = await listRecentAgentNames(7, now);
    expect(agentNames).toEqual(expect.arrayContaining([a.name, `unregistered-${tag}`]));
    expect(agentNames).not.toContain(`too-old-${tag}`);
    expect(agentNames).not.toContain(`${a.name}-old-name`);
    expect((await listRecentToolNames(30, now)).filter((t) => t.endsWith(tag))).toEqual([`pick-a-${tag}`, `pick-b-${tag}`, `pick-old-${tag}`]);
  });

  it("parses since as Nh or Nd up to 30d", () => {
    expect(parseSince("24h")).toBe(DAY);
    expect(parseSince("1h")).toBe(HOUR);
    expect(parseSince("30d")).toBe(30 * DAY);
    for (const bad of ["0h", "31d", "721h", "1w", "24", "h", "-1h", "", null, undefined]) expect(parseSince(bad)).toBeNull();
  });

  describe("API routes", () => {
    it("GET /api/v1/tool-calls gives a manager metadata only, and an auditor params", async () => {
      const { GET } = await import("@/app/api/v1/tool-calls/route");
      const url = `http://warden.test/api/v1/tool-calls?tool=${encodeURIComponent(T1)}`;
      asRole("manager");
      const res = await GET(new Request(url));
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ total: 4, paramsVisible: false });
      expect(body.data[0]).not.toHaveProperty("params");
      expect(JSON.stringify(body)).not.toContain("REDACTED");

      asRole("auditor");
      const full = await (await GET(new Request(url))).json();
      expect(full.paramsVisible).toBe(true);
      expect(full.data[0].params).toEqual({ path: "/tmp/x", token: "[REDACTED]" });

      const csv = await GET(new Request(`${url}&format=csv`));
      expect(csv.headers.get("content-type")).toContain("text/csv");
      const text = await csv.text();
      expect(text.trim().split("\r\n")).toHaveLength(5);
      expect(text).not.toContain("REDACTED");
      expect(text).not.toContain("params");

      expect((await GET(new Request(`${url}&decision=maybe`))).status).toBe(400);
      session.actor = null;
      expect((await GET(new Request(url))).status).toBe(401);
    });

    it("GET /api/v1/tool-calls/{id} hides params from managers", async () => {
      const { GET } = await import("@/app/api/v1/tool-calls/[id]/route");
      const [row] = (await listToolCalls(q({ tool: T1 }), { withParams: false })).rows;
      const call = (id: string, at: string) => GET(new Request(`http://warden.test/api/v1/tool-calls/${id}?at=${encodeURIComponent(at)}`), { params: Promise.resolve({ id }) });
      asRole("manager");
      const m = await (await call(row.id, row.occurredAt.toISOString())).json();
      expect(m).toMatchObject({ paramsVisible: false, data: { id: row.id, toolName: T1 } });
      expect(m.data).not.toHaveProperty("params");
      asRole("operator");
      expect((await (await call(row.id, row.occurredAt.toISOString())).json()).data.params).toMatchObject({ token: "[REDACTED]" });
      expect((await call(row.id, "yesterday")).status).toBe(400);
      expect((await call(row.id, ago(9 * DAY).toISOString())).status).toBe(404);
    });

    it("GET /api/v1/tool-calls/agents-by-tool answers and validates", async () => {
      const { GET } = await import("@/app/api/v1/tool-calls/agents-by-tool/route");
      asRole("manager");
      const res = await GET(new Request(`http://warden.test/api/v1/tool-calls/agents-by-tool?tool=${encodeURIComponent(T1)}&since=24h`));
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ tool: T1, since: "24h" });
      expect(body.agents.map((a: { agentName: string; calls: number }) => [a.agentName, a.calls])).toEqual(
        expect.arrayContaining([
          [a1.name, 2],
          [a2.name, 1],
          [ghost, 1],
        ]),
      );
      expect(body.agents).toHaveLength(3);
      for (const bad of ["since=24h", `tool=${T1}&since=31d`, `tool=${T1}&since=1w`, `tool=${"x".repeat(201)}`]) {
        const r = await GET(new Request(`http://warden.test/api/v1/tool-calls/agents-by-tool?${bad}`));
        expect(r.status, bad).toBe(400);
      }
    });
  });
});
