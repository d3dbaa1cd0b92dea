import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { REDACTED } from "@/lib/redact";
import { rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST } from "@/app/api/v1/connector/events/route";
import { parseEventFast, ZToolCallEvent } from "./ingest";

async function makeGateway() {
  const secret = generateSigningSecret();
  const gateway = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  return { gateway, secret };
}

type Opts = { id?: string; timestamp?: number; secret?: string; gatewayId?: string; headers?: Record<string, string> };
function request(gatewayId: string, secret: string, body: string, opts: Opts = {}) {
  return new Request("http://x/api/v1/connector/events", {
    method: "POST",
    headers: { ...signedHeaders(opts.secret ?? secret, body, opts), "x-warden-gateway": opts.gatewayId ?? gatewayId, "content-type": "application/json", ...opts.headers },
    body,
  });
}
async function send(g: { gateway: { id: string }; secret: string }, payload: unknown, opts: Opts = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const res = await POST(request(g.gateway.id, g.secret, body, opts));
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; fieldErrors?: Record<string, string[]> } } };
}

const event = (over: Record<string, unknown> = {}) => ({
  eventId: `evt-${rid()}`,
  occurredAt: new Date().toISOString(),
  agentName: "support-bot",
  toolName: "web_fetch",
  decision: "allowed",
  params: { url: "https://example.com" },
  durationMs: 120,
  egressHosts: ["example.com"],
  tokensIn: 10,
  tokensOut: 20,
  costUsd: 0.0012,
  ...over,
});
const stored = (gatewayId: string) => db.toolCall.findMany({ where: { gatewayId }, orderBy: { eventId: "asc" } });

describe("POST /api/v1/connector/events", () => {
  it("accepts a signed batch (202) and stores every field", async () => {
    const g = await makeGateway();
    const hash = "AB".repeat(32);
    const e = event({ sessionKey: "agent:main:dm:1", toolVersion: "1.2.0", toolHash: hash, result: { ok: true }, decision: "blocked", blockReason: "not allowlisted", error: "denied" });
    const res = await send(g, { events: [e, event()] });
    expect(res).toEqual({ status: 202, json: { accepted: 2, duplicates: 0, rejected: [] } });
    const rows = await stored(g.gateway.id);
    expect(rows).toHaveLength(2);
    const row = rows.find((r) => r.eventId === e.eventId)!;
    expect(row).toMatchObject({
      agentId: null,
      agentName: "support-bot",
      sessionKey: "agent:main:dm:1",
      toolName: "web_fetch",
      toolVersion: "1.2.0",
      toolHash: hash.toLowerCase(),
      params: { url: "https://example.com" },
      result: { ok: true },
      decision: "blocked",
      blockReason: "not allowlisted",
      error: "denied",
      durationMs: 120,
      egressHosts: ["example.com"],
      tokensIn: 10,
      tokensOut: 20,
    });
    expect(row.occurredAt.toISOString()).toBe(e.occurredAt);
    expect(row.costUsd?.toString()).toBe("0.0012");
    // Telemetry, not a mutation: no audit event per call.
    expect(await db.auditEvent.count({ where: { actorId: g.gateway.id } })).toBe(0);
  });

  it("stores a full batch of 1,000 events in one request", async () => {
    const g = await makeGateway();
    const events = Array.from({ length: 1000 }, (_, i) => event({ occurredAt: new Date(Date.now() - i * 60_000).toISOString() }));
    expect(await send(g, { events })).toEqual({ status: 202, json: { accepted: 1000, duplicates: 0, rejected: [] } });
    expect(await db.toolCall.count({ where: { gatewayId: g.gateway.id } })).toBe(1000);
  });

  it("creates the day partitions for the batch's days", async () => {
    const g = await makeGateway();
    const day = new Date(Date.now() - 3 * 86_400_000);
    const res = await send(g, { events: [event({ occurredAt: day.toISOString() })] });
    expect(res.status).toBe(202);
    const part = `tool_calls_${day.toISOString().slice(0, 10).replaceAll("-", "")}`;
    const [{ n }] = await db.$queryRaw<{ n: bigint }[]>`select count(*) as n from tool_calls_default where gateway_id = ${g.gateway.id}::uuid`;
    expect(Number(n)).toBe(0);
    const [{ reg }] = await db.$queryRaw<{ reg: string | null }[]>`select to_regclass(${part})::text as reg`;
    expect(reg).toBe(part);
  });

  it.each([
    ["bad signature", () => ({ secret: generateSigningSecret() }), 401, "bad_signature"],
    ["stale timestamp", () => ({ timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }), 401, "stale_timestamp"],
    ["future timestamp", () => ({ timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }), 401, "stale_timestamp"],
    ["non-numeric timestamp", () => ({ headers: { "webhook-timestamp": "yesterday" } }), 400, "bad_timestamp"],
    ["missing signature", () => ({ headers: { "webhook-signature": "" } }), 401, "missing_headers"],
    ["unknown gateway", () => ({ gatewayId: randomUUID() }), 401, "unknown_gateway"],
    ["missing gateway header", () => ({ gatewayId: "" }), 401, "missing_gateway"],
  ] as const)("refuses a %s and stores nothing", async (_label, opts, status, code) => {
    const g = await makeGateway();
    const res = await send(g, { events: [event()] }, opts());
    expect(res.status).toBe(status);
    expect(res.json.error?.code).toBe(code);
    expect(await stored(g.gateway.id)).toHaveLength(0);
  });

  it("refuses a replayed webhook-id with 409", async () => {
    const g = await makeGateway();
    const body = JSON.stringify({ events: [event()] });
    const headers = signedHeaders(g.secret, body);
    const first = await send(g, body, { id: headers["webhook-id"], timestamp: Number(headers["webhook-timestamp"]) });
    expect(first.status).toBe(202);
    await db.toolCall.deleteMany({ where: { gatewayId: g.gateway.id } });
    const again = await send(g, body, { id: headers["webhook-id"], timestamp: Number(headers["webhook-timestamp"]) });
    expect(again).toMatchObject({ status: 409, json: { error: { code: "replayed" } } });
    expect(await stored(g.gateway.id)).toHaveLength(0);
  });

  it("refuses a body over 4 MiB with 413", async () => {
    const g = await makeGateway();
    const body = JSON.stringify({ events: [event({ params: { blob: "x".repeat(4 * 1024 * 1024) } })] });
    const res = await send(g, body);
    expect(res).toMatchObject({ status: 413, json: { error: { code: "too_large", maxBytes: 4 * 1024 * 1024 } } });
    expect(await stored(g.gateway.id)).toHaveLength(0);
  });

  it.each([
    ["invalid JSON", "{events: ", undefined],
    ["events not an array", { events: "many" }, ["events"]],
    ["no events", { events: [] }, ["events"]],
    ["too many events", { events: Array.from({ length: 1001 }, () => ({})) }, ["events"]],
    ["a bare array", [event()], ["_"]],
  ])("refuses %s with 400 invalid and stores nothing", async (_label, payload, fields) => {
    const g = await makeGateway();
    const res = await send(g, payload);
    expect(res.status).toBe(400);
    expect(res.json.error?.code).toBe("invalid");
    if (fields) expect(Object.keys(res.json.error?.fieldErrors ?? {})).toEqual(fields);
    expect(await stored(g.gateway.id)).toHaveLength(0);
  });

  it("stores nothing twice when a batch is re-sent under a new webhook-id", async () => {
    const g = await makeGateway();
    const events = [event(), event(), event()];
    expect((await send(g, { events })).json).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const again = await send(g, { events: [...events, event()] });
    expect(again).toEqual({ status: 202, json: { accepted: 1, duplicates: 3, rejected: [] } });
    // The same event twice within one batch counts once.
    const dup = event();
    expect((await send(g, { events: [dup, dup] })).json).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(await stored(g.gateway.id)).toHaveLength(5);
  });

  it("stores the valid events of a mixed batch and reports the invalid ones by index", async () => {
    const g = await makeGateway();
    const good = [event(), event()];
    const events = [
      good[0],
      event({ eventId: "bad-types", decision: "maybe", durationMs: -1, tokensIn: 1.5, egressHosts: "example.com" }),
      { toolName: 42 },
      event({ eventId: "future", occurredAt: new Date(Date.now() + 2 * 86_400_000).toISOString() }),
      event({ eventId: "not-a-date", occurredAt: "yesterday" }),
      event({ eventId: "big", params: { blob: "x".repeat(64 * 1024) } }),
      event({ eventId: "hash", toolHash: "abc" }),
      event({ eventId: "nul", error: "a\u0000b" }),
      event({ eventId: "x".repeat(201) }),
      "not an object",
      good[1],
    ];
    const res = await send(g, { events });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(2);
    const rejected = res.json.rejected as { index: number; eventId?: string; errors: Record<string, string[]> }[];
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rejected[0]).toMatchObject({ eventId: "bad-types" });
    expect(Object.keys(rejected[0].errors).sort()).toEqual(["decision", "durationMs", "egressHosts", "tokensIn"]);
    expect(rejected[1].eventId).toBeUndefined();
    expect(Object.keys(rejected[1].errors).sort()).toEqual(["agentName", "decision", "eventId", "occurredAt", "toolName"]);
    expect(Object.keys(rejected[2].errors)).toEqual(["occurredAt"]);
    expect(Object.keys(rejected[3].errors)).toEqual(["occurredAt"]);
    expect(Object.keys(rejected[4].errors)).toEqual(["params"]);
    expect(Object.keys(rejected[5].errors)).toEqual(["toolHash"]);
    expect(Object.keys(rejected[6].errors)).toEqual(["error"]);
    expect(Object.keys(rejected[7].errors)).toEqual(["eventId"]);
    expect(rejected[7].eventId).toHaveLength(200);
    expect(Object.keys(rejected[8].errors)).toEqual(["_"]);
    expect((await stored(g.gateway.id)).map((r) => r.eventId)).toEqual(good.map((e) => e.eventId).sort());
  });

  it("redacts credential-shaped strings in params, result, error and block reason before storage", async () => {
    const g = await makeGateway();
    const corpus = [
      "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0f",
      "sk-1234567890abcdefghijklmnopqrstuvwxyzABCD",
      "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEf",
      "AIzaSyA1234567890abcdefghijklmnopqrstuv",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
      "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
      "AKIAIOSFODNN7EXAMPLE",
      "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "wdn_Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eA",
      "s3cr3t-db-pass",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "abcdefghijklmnopqrstuvwxyz012345",
      "plain-value-under-a-secret-key",
    ];
    const params = {
      query: corpus.slice(0, 6).map((s) => `use ${s} please`),
      nested: { deep: [{ note: `key=${corpus[6]}` }, corpus[7]] },
      headers: { Authorization: "whatever", "x-note": `Bearer ${corpus[14]}` },
      dsn: `postgres://app:${corpus[12]}@db.internal:5432/prod`,
      apiKey: corpus[15],
    };
    const result = { text: `${corpus[8]} ${corpus[9]} ${corpus[10]}`, env: `aws_secret_access_key=${corpus[13]}`, list: [corpus[11]] };
    const e = event({ params, result, error: `failed with ${corpus[0]}`, blockReason: `leaked ${corpus[4]}` });
    expect((await send(g, { events: [e] })).json).toMatchObject({ accepted: 1 });
    const [row] = await stored(g.gateway.id);
    const text = JSON.stringify([row.params, row.result, row.error, row.blockReason]);
    for (const secret of corpus) expect(text, secret).not.toContain(secret);
    expect(text).toContain(REDACTED);
    expect(row.params).toMatchObject({ dsn: `postgres://${REDACTED}@db.internal:5432/prod`, apiKey: REDACTED });
    expect(row.error).toBe(`failed with ${REDACTED}`);
  });

  it("attributes events to the gateway's known agents by external id, Warden id or name", async () => {
    const g = await makeGateway();
    const other = await makeGateway();
    const mk = (gatewayId: string, externalId: string | null) => db.agent.create({ data: { name: `agent-${rid()}`, externalId, gatewayId, owner: "ops", purpose: "test" } });
    const [byExternal, byId, byName, foreign] = [await mk(g.gateway.id, "main"), await mk(g.gateway.id, null), await mk(g.gateway.id, null), await mk(other.gateway.id, "ext")];
    const events = [
      event({ agentId: "main", agentName: "whatever-the-gateway-calls-it" }),
      event({ agentId: byId.id, agentName: "x" }),
      event({ agentName: byName.name }),
      event({ agentId: "ext", agentName: foreign.name }), // another gateway's agent: not attributed
      event({ agentId: "nobody", agentName: "unknown-agent" }),
    ];
    expect((await send(g, { events })).json).toMatchObject({ accepted: 5 });
    const rows = await stored(g.gateway.id);
    const agentOf = (i: number) => rows.find((r) => r.eventId === events[i].eventId)!;
    expect(agentOf(0)).toMatchObject({ agentId: byExternal.id, agentName: "whatever-the-gateway-calls-it" });
    expect(agentOf(1).agentId).toBe(byId.id);
    expect(agentOf(2).agentId).toBe(byName.id);
    expect(agentOf(3)).toMatchObject({ agentId: null, agentName: foreign.name });
    expect(agentOf(4)).toMatchObject({ agentId: null, agentName: "unknown-agent" });
  });

  it("keeps an old backlog (default partition) and stays idempotent for it", async () => {
    const g = await makeGateway();
    const old = event({ occurredAt: "2020-01-02T03:04:05.678Z" });
    expect((await send(g, { events: [old] })).json).toMatchObject({ accepted: 1 });
    expect((await send(g, { events: [old] })).json).toMatchObject({ accepted: 0, duplicates: 1 });
    const [{ n }] = await db.$queryRaw<{ n: bigint }[]>`select count(*) as n from tool_calls_default where gateway_id = ${g.gateway.id}::uuid`;
    expect(Number(n)).toBe(1);
  });

  it("stores awkward text exactly: quotes, backslashes, commas, braces, NULL-like words, unicode, in every column", async () => {
    const g = await makeGateway();
    const awkward = ['a "quoted" word', "back\\slash \\", "comma, {brace} [bracket]", "NULL", "null", "", " padded ", "tab\tand\nnewline", "emoji 🛡️ ünïcødé 中文"];
    const events = awkward.map((text, i) =>
      event({
        agentName: text || "empty-name-not-allowed",
        sessionKey: text,
        toolName: `tool ${text}`,
        toolVersion: text.slice(0, 100),
        blockReason: text,
        error: text,
        egressHosts: [text || "x", `${text}.example.com`, "plain.example.com"],
        params: { text, nested: [text, { [text || "k"]: i }], n: i },
        result: text,
        costUsd: 0.000001 * (i + 1),
      }),
    );
    // The first half goes in by COPY; the second half arrives with the first half again, so its
    // COPY fails on the re-sent events and it goes in through the idempotent INSERT instead.
    expect((await send(g, { events: events.slice(0, 4) })).json).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
    expect((await send(g, { events })).json).toEqual({ accepted: awkward.length - 4, duplicates: 4, rejected: [] });
    const rows = await stored(g.gateway.id);
    expect(rows).toHaveLength(awkward.length);
    for (const [i, text] of awkward.entries()) {
      const row = rows.find((r) => r.eventId === events[i].eventId)!;
      expect(row, text).toMatchObject({
        agentName: text || "empty-name-not-allowed",
        sessionKey: text,
        toolName: `tool ${text}`,
        blockReason: text,
        error: text,
        egressHosts: [text || "x", `${text}.example.com`, "plain.example.com"],
        params: { text, nested: [text, { [text || "k"]: i }], n: i },
        result: text,
      });
      expect(row.costUsd?.toString()).toBe(String(Number((0.000001 * (i + 1)).toFixed(6))));
    }
  });

  it("stores optional fields left out as empty, and a batch that repeats stored events twice in a row", async () => {
    const g = await makeGateway();
    const bare = { eventId: `evt-${rid()}`, occurredAt: new Date().toISOString(), agentName: "bare", toolName: "t", decision: "allowed" };
    expect((await send(g, { events: [bare] })).json).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const [row] = await stored(g.gateway.id);
    expect(row).toMatchObject({
      agentId: null,
      sessionKey: null,
      toolVersion: null,
      toolHash: null,
      params: null,
      result: null,
      blockReason: null,
      durationMs: null,
      error: null,
      egressHosts: [],
      tokensIn: null,
      tokensOut: null,
      costUsd: null,
    });
    // Two concurrent re-sends of the same new events: exactly one copy is stored.
    const fresh = [event(), event()];
    const [a, b] = await Promise.all([send(g, { events: [bare, ...fresh] }), send(g, { events: [bare, ...fresh] })]);
    expect(Number(a.json.accepted) + Number(b.json.accepted)).toBe(2);
    expect(Number(a.json.duplicates) + Number(b.json.duplicates)).toBe(4);
    expect(await stored(g.gateway.id)).toHaveLength(3);
  });

  describe("parseEventFast (the validation fast path)", () => {
    const now = Date.now();
    const valid = [
      event(),
      event({
        decision: "blocked",
        blockReason: "no",
        error: "e",
        sessionKey: "",
        toolVersion: "",
        agentId: "a".repeat(200),
        toolHash: "Ab".repeat(32),
        result: null,
        params: [1, "x", { y: null }],
        egressHosts: [],
      }),
      event({ occurredAt: "2026-02-28T23:59:59+05:30", durationMs: 0, tokensIn: 2_147_483_647, costUsd: 999_999.999999 }),
      event({ occurredAt: "2024-02-29T00:00:00.123456Z", params: "a string", result: 42, egressHosts: Array.from({ length: 50 }, (_, i) => `h${i}`) }),
      event({ toolName: "sessions_send", targetAgentId: "beta" }),
      event({ targetAgentId: "t".repeat(200) }),
      { eventId: "x", occurredAt: "2026-01-01T00:00:00Z", agentName: "a", toolName: "t", decision: "allowed", extra: "ignored" },
    ];
    const invalid: unknown[] = [
      null,
      [],
      "event",
      42,
      event({ eventId: "" }),
      event({ eventId: "x".repeat(201) }),
      event({ eventId: 5 }),
      event({ eventId: "a\u0000b" }),
      event({ occurredAt: "2026-02-30T00:00:00Z" }),
      event({ occurredAt: "2026-01-01T00:00Z" }),
      event({ occurredAt: "2026-01-01 00:00:00Z" }),
      event({ occurredAt: "2026-01-01T00:00:00" }),
      event({ occurredAt: "2026-01-01T24:00:00Z" }),
      event({ occurredAt: "2026-01-01T00:00:00+24:00" }),
      event({ occurredAt: new Date(now + 2 * 86_400_000).toISOString() }),
      event({ occurredAt: 1700000000000 }),
      event({ agentId: "" }),
      event({ agentId: null }),
      event({ agentName: "" }),
      event({ agentName: undefined }),
      event({ toolName: "x".repeat(201) }),
      event({ sessionKey: "s".repeat(501) }),
      event({ toolVersion: "v".repeat(101) }),
      event({ toolHash: "ab" }),
      event({ toolHash: "g".repeat(64) }),
      event({ decision: "maybe" }),
      event({ decision: undefined }),
      event({ blockReason: "r".repeat(4001) }),
      event({ error: 1 }),
      event({ durationMs: -1 }),
      event({ durationMs: 1.5 }),
      event({ durationMs: 2_147_483_648 }),
      event({ tokensIn: "1" }),
      event({ tokensOut: null }),
      event({ costUsd: -0.01 }),
      event({ costUsd: 1_000_000 }),
      event({ costUsd: "0.1" }),
      event({ egressHosts: "example.com" }),
      event({ egressHosts: [""] }),
      event({ egressHosts: ["h".repeat(254)] }),
      event({ egressHosts: Array.from({ length: 51 }, () => "h") }),
      event({ params: { blob: "x".repeat(64 * 1024) } }),
      event({ result: { nul: "a\u0000b" } }),
      event({ targetAgentId: "" }),
      event({ targetAgentId: "t".repeat(201) }),
      event({ targetAgentId: 7 }),
      event({ targetAgentId: null }),
      event({ targetAgentId: "a\u0000b" }),
    ];

    it("accepts what the schema accepts, with the same output", () => {
      for (const e of valid) {
        const fast = parseEventFast(e, now);
        const slow = ZToolCallEvent.safeParse(e);
        expect(slow.success, JSON.stringify(e).slice(0, 120)).toBe(true);
        expect(fast, JSON.stringify(e).slice(0, 120)).not.toBeNull();
        expect(fast).toEqual(slow.data);
      }
    });

    it("never accepts what the schema rejects", () => {
      for (const e of invalid) {
        expect(ZToolCallEvent.safeParse(e).success, JSON.stringify(e)?.slice(0, 160)).toBe(false);
        expect(parseEventFast(e, now), JSON.stringify(e)?.slice(0, 160)).toBeNull();
      }
    });
  });

  it("batches sent at the same time are inserted together, each counted right, a re-sent one as duplicates", async () => {
    const a = await makeGateway();
    const b = await makeGateway();
    const batchA = Array.from({ length: 30 }, () => event());
    const batchB = Array.from({ length: 20 }, () => event({ agentName: "other-bot" }));
    // A's batch twice at once (a retry racing the original), B's, and A's again with 5 new events.
    const extra = Array.from({ length: 5 }, () => event());
    const results = await Promise.all([send(a, { events: batchA }), send(a, { events: batchA }), send(b, { events: batchB }), send(a, { events: [...batchA.slice(0, 10), ...extra] })]);
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    const [a1, a2, b1, a3] = results.map((r) => r.json as { accepted: number; duplicates: number });
    // Whichever request lands first stores an event; the others count it as a duplicate.
    expect(b1).toMatchObject({ accepted: 20, duplicates: 0 });
    expect(a3.accepted + a3.duplicates).toBe(15);
    expect(a3.accepted).toBeGreaterThanOrEqual(5); // its 5 new events are only in it
    expect(a1.accepted + a2.accepted).toBeGreaterThanOrEqual(20); // 20 of A's events are only in these two
    expect(a1.accepted + a2.accepted + a3.accepted).toBe(35); // every event of A stored once
    expect(a1.duplicates + a2.duplicates + a3.duplicates).toBe(30 + 30 + 15 - 35);
    expect(await db.toolCall.count({ where: { gatewayId: a.gateway.id } })).toBe(35);
    expect(await db.toolCall.count({ where: { gatewayId: b.gateway.id } })).toBe(20);
    // The rollup counted each stored call once.
    const rolled = await db.toolCallHourly.aggregate({ where: { gatewayId: a.gateway.id }, _sum: { calls: true } });
    expect(rolled._sum.calls).toBe(35);
  });

  it("stores a lone UTF-16 surrogate as U+FFFD, and leaves a literal backslash-u text alone", async () => {
    const g = await makeGateway();
    const e = event({ blockReason: "bad \ud800 char", params: { path: "C:\\ud800dir", note: "x\udfffy" }, decision: "blocked" });
    const res = await send(g, { events: [e] });
    expect(res).toMatchObject({ status: 202, json: { accepted: 1 } });
    // The same again beside a re-sent event: through the idempotent INSERT instead of COPY.
    const e2 = event({ blockReason: "bad \ud800 char", params: { path: "C:\\ud800dir", note: "x\udfffy" }, decision: "blocked" });
    expect((await send(g, { events: [e, e2] })).json).toMatchObject({ accepted: 1, duplicates: 1 });
    const rows = await stored(g.gateway.id);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.blockReason).toBe("bad \ufffd char");
      expect(row.params).toEqual({ path: "C:\\ud800dir", note: "x\ufffdy" });
    }
  });
});
