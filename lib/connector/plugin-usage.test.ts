// The OpenClaw plugin's model-usage reporting (connectors/openclaw/lib/usage.js): mapping of the
// llm_output hook to the usage wire format, fallback detection, what never leaves the gateway, and
// the durable spool that keeps records while Warden has no usage endpoint (404).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configuredPrimary, conversationAccessAllowed, createUsageReporter, usageRecord } from "../../connectors/openclaw/lib/usage.js";
import { createWardenClient } from "../../connectors/openclaw/lib/warden.js";

// An llm_output event and context as OpenClaw 2026.9.6 delivered them (a run with one tool call:
// two model calls, summed in `usage`; `lastAssistant.usage` is the last call only).
const runId = "132e9fa4-0457-4965-961e-8f9fe313c5be";
const realEvent = () => ({
  runId,
  sessionId: "9834d48f-fdc6-4f6d-be11-5752a7c3d183",
  provider: "fake",
  model: "fake-model",
  contextTokenBudget: 128000,
  resolvedRef: "fake/fake-model",
  harnessId: "openclaw",
  prompt: "deploy with token sk-live-PROMPTSECRET",
  assistantTexts: ["the password is hunter2-ASSISTANTSECRET"],
  lastAssistant: {
    role: "assistant",
    content: [{ type: "text", text: "the password is hunter2-ASSISTANTSECRET" }],
    provider: "fake",
    model: "fake-model",
    usage: { input: 1000, output: 300, cacheRead: 200, cacheWrite: 0, totalTokens: 1500, cost: { input: 0.003, output: 0.0045, cacheRead: 6e-5, cacheWrite: 0, total: 0.00756 } },
  },
  usage: { input: 2000, output: 600, cacheRead: 400, cacheWrite: 0, total: 3000, cost: { total: 0.01512 } },
});
const realCtx = () => ({
  runId,
  trace: { traceId: "1a1ae4d980279c4b94fa50e0f91b82ad", spanId: "2262d5dc3bbd98a1" },
  agentId: "main",
  sessionKey: "agent:main:main",
  sessionId: "9834d48f-fdc6-4f6d-be11-5752a7c3d183",
  workspaceDir: "/home/ops/secret-workspace",
  trigger: "user",
  senderId: "+15551230001",
});
const cfg = { agents: { defaults: { model: { primary: "fake/fake-model" } } } };
const now = new Date("2026-12-07T11:00:00.000Z");
let n = 0;
const freshRun = () => `run-${process.pid}-${++n}-${Math.random().toString(36).slice(2)}`;

describe("usageRecord (llm_output → usage wire format)", () => {
  it("maps a real llm_output report: summed tokens, the gateway's price, the run and session, not a fallback", () => {
    const r = usageRecord({ ...realEvent(), runId: "r-map-1" }, { ...realCtx(), runId: "r-map-1" }, { cfg, agentId: "main", agentName: "Main agent", now });
    expect(r).toEqual({
      eventId: "r-map-1.llm",
      occurredAt: "2026-12-07T11:00:00.000Z",
      agentId: "main",
      agentName: "Main agent",
      sessionKey: "agent:main:main",
      runId: "r-map-1",
      provider: "fake",
      model: "fake-model",
      tokensIn: 2000,
      tokensOut: 600,
      cacheReadTokens: 400,
      cacheWriteTokens: 0,
      primaryModel: "fake/fake-model",
      fallback: false,
      costUsd: 0.01512,
    });
  });

  it("a run reporting again gets <runId>.llm.2, .llm.3 (one idempotency key per report)", () => {
    const id = freshRun();
    const ids = [1, 2, 3].map(() => usageRecord({ ...realEvent(), runId: id }, realCtx(), { cfg, agentId: "main" })!.eventId);
    expect(ids).toEqual([`${id}.llm`, `${id}.llm.2`, `${id}.llm.3`]);
    // Without a run id: a random key, never a shared one.
    const a = usageRecord({ ...realEvent(), runId: undefined }, { agentId: "main" }, { cfg, agentId: "main", randomId: () => "rand-a" });
    expect(a?.eventId).toBe("rand-a.llm");
    expect(a?.runId).toBeUndefined();
  });

  it("never carries the prompt, the answer, the workspace path or the sender (whitelisted keys only)", () => {
    const r = usageRecord({ ...realEvent(), runId: freshRun() }, realCtx(), { cfg, agentId: "main" });
    const text = JSON.stringify(r);
    for (const secret of ["PROMPTSECRET", "ASSISTANTSECRET", "secret-workspace", "+15551230001", "1a1ae4d980279c4b94fa50e0f91b82ad", "sessionId"]) expect(text).not.toContain(secret);
    expect(Object.keys(r!).sort()).toEqual([
      "agentId",
      "agentName",
      "cacheReadTokens",
      "cacheWriteTokens",
      "costUsd",
      "eventId",
      "fallback",
      "model",
      "occurredAt",
      "primaryModel",
      "provider",
      "runId",
      "sessionKey",
      "tokensIn",
      "tokensOut",
    ]);
  });

  it("detects a fallback: the answering provider/model differs from the agent's configured primary", () => {
    const config = {
      agents: {
        defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: ["fake/fake-model"] }, models: { "openai/gpt-5.4": { alias: "gpt" } } },
        entries: { helper: { model: "fake/fake-model" }, aliased: { model: "GPT" }, unknownAlias: { model: "nope" } },
      },
    };
    const at = (agentId: string, event = realEvent()) => usageRecord({ ...event, runId: freshRun() }, { agentId }, { cfg: config, agentId });
    // main has no entry: the default primary applies; fake/fake-model is its fallback.
    expect(at("main")).toMatchObject({ fallback: true, primaryModel: "anthropic/claude-opus-4-6" });
    // helper's own primary (a string setting) is the answering model: not a fallback.
    expect(at("helper")).toMatchObject({ fallback: false, primaryModel: "fake/fake-model" });
    // As observed: helper's primary fake/broken-model failed (503), OpenClaw answered with its fallback.
    const observed = { agents: { defaults: { model: { primary: "fake/fake-model" } }, entries: { helper: { model: { primary: "fake/broken-model", fallbacks: ["fake/fake-model"] } } } } };
    expect(usageRecord({ ...realEvent(), runId: freshRun() }, { agentId: "helper" }, { cfg: observed, agentId: "helper" })).toMatchObject({
      provider: "fake",
      model: "fake-model",
      fallback: true,
      primaryModel: "fake/broken-model",
    });
    // Same model id under another provider is a different model.
    expect(at("helper", { ...realEvent(), provider: "other" })).toMatchObject({ fallback: true });
    // An alias resolves through agents.defaults.models.
    expect(at("aliased", { ...realEvent(), provider: "openai", model: "gpt-5.4" })).toMatchObject({ fallback: false, primaryModel: "openai/gpt-5.4" });
    // An unknown alias or no configured primary: unknown, so neither field is sent (not "false").
    const unknown = at("unknownAlias");
    expect(unknown && "fallback" in unknown).toBe(false);
    const none = usageRecord({ ...realEvent(), runId: freshRun() }, { agentId: "main" }, { cfg: {}, agentId: "main" });
    expect(none && ("fallback" in none || "primaryModel" in none)).toBe(false);
    // agents.list (array form) is read too.
    expect(configuredPrimary({ agents: { list: [{ id: "x", model: { primary: "a/b" } }] } }, "x")).toBe("a/b");
    // A prototype key is not an agent.
    expect(configuredPrimary({ agents: { entries: {} } }, "__proto__")).toBeUndefined();
  });

  it("sends a cost only when the gateway priced the run above zero, never a last-call price as the run's", () => {
    const cost = (usage: unknown, lastAssistant?: unknown) => usageRecord({ ...realEvent(), runId: freshRun(), usage, lastAssistant }, realCtx(), { cfg, agentId: "main" })?.costUsd;
    expect(cost({ input: 10, output: 5, cost: { total: 0 } })).toBeUndefined();
    expect(cost({ input: 10, output: 5, cost: { total: -1 } })).toBeUndefined();
    expect(cost({ input: 10, output: 5, cost: { total: "0.5" } })).toBeUndefined();
    expect(cost({ input: 10, output: 5, cost: { total: Number.NaN } })).toBeUndefined();
    expect(cost({ input: 10, output: 5 }, { usage: { cost: { total: 0.2 } } })).toBeUndefined();
    // No summed usage at all: the last assistant's usage (and price) is all there is.
    expect(cost(undefined, { usage: { input: 3, output: 1, cost: { total: 0.2 } } })).toBe(0.2);
  });

  it("bounds and cleans what it sends: tokens are non-negative integers, strings lose NUL and are capped", () => {
    const r = usageRecord(
      { runId: `r\u0000${"x".repeat(300)}`, provider: "p\u0000rov", model: "m".repeat(500), usage: { input: -5, output: 2.7, cacheRead: "9", cacheWrite: Number.POSITIVE_INFINITY } },
      { sessionKey: "s".repeat(900) },
      { cfg, agentId: "a".repeat(400) },
    )!;
    expect(r).toMatchObject({ provider: "prov", tokensIn: 0, tokensOut: 2, cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(r.model.length).toBe(200);
    expect(r.runId!.length).toBe(200);
    expect(r.runId).not.toContain("\u0000");
    expect(r.eventId.length).toBeLessThanOrEqual(200);
    expect(r.sessionKey!.length).toBe(500);
    expect(r.agentId!.length).toBe(200);
    // provider/model missing on the event: taken from resolvedRef.
    expect(usageRecord({ runId: freshRun(), resolvedRef: "openai/gpt-5.4", usage: { input: 1, output: 1 } }, {}, { cfg })).toMatchObject({
      provider: "openai",
      model: "gpt-5.4",
      agentName: "unknown",
    });
    // A failed attempt of the primary as OpenClaw reports it before falling back (no usage, error): skipped.
    expect(
      usageRecord(
        {
          runId: freshRun(),
          provider: "fake",
          model: "broken-model",
          lastAssistant: {
            role: "assistant",
            content: [],
            usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: { total: 0 } },
            stopReason: "error",
            errorMessage: "503 overloaded",
          },
        },
        {},
        { cfg },
      ),
    ).toBeUndefined();
    // No model and nothing counted: not a model call.
    expect(usageRecord({ runId: freshRun(), usage: {} }, {}, { cfg })).toBeUndefined();
    expect(usageRecord(null, {}, { cfg })).toBeUndefined();
  });

  it("knows whether OpenClaw lets the plugin have llm_output (hooks.allowConversationAccess: true)", () => {
    expect(conversationAccessAllowed({ plugins: { entries: { warden: { hooks: { allowConversationAccess: true } } } } }, "warden")).toBe(true);
    expect(conversationAccessAllowed({ plugins: { entries: { warden: { hooks: { allowConversationAccess: "true" } } } } }, "warden")).toBe(false);
    expect(conversationAccessAllowed({ plugins: { entries: { warden: { config: { hooks: { allowConversationAccess: true } } } } } }, "warden")).toBe(false);
    expect(conversationAccessAllowed({}, "warden")).toBe(false);
  });
});

describe("createUsageReporter (durable usage spool)", () => {
  const dirs: string[] = [];
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    for (const s of servers.splice(0)) s.close();
  });

  it("keeps records spooled while Warden answers 404 (logged once), then delivers them as { calls } and deletes them only after 202", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-usage-"));
    dirs.push(dir);
    let status = 404;
    const bodies: { path: string; body: { calls: { eventId: string }[] } }[] = [];
    const server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        bodies.push({ path: req.url ?? "", body: JSON.parse(raw) });
        if (status === 404) {
          res.writeHead(404, { "content-type": "text/html" });
          res.end("<html>not found</html>");
          return;
        }
        const calls = JSON.parse(raw).calls as unknown[];
        res.writeHead(202, { "content-type": "application/json" });
        res.end(JSON.stringify({ accepted: calls.length, duplicates: 0, rejected: [] }));
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    const client = createWardenClient({ wardenUrl: `http://127.0.0.1:${port}`, gatewayId: "00000000-0000-4000-8000-000000000001", signingSecret: "whsec_test" });
    const logs: string[] = [];
    const logger = { warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`), info: () => {} };
    const reporter = createUsageReporter({ dir, client, logger, pluginId: "warden", cfgOf: () => cfg, agentNameOf: (id) => (id === "main" ? "Main agent" : undefined) });

    const a = freshRun();
    const b = freshRun();
    reporter.onLlmOutput({ ...realEvent(), runId: a }, realCtx(), "main");
    reporter.onLlmOutput({ ...realEvent(), runId: b }, realCtx(), "main");
    for (let i = 0; i < 3; i++) await reporter.spool.flush({ force: true });
    expect(bodies.length).toBe(3);
    expect(bodies.every((x) => x.path === "/api/v1/connector/usage")).toBe(true);
    expect(reporter.spool.pending()).toBe(1); // nothing lost
    expect(logs.filter((l) => l.includes("404")).length).toBe(1); // said once, not at every retry
    expect(logs.filter((l) => l.includes("usage push failed")).length).toBe(0);

    // A reporter of a new process (restart) resumes from the same directory.
    const again = createUsageReporter({ dir, client, logger, pluginId: "warden", cfgOf: () => cfg, agentNameOf: () => undefined });
    status = 202;
    await again.spool.flush({ force: true });
    expect(again.spool.pending()).toBe(0);
    const last = bodies.at(-1)!.body.calls;
    expect(last.map((c) => c.eventId)).toEqual([`${a}.llm`, `${b}.llm`]);
    expect(last[0]).toMatchObject({ agentName: "Main agent", tokensIn: 2000, costUsd: 0.01512 });
  });

  it("says once, clearly, when OpenClaw withholds llm_output; a throwing config read never reaches the agent's run", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-usage-"));
    dirs.push(dir);
    const logs: string[] = [];
    const logger = { warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
    const reporter = createUsageReporter({
      dir,
      client: null,
      logger,
      pluginId: "warden-access-test",
      cfgOf: () => {
        throw new Error("boom");
      },
      agentNameOf: () => undefined,
    });
    reporter.checkAccess({ plugins: { entries: { "warden-access-test": { hooks: { allowConversationAccess: true } } } } });
    expect(logs).toEqual([]);
    reporter.checkAccess({});
    reporter.checkAccess({});
    expect(logs.length).toBe(1);
    expect(logs[0]).toContain("plugins.entries.warden-access-test.hooks.allowConversationAccess: true");
    expect(() => reporter.onLlmOutput(realEvent(), realCtx(), "main")).not.toThrow();
    expect(logs.some((l) => l.includes("usage record not spooled"))).toBe(true);
  });
});
