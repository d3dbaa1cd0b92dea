import { afterEach, describe, expect, it } from "vitest";
// The plugin's approval broker (plain ESM, no build step), driven through a scripted gateway
// WebSocket and a recording Warden client. The real-gateway proof is e2e/openclaw-approvals.spec.ts.
import { ApprovalBroker, GATEWAY_MAX_TIMEOUT_MS, paramsHashOf } from "../../connectors/openclaw/lib/approvals.js";

type Frame = { type: string; id?: string; method?: string; params?: Record<string, unknown>; event?: string; payload?: unknown; ok?: boolean };

/** A gateway as the plugin's WebSocket sees it: challenge, hello-ok, plugin.approval.* methods. */
class FakeGateway {
  sockets: FakeSocket[] = [];
  resolves: { id: string; decision: string }[] = [];
  pendingApprovals: { id: string; request: Record<string, unknown> }[] = [];
  scopes = ["operator.admin"];
  refuse = false;
  connects: Record<string, unknown>[] = [];
  emit(event: string, payload: unknown) {
    for (const s of this.sockets) s.deliver({ type: "event", event, payload });
  }
  /** The gateway creates its approval for a call the plugin held (what requireApproval causes). */
  announce(toolCallId: string, sessionKey: string | undefined, id = `plugin:${crypto.randomUUID()}`) {
    const request = { pluginId: "warden", toolCallId, sessionKey: sessionKey ?? null, toolName: "write" };
    this.pendingApprovals.push({ id, request });
    this.emit("plugin.approval.requested", { id, request });
    return id;
  }
}
class FakeSocket {
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(private gw: FakeGateway) {
    gw.sockets.push(this);
    setTimeout(() => (gw.refuse ? this.close() : this.deliver({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: Date.now() } })), 1);
  }
  deliver(f: Frame) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  send(text: string) {
    const f = JSON.parse(text) as Frame;
    const answer = (payload: unknown, ok = true) => setTimeout(() => this.deliver({ type: "res", id: f.id, ok, payload, ...(ok ? {} : { error: payload }) } as Frame), 1);
    if (f.method === "connect") {
      this.gw.connects.push(f.params!);
      answer({ type: "hello-ok", auth: { role: "operator", scopes: this.gw.scopes } });
    } else if (f.method === "plugin.approval.resolve") {
      const id = String(f.params!.id);
      const i = this.gw.pendingApprovals.findIndex((a) => a.id === id);
      if (i < 0) return answer({ code: "INVALID_REQUEST", message: "unknown or expired approval id" }, false);
      this.gw.pendingApprovals.splice(i, 1);
      this.gw.resolves.push({ id, decision: String(f.params!.decision) });
      answer({ ok: true });
    } else if (f.method === "plugin.approval.list") answer(this.gw.pendingApprovals);
    else answer({ code: "UNKNOWN", message: "unknown method" }, false);
  }
  close() {
    this.gw.sockets = this.gw.sockets.filter((s) => s !== this);
    setTimeout(() => this.onclose?.({ code: 1006 }), 1);
  }
}

/** A Warden client that records what the plugin sends. */
function fakeWarden(opts: { failPost?: boolean } = {}) {
  const posted: Record<string, unknown>[] = [];
  const resolutions: { id: string; body: Record<string, unknown> }[] = [];
  return {
    posted,
    resolutions,
    async postApproval(body: Record<string, unknown>) {
      if (opts.failPost) throw new Error("fetch failed");
      posted.push(body);
      return { status: 201, json: { data: { id: crypto.randomUUID(), status: "pending", expiresAt: new Date().toISOString() } } };
    },
    async postApprovalResolution(id: string, body: Record<string, unknown>) {
      resolutions.push({ id, body });
      return { status: 200, json: { data: {} } };
    },
  };
}

const silent = { info() {}, warn() {}, error() {} };
const brokers: ApprovalBroker[] = [];
afterEach(() => {
  for (const b of brokers.splice(0)) b.stop();
});

function setup(opts: { failPost?: boolean; refuse?: boolean; unreachableMs?: number } = {}) {
  const gw = new FakeGateway();
  gw.refuse = opts.refuse === true;
  const warden = fakeWarden(opts);
  const broker = new ApprovalBroker().configure({
    gatewayUrl: "ws://127.0.0.1:1",
    token: "gw-token",
    logger: silent,
    warden,
    unreachableMs: opts.unreachableMs ?? 10_000,
    WebSocketImpl: class extends FakeSocket {
      constructor() {
        super(gw);
      }
    },
  });
  brokers.push(broker);
  broker.start();
  const records: Record<string, unknown>[] = [];
  const call = {
    toolCallId: `call_${crypto.randomUUID().slice(0, 8)}`,
    sessionKey: "agent:main:main",
    runId: "r1",
    agentId: "main",
    toolName: "write",
    params: { path: "a.txt", content: "hi" },
    displayParams: { path: "a.txt", content: "hi" },
  };
  const hold = (need = { ruleId: "r", reason: "writes need approval", timeoutMs: 60_000 }) =>
    broker.hold({ call, need, record: (r: Record<string, unknown>) => records.push(r), routeWaitMs: 500 }) as Promise<{
      block?: boolean;
      blockReason?: string;
      requireApproval?: { timeoutMs: number; allowedDecisions: string[]; onResolution: (d: string) => void };
    }>;
  const decision = (over: Record<string, unknown> = {}) => {
    const sent = warden.posted.at(-1)!;
    return {
      id: crypto.randomUUID(),
      type: "approval_decision",
      action: "approval_decision",
      target: undefined,
      options: { requestId: sent.requestId, toolCallId: sent.toolCallId, decision: "allow", paramsHash: sent.paramsHash, reason: "ok", decidedBy: "lead@example.com", ...over },
    };
  };
  return { gw, warden, broker, records, call, hold, decision };
}
const until = async (fn: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("paramsHashOf", () => {
  it("is the SHA-256 of the canonical JSON: key order does not matter, values do", () => {
    expect(paramsHashOf({ a: 1, b: { c: [1, 2], d: "x" } })).toBe(paramsHashOf({ b: { d: "x", c: [1, 2] }, a: 1 }));
    expect(paramsHashOf({ a: 1, b: { c: [2, 1] } })).not.toBe(paramsHashOf({ a: 1, b: { c: [1, 2] } }));
    expect(paramsHashOf({ path: "a.txt" })).not.toBe(paramsHashOf({ path: "a.txt " }));
    expect(paramsHashOf(undefined)).toBe(paramsHashOf({}));
    expect(paramsHashOf({ x: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("ApprovalBroker.hold", () => {
  it("connects as an approval route, tells Warden the frozen call, and makes the gateway wait", async () => {
    const { gw, warden, hold, call } = setup();
    const r = await hold({ ruleId: "rule-1", reason: "writes need approval", timeoutMs: 1_800_000 });
    expect(gw.connects[0]).toMatchObject({ role: "operator", scopes: ["operator.admin"], caps: ["plugin-approvals"], auth: { token: "gw-token" } });
    expect(r.block).toBeUndefined();
    // OpenClaw waits at most 10 minutes: the wait and what Warden is told are capped to it.
    expect(r.requireApproval).toMatchObject({ timeoutMs: GATEWAY_MAX_TIMEOUT_MS, allowedDecisions: ["allow-once", "deny"] });
    expect(warden.posted[0]).toMatchObject({
      toolCallId: call.toolCallId,
      agentId: "main",
      sessionKey: call.sessionKey,
      toolName: "write",
      ruleId: "rule-1",
      timeoutMs: GATEWAY_MAX_TIMEOUT_MS,
      paramsHash: paramsHashOf(call.params),
    });
    expect(warden.posted[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("tells Warden who asked: the originating requester, the delegation chain and the tier", async () => {
    const { warden, broker, records } = setup();
    const requester = { channel: "telegram", senderId: "111" };
    const call = {
      toolCallId: "call_who",
      sessionKey: "agent:worker:subagent:1",
      agentId: "worker",
      toolName: "write",
      params: {},
      requester,
      chain: ["orchestrator", "worker"],
      tier: "subagent" as const,
    };
    await broker.hold({ call, need: { ruleId: "identity:q", reason: "identity rule", timeoutMs: 60_000 }, record: (r: Record<string, unknown>) => records.push(r), routeWaitMs: 500 });
    expect(warden.posted[0]).toMatchObject({ requester, chain: ["orchestrator", "worker"], tier: "subagent", ruleId: "identity:q" });
  });

  it("blocks when Warden cannot be told (fail closed) and records the call as blocked", async () => {
    const { hold, records } = setup({ failPost: true });
    const r = await hold();
    expect(r).toMatchObject({ block: true });
    expect(r.blockReason).toMatch(/Warden could not be told/);
    expect(records).toEqual([expect.objectContaining({ allowed: false })]);
  });

  it("blocks when the plugin has no approval route to the gateway", async () => {
    const { hold, warden } = setup({ refuse: true });
    const r = await hold();
    expect(r).toMatchObject({ block: true });
    expect(r.blockReason).toMatch(/no approval route/);
    expect(warden.posted).toHaveLength(0);
  });
});

describe("ApprovalBroker decisions", () => {
  it("an allow for the frozen params resolves the gateway's approval; the call is recorded and reported as ran", async () => {
    const { gw, warden, broker, records, hold, decision, call } = setup();
    const r = await hold();
    const gwId = gw.announce(call.toolCallId, call.sessionKey);
    const detail = await broker.applyDecision(decision());
    expect(detail).toMatch(/allowed once at the gateway/);
    expect(gw.resolves).toEqual([{ id: gwId, decision: "allow-once" }]);
    r.requireApproval!.onResolution("allow-once");
    expect(records).toEqual([expect.objectContaining({ allowed: true, approvalId: expect.any(String) })]);
    broker.onToolResult(call.toolCallId, call.sessionKey, {});
    await until(() => warden.resolutions.length === 1);
    expect(warden.resolutions[0].body).toMatchObject({ outcome: "ran", waitedMs: expect.any(Number) });
    expect(warden.resolutions[0].body.detail).toBeUndefined();
  });

  it("a decision for other params is never applied as an allow: the call is denied and the ack fails", async () => {
    const { gw, warden, broker, records, hold, decision, call } = setup();
    const r = await hold();
    const gwId = gw.announce(call.toolCallId, call.sessionKey);
    await expect(broker.applyDecision(decision({ paramsHash: paramsHashOf({ path: "other.txt", content: "hi" }) }))).rejects.toThrow(/params hash/);
    expect(gw.resolves).toEqual([{ id: gwId, decision: "deny" }]);
    r.requireApproval!.onResolution("deny");
    expect(records[0]).toMatchObject({ allowed: false, reason: expect.stringMatching(/different parameters/) });
    await until(() => warden.resolutions.length === 1);
    expect(warden.resolutions[0].body).toMatchObject({ outcome: "denied", detail: expect.stringMatching(/hash mismatch/) });
  });

  it("a missing or malformed hash is a mismatch too", async () => {
    for (const paramsHash of [undefined, "", "zz", 42]) {
      const { gw, broker, hold, decision, call } = setup();
      await hold();
      gw.announce(call.toolCallId, call.sessionKey);
      await expect(broker.applyDecision(decision({ paramsHash }))).rejects.toThrow(/params hash/);
      expect(gw.resolves.map((x) => x.decision)).toEqual(["deny"]);
    }
  });

  it("a deny is applied and reported with who decided", async () => {
    const { gw, warden, broker, records, hold, decision, call } = setup();
    const r = await hold();
    gw.announce(call.toolCallId, call.sessionKey);
    await broker.applyDecision(decision({ decision: "deny", reason: "not today" }));
    expect(gw.resolves.map((x) => x.decision)).toEqual(["deny"]);
    r.requireApproval!.onResolution("deny");
    expect(records[0]).toMatchObject({ allowed: false, reason: "Warden: approval denied by lead@example.com (not today)" });
    await until(() => warden.resolutions.length === 1);
    expect(warden.resolutions[0].body).toMatchObject({ outcome: "denied" });
  });

  it("a decision that arrives before the gateway announced its approval is applied once it does", async () => {
    const { gw, broker, hold, decision, call } = setup();
    await hold();
    const applied = broker.applyDecision(decision());
    await new Promise((r) => setTimeout(r, 300));
    expect(gw.resolves).toHaveLength(0);
    const gwId = gw.announce(call.toolCallId, call.sessionKey);
    await applied;
    expect(gw.resolves).toEqual([{ id: gwId, decision: "allow-once" }]);
  });

  it("only the plugin's own approval for the same session and call is resolved", async () => {
    const { gw, broker, hold, decision, call } = setup();
    await hold();
    // Same tool-call id in another session, and another plugin's approval for the same call: not ours.
    gw.announce(call.toolCallId, "agent:main:other");
    gw.pendingApprovals.push({ id: "plugin:other-plugin", request: { pluginId: "someone-else", toolCallId: call.toolCallId, sessionKey: call.sessionKey } });
    gw.emit("plugin.approval.requested", { id: "plugin:other-plugin", request: { pluginId: "someone-else", toolCallId: call.toolCallId, sessionKey: call.sessionKey } });
    const ours = gw.announce(call.toolCallId, call.sessionKey);
    await broker.applyDecision(decision());
    expect(gw.resolves).toEqual([{ id: ours, decision: "allow-once" }]);
  });

  it("an allow for a call that no longer waits fails its ack; a deny for it is acknowledged", async () => {
    const { gw, broker, hold, decision, call } = setup();
    const r = await hold();
    gw.announce(call.toolCallId, call.sessionKey);
    r.requireApproval!.onResolution("timeout");
    await expect(broker.applyDecision(decision())).rejects.toThrow(/already settled/);
    await expect(broker.applyDecision(decision({ decision: "deny" }))).resolves.toMatch(/already settled/);
    await expect(broker.applyDecision(decision({ requestId: crypto.randomUUID() }))).rejects.toThrow(/no call waits/);
    await expect(broker.applyDecision(decision({ decision: "maybe" }))).rejects.toThrow(/unknown decision/);
    expect(gw.resolves).toHaveLength(0);
  });

  it("the same decision delivered again (a lost ack) is answered the same, not applied twice", async () => {
    const { gw, broker, hold, decision, call } = setup();
    const r = await hold();
    gw.announce(call.toolCallId, call.sessionKey);
    const cmd = decision();
    const first = await broker.applyDecision(cmd);
    await expect(broker.applyDecision(cmd)).resolves.toBe(`${first} (repeated delivery: already applied)`);
    r.requireApproval!.onResolution("allow-once");
    await expect(broker.applyDecision(cmd)).resolves.toMatch(/repeated delivery/);
    expect(gw.resolves).toHaveLength(1);
    // A different decision for the same call is not a repeat.
    await expect(broker.applyDecision(decision({ decision: "deny" }))).resolves.toMatch(/already settled/);
  });

  it("the prompt shown at the gateway stays plain and within the gateway's limits whatever the rule says", async () => {
    const { hold, warden } = setup();
    const nasty = `rm\u0000 -rf\u202e\u200b ${"x".repeat(3000)}\n\u2028`;
    const r = await hold({ ruleId: "r", reason: nasty, timeoutMs: Number.NaN });
    const p = r.requireApproval!;
    const text = p as unknown as { title: string; description: string };
    expect(text.title.length).toBeLessThanOrEqual(80);
    expect(text.description.length).toBeLessThanOrEqual(512);
    expect(text.description).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}]/u);
    // A malformed timeout is the default 2 minutes, for the gateway and for Warden alike.
    expect(p.timeoutMs).toBe(120_000);
    expect(warden.posted[0].timeoutMs).toBe(120_000);
  });

  it("a timeout is recorded as blocked and reported as timed_out", async () => {
    const { warden, records, hold } = setup();
    const r = await hold();
    r.requireApproval!.onResolution("timeout");
    expect(records[0]).toMatchObject({ allowed: false, reason: expect.stringMatching(/timed out/) });
    await until(() => warden.resolutions.length === 1);
    expect(warden.resolutions[0].body).toMatchObject({ outcome: "timed_out" });
  });

  it("an allow given at the gateway outside Warden is reported as such", async () => {
    const { gw, warden, broker, hold, call } = setup();
    const r = await hold();
    const id = gw.announce(call.toolCallId, call.sessionKey);
    gw.emit("plugin.approval.resolved", {
      id,
      decision: "allow-once",
      resolvedBy: "someone in the Control UI",
      request: { pluginId: "warden", toolCallId: call.toolCallId, sessionKey: call.sessionKey },
    });
    await new Promise((res) => setTimeout(res, 20));
    r.requireApproval!.onResolution("allow-once");
    broker.onToolResult(call.toolCallId, call.sessionKey, {});
    await until(() => warden.resolutions.length === 1);
    expect(warden.resolutions[0].body).toMatchObject({ outcome: "ran", detail: expect.stringMatching(/outside Warden by someone in the Control UI/) });
  });
});

describe("Warden unreachable while calls wait", () => {
  it("denies every waiting call at the gateway once Warden stays unreachable", async () => {
    const { gw, warden, broker, hold, call } = setup({ unreachableMs: 200 });
    const r = await hold();
    const id = gw.announce(call.toolCallId, call.sessionKey);
    broker.wardenContact(false);
    await until(() => gw.resolves.length === 1, 3000);
    expect(gw.resolves).toEqual([{ id, decision: "deny" }]);
    r.requireApproval!.onResolution("deny");
    await until(() => warden.resolutions.length === 1);
    expect(warden.resolutions[0].body).toMatchObject({ outcome: "denied", detail: expect.stringMatching(/Warden unreachable/) });
  });

  it("does not deny while Warden answers", async () => {
    const { gw, broker, hold, call } = setup({ unreachableMs: 200 });
    await hold();
    gw.announce(call.toolCallId, call.sessionKey);
    broker.wardenContact(false);
    broker.wardenContact(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(gw.resolves).toHaveLength(0);
  });
});
