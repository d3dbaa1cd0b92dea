// Test-only helpers shared by the lib/spend/*.test.ts files (each file runs in its own database).
import { db } from "@/lib/db";
import { rid } from "@/test/factories";

export const DAY_MS = 86_400_000;

/** Noon UTC `daysAgo` days before today: each test uses its own day so fleet totals stay its own. */
export function noonUtc(daysAgo: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, 12));
}

export async function makeGateway() {
  return db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
}

export async function makeAgent(gatewayId: string) {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "spend tests", gatewayId }, select: { id: true, name: true, gatewayId: true } });
}

type Cost = string | { cost: string | null; tokensIn?: number | null; tokensOut?: number | null; at?: Date };

/** Tool calls with the given costs (decimal strings) for an agent (or unattributed), at `at` unless a call says otherwise. */
export async function spend(gatewayId: string, agent: { id: string; name: string } | null, at: Date, costs: Cost[]) {
  await db.toolCall.createMany({
    data: costs.map((c, i) => {
      const o = typeof c === "string" ? { cost: c } : c;
      return {
        occurredAt: o.at ?? new Date(at.getTime() + i),
        gatewayId,
        eventId: `ev-${rid()}`,
        agentId: agent?.id ?? null,
        agentName: agent?.name ?? `unregistered-${rid()}`,
        toolName: "llm.call",
        decision: "allowed" as const,
        egressHosts: [],
        tokensIn: o.tokensIn === undefined ? 100 : o.tokensIn,
        tokensOut: o.tokensOut === undefined ? 10 : o.tokensOut,
        costUsd: o.cost,
      };
    }),
  });
}
