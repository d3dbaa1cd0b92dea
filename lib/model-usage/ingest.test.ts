import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST } from "@/app/api/v1/connector/usage/route";
import { breakerIdle } from "@/lib/spend/breaker";

// Ingesting priced calls wakes the breaker: let it finish before the database goes.
afterAll(() => breakerIdle());

async function makeGateway() {
  const secret = generateSigningSecret();
  const gateway = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  return { gateway, secret };
}
type Gw = Awaited<ReturnType<typeof makeGateway>>;

async function send(g: Gw, payload: unknown, opts: { secret?: string } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const res = await POST(
    new Request("http://x/api/v1/connector/usage", {
      method: "POST",
      headers: { ...signedHeaders(opts.secret ?? g.secret, body), "x-warden-gateway": g.gateway.id, "content-type": "application/json" },
      body,
    }),
  );
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; fieldErrors?: Record<string, string[]> } } };
}

const call = (over: Record<string, unknown> = {}) => ({
  eventId: `run-${rid()}.llm`,
  occurredAt: new Date().toISOString(),
  agentId: "main",
  agentName: "support-bot",
  sessionKey: "agent:main:main",
  runId: `run-${rid()}`,
  provider: "openai",
  model: "gpt-4o",
  tokensIn: 1_000_000,
  tokensOut: 100_000,
  ...over,
});
const rowsOf = (gatewayId: string) => db.modelCall.findMany({ where: { gatewayId }, orderBy: { eventId: "asc" } });
const text = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? String(x) : x));
const rollupOf = (gatewayId: string) => db.modelUsageDaily.findMany({ where: { gatewayId }, orderBy: [{ provider: "asc" }, { model: "asc" }] });

describe("POST /api/v1/connector/usage", () => {
  it("stores a signed batch (202), prices calls without a cost from the table, keeps the gateway's cost, marks unknown models unpriced", async () => {
    const g = await makeGateway();
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, externalId: "main", owner: "t", purpose: "t", gatewayId: g.gateway.id } });
    const priced = call({ cacheReadTokens: 2_000_000, cacheWriteTokens: 0, fallback: true, primaryModel: "anthropic/claude-opus-4-5" });
    const gatewayCost = call({ provider: "anthropic", model: "claude-sonnet-4-5-20250929", costUsd: 0.1234 });
    const dated = call({ provider: "Anthropic", model: "claude-sonnet-4-5-20250929", tokensIn: 1_000_000, tokensOut: 0 });
    const unknown = call({ provider: "acme", model: "secret-model-9", agentId: "other", agentName: "stranger" });
    const res = await send(g, { calls: [priced, gatewayCost, dated, unknown] });
    expect(res).toEqual({ status: 202, json: { accepted: 4, duplicates: 0, rejected: [] } });

    const rows = await rowsOf(g.gateway.id);
    const by = new Map(rows.map((r) => [r.eventId, r]));
    // gpt-4o: 1M in × $2.50 + 100k out × $10 + 2M cache reads × $1.25 = 2.50 + 1.00 + 2.50
    expect(by.get(priced.eventId)).toMatchObject({
      costSource: "price_table",
      agentId: agent.id,
      fallback: true,
      primaryModel: "anthropic/claude-opus-4-5",
      cacheReadTokens: 2_000_000,
      runId: priced.runId,
      sessionKey: "agent:main:main",
    });
    expect(by.get(priced.eventId)!.costUsd!.toFixed()).toBe("6");
    expect(by.get(gatewayCost.eventId)).toMatchObject({ costSource: "gateway" });
    expect(by.get(gatewayCost.eventId)!.costUsd!.toFixed()).toBe("0.1234");
    // A dated snapshot is priced like its model (claude-sonnet-4-5: $3 per million input tokens), provider compared lower-case.
    expect(by.get(dated.eventId)).toMatchObject({ costSource: "price_table" });
    expect(by.get(dated.eventId)!.costUsd!.toFixed()).toBe("3");
    // Unknown model: unpriced, cost null (never a silent $0); an unknown agent is stored unattributed.
    expect(by.get(unknown.eventId)).toMatchObject({ costSource: "unpriced", costUsd: null, agentId: null, agentName: "stranger" });

    const rollup = await rollupOf(g.gateway.id);
    // Provider and model are stored lower-case: "Anthropic" and "anthropic" are one row.
    expect(rollup.map((r) => [r.provider, r.model, r.calls, r.fallbackCalls, r.unpricedCalls, r.costUsd.toFixed()])).toEqual([
      ["acme", "secret-model-9", 1, 0, 1, "0"],
      ["anthropic", "claude-sonnet-4-5-20250929", 2, 0, 0, "3.1234"],
      ["openai", "gpt-4o", 1, 1, 0, "6"],
    ]);
    // Telemetry, not a mutation: no audit event per call.
    expect(await db.auditEvent.count({ where: { actorId: g.gateway.id } })).toBe(0);
  });

  it("does not price a model from a different model that merely shares a prefix, and takes a 0 cost with tokens as unpriced by the gateway", async () => {
    const g = await makeGateway();
    const pro = call({ model: "gpt-5-pro" }); // not gpt-5
    const zero = call({ model: "gpt-4o-mini", costUsd: 0, tokensIn: 1_000_000, tokensOut: 0 });
    const free = call({ model: "gpt-4o-mini", costUsd: 0, tokensIn: 0, tokensOut: 0 });
    expect((await send(g, { calls: [pro, zero, free] })).json).toMatchObject({ accepted: 3 });
    const by = new Map((await rowsOf(g.gateway.id)).map((r) => [r.eventId, r]));
    expect(by.get(pro.eventId)).toMatchObject({ costSource: "unpriced", costUsd: null });
    expect(by.get(zero.eventId)).toMatchObject({ costSource: "price_table" });
    expect(by.get(zero.eventId)!.costUsd!.toFixed()).toBe("0.15");
    expect(by.get(free.eventId)).toMatchObject({ costSource: "gateway" });
  });

  it("validates each call on its own: bad calls are rejected with field errors, the good ones stored", async () => {
    const g = await makeGateway();
    const good = call();
    const res = await send(g, {
      calls: [
        good,
        call({ tokensIn: -1 }),
        call({ tokensOut: 1.5 }),
        call({ provider: "" }),
        call({ model: "x".repeat(201) }),
        call({ occurredAt: "yesterday" }),
        call({ costUsd: -0.01 }),
        call({ agentName: "a\u0000b" }),
        call({ fallback: "yes" }),
        "not an object",
        { eventId: "only-id" },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(1);
    const rejected = res.json.rejected as { index: number; eventId?: string; errors: Record<string, string[]> }[];
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Object.keys(rejected[0].errors)).toEqual(["tokensIn"]);
    expect(Object.keys(rejected[1].errors)).toEqual(["tokensOut"]);
    expect(Object.keys(rejected[2].errors)).toEqual(["provider"]);
    expect(Object.keys(rejected[3].errors)).toEqual(["model"]);
    expect(Object.keys(rejected[4].errors)).toEqual(["occurredAt"]);
    expect(Object.keys(rejected[5].errors)).toEqual(["costUsd"]);
    expect(Object.keys(rejected[6].errors)).toEqual(["agentName"]);
    expect(Object.keys(rejected[7].errors)).toEqual(["fallback"]);
    expect(rejected[9]).toMatchObject({ eventId: "only-id" });
    expect(Object.keys(rejected[9].errors).sort()).toEqual(["agentName", "model", "occurredAt", "provider", "tokensIn", "tokensOut"]);
    expect((await rowsOf(g.gateway.id)).map((r) => r.eventId)).toEqual([good.eventId]);
  });

  it("refuses a bad envelope with 400 and field errors, storing nothing; an unsigned or mis-signed request is 401", async () => {
    const g = await makeGateway();
    for (const body of ["{", { calls: [] }, { calls: "x" }, {}, { calls: Array.from({ length: 1001 }, () => call()) }]) {
      const res = await send(g, body);
      expect(res.status, JSON.stringify(res.json).slice(0, 200)).toBe(400);
      expect(res.json.error?.code).toBe("invalid");
    }
    expect((await send(g, { calls: [] })).json.error?.fieldErrors).toHaveProperty("calls");
    expect((await send(g, { calls: [call()] }, { secret: generateSigningSecret() })).status).toBe(401);
    expect(await db.modelCall.count({ where: { gatewayId: g.gateway.id } })).toBe(0);
  });

  it("is idempotent per (gateway, eventId): a re-sent batch, a repeat within a batch and concurrent batches count each call once", async () => {
    const g = await makeGateway();
    const calls = Array.from({ length: 40 }, (_, i) => call({ eventId: `r${i}.llm`, tokensIn: 1000, tokensOut: 100 }));
    expect((await send(g, { calls: [calls[0], calls[0]] })).json).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    // Six concurrent senders of overlapping batches (a retry racing its original).
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => send(g, { calls: i % 2 ? calls : [...calls].reverse() })));
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(results.reduce((n, r) => n + (r.json.accepted as number), 0)).toBe(39);
    expect(results.reduce((n, r) => n + (r.json.duplicates as number), 0)).toBe(6 * 40 - 39);
    expect(await db.modelCall.count({ where: { gatewayId: g.gateway.id } })).toBe(40);
    const [rollup] = await rollupOf(g.gateway.id);
    // 40 × (1000 × $2.50 + 100 × $10) / 1M = 40 × 0.0035
    expect([rollup.calls, Number(rollup.tokensIn), rollup.costUsd.toFixed()]).toEqual([40, 40_000, "0.14"]);
    // The same eventId from another gateway is another call.
    const other = await makeGateway();
    expect((await send(other, { calls: [calls[0]] })).json).toMatchObject({ accepted: 1 });
  });

  it("stores text Postgres refuses (a lone surrogate) as U+FFFD instead of failing the batch", async () => {
    const g = await makeGateway();
    const body = JSON.stringify({ calls: [call({ eventId: "lone.llm", agentName: "bot", model: "gpt-4o" })] }).replace('"agentName":"bot"', '"agentName":"bot\\ud800"');
    expect(body).toContain("bot\\ud800");
    const res = await send(g, body);
    expect(res).toEqual({ status: 202, json: { accepted: 1, duplicates: 0, rejected: [] } });
    expect((await rowsOf(g.gateway.id))[0].agentName).toBe("bot\ufffd");
  });

  it("stores nothing credential-shaped: keys are replaced by a digest, free text redacted", async () => {
    const g = await makeGateway();
    const key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0".repeat(3);
    const c = call({ eventId: `${key}.llm`, runId: key, sessionKey: `agent:main:${key}`, model: `gpt-4o ${key}`, primaryModel: `openai/${key}`, agentName: `bot ${key}` });
    expect((await send(g, { calls: [c] })).json).toMatchObject({ accepted: 1 });
    const [row] = await rowsOf(g.gateway.id);
    expect(text(row)).not.toContain("A1b2C3d4E5f6G7h8I9j0");
    expect(row.eventId).toMatch(/^redacted:[0-9a-f]{32}$/);
    // Re-sending the same call is still a duplicate.
    expect((await send(g, { calls: [c] })).json).toMatchObject({ accepted: 0, duplicates: 1 });
    const rollup = await rollupOf(g.gateway.id);
    expect(text(rollup)).not.toContain("A1b2C3d4E5f6G7h8I9j0");
  });
});

describe("retention", () => {
  it("drops model calls past the tool-call retention window and keeps their daily rollup", async () => {
    const { applyRetention } = await import("@/lib/tool-calls/retention");
    const g = await makeGateway();
    const old = call({ occurredAt: new Date(Date.now() - 100 * 86_400_000).toISOString() });
    const fresh = call();
    expect((await send(g, { calls: [old, fresh] })).json).toMatchObject({ accepted: 2 });
    await applyRetention(90);
    expect((await rowsOf(g.gateway.id)).map((r) => r.eventId)).toEqual([fresh.eventId]);
    expect(await db.modelUsageDaily.count({ where: { gatewayId: g.gateway.id } })).toBe(2);
  });
});
