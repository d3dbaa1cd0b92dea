// The list exports served by API routes (agents, tools, the tool-call explorer) with hostile
// cells, read back with a real CSV parser. Integrations, data flows and the evidence bundle are
// covered in their own tests the same way (test/csv.ts).
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { makeAgent, makeGateway, rid } from "@/test/factories";
import { HOSTILE_CELLS, csvColumn, expectSafeCsv, neutralised } from "@/test/csv";

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
session.actor = { kind: "user", userId: undefined, label: "auditor@test.local", role: "auditor", ip: "203.0.113.9", userAgent: "vitest" };

describe("CSV exports with hostile cells", () => {
  it("agents: every text cell quoted and neutralised", async () => {
    const gw = await makeGateway();
    const tag = rid();
    for (const [i, cell] of HOSTILE_CELLS.entries()) await db.agent.create({ data: { name: `${tag}-${i}`, owner: cell, purpose: cell, gatewayId: gw.id } });
    const { GET } = await import("@/app/api/v1/agents/route");
    const res = await GET(new Request(`http://warden.test/api/v1/agents?q=${tag}&pageSize=200&format=csv`));
    expect(res.status).toBe(200);
    const rows = expectSafeCsv(await res.text());
    expect(csvColumn(rows, "owner").sort()).toEqual(HOSTILE_CELLS.map(neutralised).sort());
    expect(csvColumn(rows, "purpose").sort()).toEqual(HOSTILE_CELLS.map(neutralised).sort());
  });

  it("tools: every text cell quoted and neutralised", async () => {
    const tag = rid();
    for (const [i, cell] of HOSTILE_CELLS.entries()) await db.tool.create({ data: { name: `${tag}-${i}`, kind: "tool", source: "npm", publisher: cell } });
    const { GET } = await import("@/app/api/v1/tools/route");
    const res = await GET(new Request(`http://warden.test/api/v1/tools?q=${tag}&pageSize=200&format=csv`));
    expect(res.status).toBe(200);
    const rows = expectSafeCsv(await res.text());
    expect(csvColumn(rows, "publisher").sort()).toEqual(HOSTILE_CELLS.map(neutralised).sort());
    expect(csvColumn(rows, "verified")).toEqual(HOSTILE_CELLS.map(() => "false"));
  });

  it("the tool-call explorer: every text cell quoted and neutralised", async () => {
    const gw = await makeGateway();
    const agent = await makeAgent(gw.id);
    const tool = `t-${rid()}`;
    await db.toolCall.createMany({
      data: HOSTILE_CELLS.map((cell, i) => ({
        gatewayId: gw.id,
        eventId: `ev-${rid()}-${i}`,
        occurredAt: new Date(Date.now() - i * 1000),
        agentId: agent.id,
        agentName: cell,
        toolName: tool,
        decision: "blocked" as const,
        blockReason: cell,
        sessionKey: cell,
        egressHosts: [],
      })),
    });
    const { GET } = await import("@/app/api/v1/tool-calls/route");
    const res = await GET(new Request(`http://warden.test/api/v1/tool-calls?tool=${tool}&format=csv`));
    expect(res.status).toBe(200);
    const rows = expectSafeCsv(await res.text());
    expect(rows).toHaveLength(HOSTILE_CELLS.length + 1);
    for (const col of rows[0].map((c) => c.value).filter((h) => ["agentName", "blockReason", "sessionKey"].includes(h))) {
      expect(csvColumn(rows, col).sort(), col).toEqual(HOSTILE_CELLS.map(neutralised).sort());
    }
  });
});
