import { describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { REDACTED } from "@/lib/redact";
import { rid } from "@/test/factories";
import { generateSigningSecret } from "@/lib/connector/signature";
import { toolSpansOf } from "./otlp";
import { POST } from "@/app/api/v1/otlp/v1/traces/route";

const OPENAI_KEY = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0f";

async function makeGateway(data: { previousSecret?: string; previousSecretUntil?: Date } = {}) {
  const secret = generateSigningSecret();
  const gateway = await db.gateway.create({
    data: {
      name: `gw-${rid()}`,
      kind: "openclaw",
      environment: "test",
      signingSecretEnc: seal(secret),
      ...(data.previousSecret ? { previousSecretEnc: seal(data.previousSecret), previousSecretUntil: data.previousSecretUntil } : {}),
    },
  });
  return { gateway, secret };
}

type Opts = { token?: string; headers?: Record<string, string>; gzip?: boolean };
async function send(g: { gateway: { id: string }; secret: string }, payload: unknown, opts: Opts = {}) {
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  const body = opts.gzip ? gzipSync(text) : text;
  const res = await POST(
    new Request("http://x/api/v1/otlp/v1/traces", {
      method: "POST",
      headers: {
        authorization: `Bearer ${opts.token ?? `${g.gateway.id}.${g.secret}`}`,
        "content-type": "application/json",
        ...(opts.gzip ? { "content-encoding": "gzip" } : {}),
        ...opts.headers,
      },
      body,
    }),
  );
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string }; partialSuccess?: { rejectedSpans: number; errorMessage: string } } };
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
type Attr = { key: string; value: Record<string, unknown> };
const str = (key: string, value: string): Attr => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): Attr => ({ key, value: { intValue: String(value) } });
const nanosOf = (ms: number) => `${BigInt(ms) * 1_000_000n + 123_456n}`;

type SpanOpts = { toolName?: string | null; callId?: string; args?: string; result?: string; startMs?: number; durationMs?: number; status?: { code: number; message?: string }; extra?: Attr[] };
function toolSpan(traceId: string, o: SpanOpts = {}) {
  const start = o.startMs ?? Date.now() - 5_000;
  return {
    traceId,
    spanId: hex(8),
    parentSpanId: hex(8),
    name: `execute_tool ${o.toolName ?? "unknown"}`,
    kind: 1,
    startTimeUnixNano: nanosOf(start),
    endTimeUnixNano: nanosOf(start + (o.durationMs ?? 250)),
    attributes: [
      str("gen_ai.operation.name", "execute_tool"),
      ...(o.toolName === null ? [] : [str("gen_ai.tool.name", o.toolName ?? "web_fetch")]),
      str("gen_ai.tool.call.id", o.callId ?? `call_${rid()}`),
      str("gen_ai.tool.type", "function"),
      ...(o.args !== undefined ? [str("gen_ai.tool.call.arguments", o.args)] : []),
      ...(o.result !== undefined ? [str("gen_ai.tool.call.result", o.result)] : []),
      str("gen_ai.agent.id", "main"),
      str("gen_ai.agent.name", "support-bot"),
      str("gen_ai.conversation.id", "conv_42"),
      ...(o.extra ?? []),
    ],
    status: o.status ?? { code: 1 },
  };
}

/** A realistic export: one resource, a chat span and the tool spans it led to. */
function exportOf(spans: unknown[], traceId = hex(16)) {
  const chat = {
    traceId,
    spanId: hex(8),
    name: "chat gpt-4o",
    kind: 3,
    startTimeUnixNano: nanosOf(Date.now() - 9_000),
    endTimeUnixNano: nanosOf(Date.now() - 6_000),
    attributes: [str("gen_ai.operation.name", "chat"), str("gen_ai.request.model", "gpt-4o"), int("gen_ai.usage.input_tokens", 900), int("gen_ai.usage.output_tokens", 40)],
    status: { code: 0 },
  };
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "support-service"), str("telemetry.sdk.language", "python")] },
        scopeSpans: [{ scope: { name: "opentelemetry.instrumentation.openai_agents", version: "0.1.0" }, spans: [chat, ...spans] }],
      },
    ],
  };
}

const stored = (gatewayId: string) => db.toolCall.findMany({ where: { gatewayId }, orderBy: { occurredAt: "asc" } });

describe("POST /api/v1/otlp/v1/traces", () => {
  it("stores the execute_tool spans as tool calls (chat spans ignored), parsed and redacted", async () => {
    const g = await makeGateway();
    const traceId = hex(16);
    const t0 = Date.now() - 5_000;
    const fetch = toolSpan(traceId, {
      toolName: "web_fetch",
      callId: "call_fetch_1",
      startMs: t0,
      durationMs: 412,
      args: JSON.stringify({ url: "https://docs.example.com/pricing", headers: { "x-api": `Bearer ${OPENAI_KEY}` }, note: `use ${OPENAI_KEY}` }),
      result: JSON.stringify({ status: 200, bytes: 18233 }),
      extra: [int("gen_ai.usage.input_tokens", 1200), int("gen_ai.usage.output_tokens", 310)],
    });
    const exec = toolSpan(traceId, {
      toolName: "exec",
      callId: "call_exec_2",
      startMs: t0 + 1_000,
      durationMs: 3,
      args: "rm -rf / --no-preserve-root", // not JSON: kept as sent
      status: { code: 2, message: "denied by policy" },
      extra: [str("warden.decision", "blocked"), str("warden.block_reason", "exec is not allowlisted")],
    });
    const res = await send(g, exportOf([fetch, exec], traceId));
    expect(res).toEqual({ status: 200, json: {} });

    const rows = await stored(g.gateway.id);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      eventId: "call_fetch_1",
      toolName: "web_fetch",
      agentId: null,
      agentName: "support-bot",
      sessionKey: "conv_42",
      result: { status: 200, bytes: 18233 },
      decision: "allowed",
      blockReason: null,
      error: null,
      durationMs: 412,
      tokensIn: 1200,
      tokensOut: 310,
    });
    // Nanoseconds are truncated to the column's millisecond precision.
    expect(rows[0].occurredAt.toISOString()).toBe(new Date(t0).toISOString());
    expect(rows[0].params).toMatchObject({ url: "https://docs.example.com/pricing", note: `use ${REDACTED}` });
    expect(JSON.stringify(rows.map((r) => r.params))).not.toContain(OPENAI_KEY);
    expect(rows[1]).toMatchObject({
      eventId: "call_exec_2",
      toolName: "exec",
      params: "rm -rf / --no-preserve-root",
      result: null,
      decision: "blocked",
      blockReason: "exec is not allowlisted",
      error: "denied by policy",
      durationMs: 3,
      tokensIn: null,
    });

    const gw = await db.gateway.findUniqueOrThrow({ where: { id: g.gateway.id } });
    expect(gw.lastSeenAt).not.toBeNull();
  });

  it("maps warden.decision not_run and warden.policy_decision (a call the gateway refused before it ran)", async () => {
    const g = await makeGateway();
    const traceId = hex(16);
    const spans = [
      toolSpan(traceId, {
        toolName: "exec",
        callId: "call_nr_1",
        status: { code: 2, message: "Validation failed" },
        extra: [str("warden.decision", "not_run"), str("warden.policy_decision", "blocked"), str("warden.block_reason", "exec is not allowlisted")],
      }),
      toolSpan(traceId, { toolName: "web_fetch", callId: "call_nr_2", extra: [str("warden.decision", "not_run"), str("warden.policy_decision", "allowed"), str("warden.block_reason", "ignored")] }),
      toolSpan(traceId, { toolName: "web_fetch", callId: "call_nr_3", extra: [str("warden.decision", "allowed"), str("warden.policy_decision", "blocked")] }),
    ];
    expect(await send(g, exportOf(spans, traceId))).toEqual({ status: 200, json: {} });
    const rows = (await stored(g.gateway.id)).sort((a, b) => a.eventId.localeCompare(b.eventId));
    expect(rows.map((r) => [r.eventId, r.decision, r.policyDecision, r.blockReason])).toEqual([
      ["call_nr_1", "not_run", "blocked", "exec is not allowlisted"],
      ["call_nr_2", "not_run", "allowed", null],
      ["call_nr_3", "allowed", null, null],
    ]);
  });

  it("stores nothing twice when the same export is re-sent", async () => {
    const g = await makeGateway();
    const payload = exportOf([toolSpan(hex(16)), toolSpan(hex(16), { toolName: "search" })]);
    expect(await send(g, payload)).toEqual({ status: 200, json: {} });
    expect(await send(g, payload)).toEqual({ status: 200, json: {} });
    expect(await stored(g.gateway.id)).toHaveLength(2);
  });

  it("stores the valid span and reports the malformed one as a partial success", async () => {
    const g = await makeGateway();
    const bad = toolSpan(hex(16), { toolName: null });
    const res = await send(g, exportOf([toolSpan(hex(16), { toolName: "web_search", callId: "call_ok" }), bad]));
    expect(res.status).toBe(200);
    expect(res.json.partialSuccess?.rejectedSpans).toBe(1);
    expect(res.json.partialSuccess?.errorMessage).toContain(`span ${bad.spanId}: toolName`);
    expect((await stored(g.gateway.id)).map((r) => r.eventId)).toEqual(["call_ok"]);
  });

  it("falls back to the span id and the resource's service.name", async () => {
    const g = await makeGateway();
    const span = toolSpan(hex(16));
    span.attributes = span.attributes.filter((a) => !["gen_ai.tool.call.id", "gen_ai.agent.name"].includes(a.key));
    expect(await send(g, exportOf([span]))).toEqual({ status: 200, json: {} });
    const [row] = await stored(g.gateway.id);
    expect(row).toMatchObject({ eventId: span.spanId, agentName: "support-service" });
  });

  it("attributes spans to the gateway's agent by gen_ai.agent.id", async () => {
    const g = await makeGateway();
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, externalId: "main", gatewayId: g.gateway.id, owner: "ops", purpose: "test" } });
    expect(await send(g, exportOf([toolSpan(hex(16))]))).toEqual({ status: 200, json: {} });
    expect((await stored(g.gateway.id))[0].agentId).toBe(agent.id);
  });

  it("answers 200 {} for an export without tool spans, and accepts gzip", async () => {
    const g = await makeGateway();
    expect(await send(g, exportOf([]))).toEqual({ status: 200, json: {} });
    expect(await send(g, {})).toEqual({ status: 200, json: {} });
    expect(await send(g, exportOf([toolSpan(hex(16))]), { gzip: true })).toEqual({ status: 200, json: {} });
    expect(await stored(g.gateway.id)).toHaveLength(1);
  });

  it("accepts the previous secret during its grace period only", async () => {
    const old = generateSigningSecret();
    const live = await makeGateway({ previousSecret: old, previousSecretUntil: new Date(Date.now() + 60_000) });
    expect((await send(live, exportOf([toolSpan(hex(16))]), { token: `${live.gateway.id}.${old}` })).status).toBe(200);
    const expired = await makeGateway({ previousSecret: old, previousSecretUntil: new Date(Date.now() - 1_000) });
    expect((await send(expired, exportOf([toolSpan(hex(16))]), { token: `${expired.gateway.id}.${old}` })).status).toBe(401);
    expect(await stored(expired.gateway.id)).toHaveLength(0);
  });

  it.each([
    ["a wrong secret", (g: { gateway: { id: string } }) => ({ token: `${g.gateway.id}.${generateSigningSecret()}` }), "unauthenticated"],
    ["no secret", (g: { gateway: { id: string } }) => ({ token: g.gateway.id }), "unauthenticated"],
    ["no authorization header", () => ({ headers: { authorization: "" } }), "unauthenticated"],
    ["a Basic credential", () => ({ headers: { authorization: "Basic dXNlcjpwYXNz" } }), "unauthenticated"],
    ["an unknown gateway", (g: { secret: string }) => ({ token: `${randomUUID()}.${g.secret}` }), "unknown_gateway"],
  ] as const)("refuses %s with 401 and stores nothing", async (_label, opts, code) => {
    const g = await makeGateway();
    const res = await send(g, exportOf([toolSpan(hex(16))]), opts(g));
    expect(res.status).toBe(401);
    expect(res.json.error?.code).toBe(code);
    expect(await stored(g.gateway.id)).toHaveLength(0);
    expect((await db.gateway.findUniqueOrThrow({ where: { id: g.gateway.id } })).lastSeenAt).toBeNull();
  });

  it.each([["application/x-protobuf"], ["text/plain"]])("refuses Content-Type %s with 415", async (type) => {
    const g = await makeGateway();
    const res = await send(g, exportOf([toolSpan(hex(16))]), { headers: { "content-type": type } });
    expect(res.status).toBe(415);
    expect(JSON.stringify(res.json)).toContain("protobuf is not supported");
    expect(await stored(g.gateway.id)).toHaveLength(0);
  });

  it("refuses a body over 4 MiB with 413, compressed or not", async () => {
    const g = await makeGateway();
    const big = exportOf([toolSpan(hex(16), { args: JSON.stringify({ blob: "x".repeat(4 * 1024 * 1024) }) })]);
    expect(await send(g, big)).toMatchObject({ status: 413, json: { error: { code: "too_large" } } });
    expect(await send(g, big, { gzip: true })).toMatchObject({ status: 413, json: { error: { code: "too_large" } } });
    expect(await stored(g.gateway.id)).toHaveLength(0);
  });

  it.each([
    ["invalid JSON", "{resourceSpans: "],
    ["a bare array", "[]"],
    ["resourceSpans not an array", { resourceSpans: {} }],
  ])("refuses %s with 400 invalid", async (_label, payload) => {
    const g = await makeGateway();
    expect(await send(g, payload)).toMatchObject({ status: 400, json: { error: { code: "invalid" } } });
  });
});

describe("toolSpansOf", () => {
  it("maps OTLP AnyValue types and selects spans by operation name or span name", () => {
    const spans = toolSpansOf({
      resourceSpans: [
        {
          resource: { attributes: [str("gen_ai.agent.id", "from-resource")] },
          scopeSpans: [
            {
              spans: [
                {
                  spanId: "a1",
                  name: "execute_tool lookup",
                  startTimeUnixNano: "1767225600000000000",
                  endTimeUnixNano: "1767225600002500000",
                  attributes: [
                    str("gen_ai.tool.name", "lookup"),
                    { key: "gen_ai.usage.input_tokens", value: { intValue: 7 } },
                    {
                      key: "gen_ai.tool.call.arguments",
                      value: { kvlistValue: { values: [{ key: "ids", value: { arrayValue: { values: [{ intValue: "1" }, { doubleValue: 2.5 }, { boolValue: true }] } } }] } },
                    },
                  ],
                  status: { code: "STATUS_CODE_ERROR" },
                },
                { spanId: "b2", name: "tool", attributes: [str("gen_ai.operation.name", "execute_tool"), str("gen_ai.tool.name", "t")] },
                { spanId: "c3", name: "chat", attributes: [str("gen_ai.operation.name", "chat")] },
                "not a span",
              ],
            },
          ],
        },
      ],
    });
    expect(spans.map((s) => s.spanId)).toEqual(["a1", "b2"]);
    expect(spans[0].event).toEqual({
      eventId: "a1",
      occurredAt: "2026-01-01T00:00:00.000Z",
      agentId: "from-resource",
      agentName: "from-resource",
      toolName: "lookup",
      params: { ids: [1, 2.5, true] },
      decision: "allowed",
      durationMs: 2,
      error: "error",
      tokensIn: 7,
    });
    // No start time: left out, so that validation rejects the span.
    expect(spans[1].event.occurredAt).toBeUndefined();
  });
});
