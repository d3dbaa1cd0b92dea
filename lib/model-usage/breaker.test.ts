// The spend circuit breaker counts model spend that a gateway reports through
// POST /api/v1/connector/usage: on a real gateway (which reports no cost on tool calls) that is
// what pushes an agent over its budget.
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { Prisma } from "@/lib/generated/prisma/client";
import { rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST } from "@/app/api/v1/connector/usage/route";
import { breakerIdle, evaluateBudgets } from "@/lib/spend/breaker";
import { getSpendOverview, usageByDay, usageForDay } from "@/lib/spend/queries";
import { spend } from "@/lib/spend/test-fixtures";

afterAll(() => breakerIdle());

async function post(gatewayId: string, secret: string, calls: unknown[]) {
  const body = JSON.stringify({ calls });
  const res = await POST(
    new Request("http://x/api/v1/connector/usage", { method: "POST", headers: { ...signedHeaders(secret, body), "x-warden-gateway": gatewayId, "content-type": "application/json" }, body }),
  );
  return { status: res.status, json: await res.json() };
}

describe("spend breaker with model usage", () => {
  it("model calls reported through the endpoint push an agent over its budget and the breaker suspends it", async () => {
    const secret = generateSigningSecret();
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, externalId: "main", owner: "t", purpose: "t", gatewayId: gw.id } });
    const budget = await db.budget.create({ data: { agentId: agent.id, dailyUsd: new Prisma.Decimal("5.00"), onLimit: "suspend_agent" } });
    const now = new Date();
    // Tool calls without cost (what a real OpenClaw gateway sends) count nothing.
    await spend(gw.id, agent, now, [{ cost: null, tokensIn: null, tokensOut: null }]);
    expect((await evaluateBudgets({ now })).fired.filter((f) => f.budgetId === budget.id)).toEqual([]);

    // 1M input tokens of claude-sonnet-4-5 ($3) priced from the table: 60 %.
    const base = { occurredAt: now.toISOString(), agentId: "main", agentName: agent.name, provider: "anthropic", model: "claude-sonnet-4-5", tokensOut: 0 };
    expect(await post(gw.id, secret, [{ ...base, eventId: "r1.llm", runId: "r1", tokensIn: 1_000_000 }])).toMatchObject({ status: 202, json: { accepted: 1 } });
    const first = await evaluateBudgets({ now });
    expect(first.fired.filter((f) => f.budgetId === budget.id).map((f) => f.threshold)).toEqual([50]);
    expect((await usageForDay(now)).byAgent.get(agent.id)?.costUsd.toFixed()).toBe("3");

    // A gateway-priced call ($2.50) takes it to 110 %: 75, 90 and 100 fire and the agent is suspended.
    expect(await post(gw.id, secret, [{ ...base, eventId: "r2.llm", runId: "r2", tokensIn: 10, costUsd: 2.5 }])).toMatchObject({ status: 202, json: { accepted: 1 } });
    const second = await evaluateBudgets({ now });
    const mine = second.fired.filter((f) => f.budgetId === budget.id);
    expect(mine.map((f) => f.threshold)).toEqual([75, 90, 100]);
    expect(mine.at(-1)).toMatchObject({ spentUsd: "5.5", containmentError: null });
    const action = await db.containmentAction.findUniqueOrThrow({ where: { id: mine.at(-1)!.containmentActionId! } });
    expect(action).toMatchObject({ scope: "agent", action: "suspend_agent", source: "breaker" });

    // Re-sending the same report adds nothing (idempotent), so nothing fires again.
    expect(await post(gw.id, secret, [{ ...base, eventId: "r2.llm", runId: "r2", tokensIn: 10, costUsd: 2.5 }])).toMatchObject({ json: { accepted: 0, duplicates: 1 } });
    expect((await usageForDay(now)).byAgent.get(agent.id)?.costUsd.toFixed()).toBe("5.5");

    // The spend views show the same figures, with the model share.
    const overview = await getSpendOverview(now);
    expect(overview.agents.find((a) => a.agentId === agent.id)).toMatchObject({ costUsd: "5.5", modelCostUsd: "5.5", modelCalls: 2, calls: 1, percent: 110 });
    const days = await usageByDay({ now, days: 30, agentId: agent.id });
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toMatchObject({ costUsd: "5.5", modelCostUsd: "5.5", toolCostUsd: "0", modelCalls: 2 });
  });

  it("an unpriced model counts no dollars but is counted as unpriced", async () => {
    const secret = generateSigningSecret();
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, externalId: "main", owner: "t", purpose: "t", gatewayId: gw.id } });
    const now = new Date();
    await post(gw.id, secret, [{ eventId: "u.llm", occurredAt: now.toISOString(), agentId: "main", agentName: agent.name, provider: "acme", model: "mystery", tokensIn: 5, tokensOut: 5 }]);
    const u = (await usageForDay(now)).byAgent.get(agent.id)!;
    expect([u.costUsd.toFixed(), u.modelCalls, u.unpricedModelCalls]).toEqual(["0", 1, 1]);
  });
});
