import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { rid } from "@/test/factories";
import { computeFindings } from "@/lib/findings/compute";
import { breakerIdle } from "@/lib/spend/breaker";
import { ingestUsage } from "./ingest";

afterAll(() => breakerIdle());

const HOUR = 3_600_000;

async function setup(scope: "internal" | "external") {
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test" } });
  const agent = await db.agent.create({ data: { name: `agent-${rid()}`, externalId: "main", owner: "t", purpose: "t", gatewayId: gw.id, scope } });
  return { gw, agent };
}
let n = 0;
async function report(gatewayId: string, calls: Record<string, unknown>[]) {
  const body = calls.map((c) => ({ eventId: `e${++n}-${rid()}.llm`, occurredAt: new Date(Date.now() - HOUR).toISOString(), agentId: "main", agentName: "x", tokensIn: 10, tokensOut: 10, ...c }));
  const res = await ingestUsage({ id: gatewayId }, JSON.stringify({ calls: body }));
  expect(res).toMatchObject({ ok: true, value: { accepted: calls.length } });
}
const run = () => computeFindings({ since: new Date(Date.now() - 24 * HOUR) });
const findingsOf = (agentId: string) => db.finding.findMany({ where: { agentId, kind: "model_policy" }, orderBy: { title: "asc" } });

describe("model_policy findings", () => {
  it("one finding per (gateway, agent, model) a scope does not allow, from real model calls; none for allowed models", async () => {
    // Rules are global: each test uses its own scope/pattern space.
    await db.modelRule.createMany({
      data: [
        { scope: "external", pattern: "openai/*", status: "allowed" },
        { scope: "external", pattern: "openai/gpt-4o-mini", status: "denied" },
      ],
    });
    const { gw, agent } = await setup("external");
    await report(gw.id, [
      { provider: "openai", model: "gpt-4o" },
      { provider: "openai", model: "gpt-4o-mini" },
      { provider: "openai", model: "gpt-4o-mini" },
      { provider: "anthropic", model: "claude-sonnet-4-5" },
      { provider: "anthropic", model: "claude-sonnet-4-5" },
      { provider: "anthropic", model: "claude-sonnet-4-5" },
    ]);
    const first = await run();
    expect(first.counts.model_policy.created).toBeGreaterThanOrEqual(2);
    const found = await findingsOf(agent.id);
    expect(found.map((f) => [(f.detail as { model: string }).model, f.severity, (f.detail as { calls: number }).calls, (f.detail as { reasons: string[] }).reasons])).toEqual([
      ["anthropic/claude-sonnet-4-5", "high", 3, ["not_allowed"]],
      ["openai/gpt-4o-mini", "high", 2, ["not_allowed"]],
    ]);
    expect(found.every((f) => f.gatewayId === gw.id && f.toolName === null)).toBe(true);
    expect((found[0].detail as { sampleEventIds: string[] }).sampleEventIds).toHaveLength(3);

    // More calls, another run: the same findings are updated, never duplicated.
    await report(gw.id, [{ provider: "openai", model: "gpt-4o-mini" }]);
    await run();
    const again = await findingsOf(agent.id);
    expect(again.map((f) => f.id)).toEqual(found.map((f) => f.id));
    expect((again[1].detail as { calls: number }).calls).toBe(3);

    // The same model on another gateway's agent is its own finding.
    const other = await setup("external");
    await report(other.gw.id, [{ provider: "openai", model: "gpt-4o-mini" }]);
    await run();
    expect(await findingsOf(other.agent.id)).toHaveLength(1);
  });

  it("a fallback to a weaker model is a finding; the same model as primary, or a strong fallback, is not", async () => {
    const { gw, agent } = await setup("internal");
    await report(gw.id, [
      { provider: "openai", model: "gpt-4o-mini", fallback: true, primaryModel: "anthropic/claude-opus-4-5" },
      { provider: "openai", model: "gpt-4o-mini", fallback: true, primaryModel: "anthropic/claude-opus-4-5" },
      { provider: "google", model: "gemini-2.5-pro", fallback: true, primaryModel: "anthropic/claude-opus-4-5" },
      { provider: "anthropic", model: "claude-haiku-4-5" }, // a small model as primary: not a fallback finding
    ]);
    await run();
    const found = await findingsOf(agent.id);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "high", title: expect.stringContaining("fell back to openai/gpt-4o-mini") });
    expect(found[0].detail).toMatchObject({ model: "openai/gpt-4o-mini", reasons: ["weak_fallback"], fallbackCalls: 2, primaryModel: "anthropic/claude-opus-4-5" });
  });

  it("calls of agents not in the registry raise nothing (no scope to judge)", async () => {
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test" } });
    await report(gw.id, [{ provider: "openai", model: "gpt-4o-mini", fallback: true, primaryModel: "openai/gpt-5", agentId: "ghost", agentName: "ghost" }]);
    await run();
    expect(await db.finding.count({ where: { gatewayId: gw.id } })).toBe(0);
  });
});
