// A tool call's detail (GET /api/v1/tool-calls/{id}, the explorer's drawer) lists the model calls
// the gateway reported for the same run (runId from the event id `<toolCallId>@<runId>.decision`).
import { afterAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { rid } from "@/test/factories";
import { breakerIdle } from "@/lib/spend/breaker";
import { ingestUsage } from "./ingest";
import { runIdOfEventId } from "./queries";

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
afterAll(() => breakerIdle());

describe("tool call detail: model usage of the same run", () => {
  it("reads the run id from the event id", () => {
    expect(runIdOfEventId("call_1@run-abc.decision")).toBe("run-abc");
    expect(runIdOfEventId("call_1@run@x.result")).toBe("x");
    expect(runIdOfEventId("plain-event")).toBeNull();
    expect(runIdOfEventId("call_1@run-abc.other")).toBeNull();
  });

  it("GET /api/v1/tool-calls/{id} returns the run's model calls of the same gateway only", async () => {
    const { GET } = await import("@/app/api/v1/tool-calls/[id]/route");
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test" } });
    const other = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test" } });
    const at = new Date(Date.now() - 60_000);
    const call = await db.toolCall.create({ data: { occurredAt: at, gatewayId: gw.id, eventId: "tc1@run-7.decision", agentName: "bot", toolName: "read", decision: "allowed", egressHosts: [] } });
    const base = { occurredAt: at.toISOString(), agentName: "bot", provider: "openai", tokensIn: 100, tokensOut: 10 };
    await ingestUsage(
      gw,
      JSON.stringify({
        calls: [
          { ...base, eventId: "run-7.llm", runId: "run-7", model: "gpt-4o" },
          { ...base, eventId: "run-7.llm.2", runId: "run-7", model: "mystery-1", fallback: true, primaryModel: "openai/gpt-4o" },
          { ...base, eventId: "run-8.llm", runId: "run-8", model: "gpt-4o" },
        ],
      }),
    );
    await ingestUsage(other, JSON.stringify({ calls: [{ ...base, eventId: "run-7.llm", runId: "run-7", model: "gpt-5" }] }));

    session.actor = { kind: "user", userId: undefined, label: "manager@test.local", role: "manager", ip: null, userAgent: null };
    const id = String(call.id);
    const res = await GET(new Request(`http://warden.test/api/v1/tool-calls/${id}?at=${encodeURIComponent(at.toISOString())}`), { params: Promise.resolve({ id }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.runId).toBe("run-7");
    expect(
      body.modelUsage.map((m: { eventId: string; model: string; costSource: string; costUsd: string | null; fallback: boolean }) => [m.eventId, m.model, m.costSource, m.costUsd, m.fallback]),
    ).toEqual([
      ["run-7.llm", "gpt-4o", "price_table", "0.00035", false],
      ["run-7.llm.2", "mystery-1", "unpriced", null, true],
    ]);
  });
});
