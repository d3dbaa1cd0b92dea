// Per-call approvals at the gateway, through OpenClaw's own plugin-approval flow (verified on
// openclaw@2026.9.6, see connectors/openclaw/README.md):
//  - before_tool_call returns { requireApproval }: the gateway creates a pending approval
//    ("plugin:<uuid>") and the agent run waits; it times out (denied) after timeoutMs, capped by the
//    gateway at 10 minutes.
//  - the gateway needs an approval route: a connected client with operator.admin (or
//    operator.approvals) and caps ["plugin-approvals"]; without one the call is blocked at once
//    ("no approval route"). This module keeps such a client: the plugin's own WebSocket to its
//    gateway, authenticated with the gateway token.
//  - that client sees plugin.approval.requested {id, request: {pluginId, toolCallId, sessionKey,
//    agentId, ...}} and resolves with plugin.approval.resolve {id, decision: "allow-once"|"deny"}.
// Warden is the approver: the held call is reported to Warden (POST /connector/approvals) before
// the run waits; Warden's decision arrives as an approval_decision command; only a decision whose
// paramsHash equals the hash frozen here resolves the call. Fail closed everywhere: Warden not
// told → blocked; Warden unreachable while calls wait → denied; no gateway route → blocked.
// Zero dependencies: Node 24's global WebSocket, node:crypto.
import { createHash, randomUUID } from "node:crypto";
import { canonicalJson } from "./crypto.js";

/** OpenClaw clamps a plugin approval's timeout to this (plugin-permission-requests.md). */
export const GATEWAY_MAX_TIMEOUT_MS = 600_000;
/** The plugin's own id as the gateway stamps it on its approvals. */
const PLUGIN_ID = "warden";
const PROTOCOL = 4;

/** hex SHA-256 of the canonical JSON of a call's params (the frozen call an approval is for). */
export function paramsHashOf(params) {
  return createHash("sha256").update(canonicalJson(params === undefined ? {} : params)).digest("hex");
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v, max = 500) => (typeof v === "string" ? v.slice(0, max) : undefined);
/** Text for the gateway's approval prompt: invisible characters (which the gateway escapes, lengthening the text) become spaces. */
const plain = (v) => String(v).replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u115f\u1160\u3164\uffa0]/gu, " ");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms).unref?.());

/**
 * The plugin's WebSocket client to its own gateway: operator.admin with caps ["plugin-approvals"],
 * so the gateway has an approval route and tells us about pending approvals. Reconnects with
 * backoff; `request` fails fast while disconnected.
 */
export class GatewayApprovalClient {
  /** @param {{ url: string, token?: string, logger?: any, onEvent?: (event: string, payload: any) => void, WebSocketImpl?: any }} opts */
  constructor({ url, token, logger, onEvent, WebSocketImpl }) {
    this.url = url;
    this.token = token;
    this.log = logger ?? console;
    this.onEvent = onEvent ?? (() => {});
    this.WS = WebSocketImpl ?? globalThis.WebSocket;
    this.ws = null;
    this.connected = false;
    this.stopped = false;
    this.pending = new Map();
    this.seq = 0;
    this.waiters = new Set();
    this.lastError = undefined;
    this.failures = 0;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    void this.#loop();
  }

  stop() {
    this.stopped = true;
    this.running = false;
    try {
      this.ws?.close();
    } catch {}
  }

  /** Resolves true once connected (false after timeoutMs). */
  ready(timeoutMs) {
    if (this.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = (ok) => {
        clearTimeout(t);
        this.waiters.delete(w);
        resolve(ok);
      };
      const t = setTimeout(() => w(false), timeoutMs);
      this.waiters.add(w);
    });
  }

  async #loop() {
    while (!this.stopped) {
      try {
        await this.#session();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        this.lastError = err?.message ?? String(err);
        if (this.failures === 1 || this.failures % 20 === 0) this.log.warn?.(`warden: approval route to the gateway (${this.url}) failed: ${this.lastError}; retrying`);
      }
      if (this.stopped) break;
      await sleep(Math.min(10_000, 250 * 2 ** Math.min(this.failures, 6)));
    }
  }

  /** One connection: handshake, then frames until it closes. Resolves on close, throws on failure. */
  #session() {
    if (typeof this.WS !== "function") return Promise.reject(new Error("no WebSocket in this Node (needs Node >= 22)"));
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new this.WS(this.url);
      } catch (err) {
        reject(err);
        return;
      }
      this.ws = ws;
      let helloDone = false;
      let challenged = false;
      const fail = (err) => {
        try {
          ws.close();
        } catch {}
        reject(err);
      };
      const sendConnect = async () => {
        const hello = await this.#request("connect", {
          minProtocol: PROTOCOL,
          maxProtocol: PROTOCOL,
          client: { id: "gateway-client", displayName: "Warden approvals", version: "warden", platform: process.platform, mode: "backend" },
          role: "operator",
          scopes: ["operator.admin"],
          caps: ["plugin-approvals"],
          ...(this.token ? { auth: { token: this.token } } : {}),
        }, 10_000, true);
        const scopes = Array.isArray(hello?.auth?.scopes) ? hello.auth.scopes : [];
        if (hello?.type !== "hello-ok") throw new Error("connect: no hello-ok");
        if (!scopes.includes("operator.admin") && !scopes.includes("operator.approvals")) throw new Error(`connect: granted scopes [${scopes.join(", ")}] cannot resolve approvals (needs operator.admin: the gateway token on loopback)`);
        helloDone = true;
        this.connected = true;
        this.failures = 0;
        this.log.info?.(`warden: approval route to the gateway connected (${this.url})`);
        for (const w of [...this.waiters]) w(true);
      };
      const challengeTimer = setTimeout(() => {
        if (!challenged) {
          challenged = true;
          sendConnect().catch(fail);
        }
      }, 3000);
      ws.onmessage = (m) => {
        let f;
        try {
          f = JSON.parse(typeof m.data === "string" ? m.data : Buffer.from(m.data).toString("utf8"));
        } catch {
          return; // not a frame we understand
        }
        if (!isObj(f)) return;
        if (f.type === "res" && typeof f.id === "string") {
          const p = this.pending.get(f.id);
          if (p) {
            this.pending.delete(f.id);
            clearTimeout(p.timer);
            if (f.ok === true) p.resolve(f.payload);
            else p.reject(Object.assign(new Error(`${p.method}: ${str(f.error?.message, 300) ?? "failed"}`), { code: str(f.error?.code, 100), reason: str(f.error?.details?.reason, 100) }));
          }
          return;
        }
        if (f.type === "event" && typeof f.event === "string") {
          if (f.event === "connect.challenge" && !challenged) {
            challenged = true;
            clearTimeout(challengeTimer);
            sendConnect().catch(fail);
            return;
          }
          if (helloDone) {
            try {
              this.onEvent(f.event, f.payload);
            } catch (err) {
              this.log.warn?.(`warden: approval event handler failed: ${err?.message ?? err}`);
            }
          }
        }
      };
      ws.onerror = () => {}; // the close that follows settles the session
      ws.onclose = (e) => {
        clearTimeout(challengeTimer);
        const was = this.connected;
        this.connected = false;
        if (this.ws === ws) this.ws = null;
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`${p.method}: connection closed`));
          this.pending.delete(id);
        }
        if (was) {
          this.log.warn?.(`warden: approval route to the gateway closed (${e?.code ?? ""}); reconnecting`);
          resolve();
        } else reject(new Error(`connection closed before the handshake (${e?.code ?? "?"}${e?.reason ? ` ${e.reason}` : ""})`));
      };
    });
  }

  #request(method, params, timeoutMs = 10_000, handshake = false) {
    const ws = this.ws;
    if (!ws || (!handshake && !this.connected)) return Promise.reject(new Error(`${method}: not connected to the gateway`));
    const id = `w${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ type: "req", id, method, params }));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err);
      }
    });
  }

  /** A gateway RPC over the approval connection. */
  request(method, params, timeoutMs) {
    return this.#request(method, params, timeoutMs);
  }
}

/** Key of one held call at the gateway (tool-call ids come from the model: scope them). */
const callKey = (toolCallId, sessionKey) => `${sessionKey ?? ""}\u0000${toolCallId}`;

/**
 * Process-wide state of held calls. OpenClaw loads the plugin more than once per process (a "full"
 * registry that runs the services and command poll, and e.g. a "discovery" one whose hooks run the
 * agent turns; verified: separate module instances, same process and thread), so the held calls and
 * the gateway connection live on globalThis, shared by every instance.
 */
export function approvalBroker() {
  const key = Symbol.for("warden.openclaw.approvals");
  globalThis[key] ??= new ApprovalBroker();
  return globalThis[key];
}

export class ApprovalBroker {
  constructor() {
    /** requestId → held call */
    this.calls = new Map();
    /** callKey → gateway approval id ("plugin:<uuid>") from plugin.approval.requested */
    this.gatewayIds = new Map();
    this.client = null;
    this.log = console;
    this.reports = [];
    this.reporting = false;
    this.wardenDownSince = 0;
    /** Warden unreachable this long while calls wait → they are denied. */
    this.unreachableMs = 10_000;
  }

  /**
   * Configure once per process (later calls only refresh the Warden client and logger).
   * @param {{ gatewayUrl: string, token?: string, logger?: any, warden: any, WebSocketImpl?: any }} o
   */
  configure({ gatewayUrl, token, logger, warden, WebSocketImpl, unreachableMs }) {
    if (logger) this.log = logger;
    if (Number.isFinite(unreachableMs) && unreachableMs > 0) this.unreachableMs = unreachableMs;
    if (warden) this.warden = warden;
    if (!this.client && gatewayUrl) {
      this.client = new GatewayApprovalClient({ url: gatewayUrl, token, logger: this.log, WebSocketImpl, onEvent: (e, p) => this.#onGatewayEvent(e, p) });
    }
    return this;
  }

  /** Start the gateway connection (the approval route); idempotent. */
  start() {
    this.client?.start();
  }

  stop() {
    this.client?.stop();
  }

  #onGatewayEvent(event, payload) {
    if (!isObj(payload) || typeof payload.id !== "string") return;
    const req = isObj(payload.request) ? payload.request : {};
    if (req.pluginId !== PLUGIN_ID || typeof req.toolCallId !== "string") return;
    const k = callKey(req.toolCallId, req.sessionKey ?? undefined);
    if (event === "plugin.approval.requested") {
      this.gatewayIds.set(k, payload.id);
      if (this.gatewayIds.size > 5000) this.gatewayIds.delete(this.gatewayIds.keys().next().value);
      // A decision that arrived before the gateway created its approval is applied now.
      for (const c of this.calls.values()) if (c.key === k && c.state === "waiting" && c.queued) void this.#resolveAtGateway(c, c.queued.decision, c.queued.why);
    } else if (event === "plugin.approval.resolved") {
      for (const c of this.calls.values()) {
        if (c.key !== k || c.gatewayId && c.gatewayId !== payload.id) continue;
        c.gatewayResolvedBy = str(payload.resolvedBy, 200) ?? null;
        c.gatewayDecision = str(payload.decision, 40);
      }
    }
  }

  /** Held calls still waiting (for tests and the unreachable check). */
  waiting() {
    return [...this.calls.values()].filter((c) => c.state === "waiting");
  }

  /**
   * Hold one call for Warden: freeze its params, tell Warden, and return the hook result that makes
   * the gateway wait ({requireApproval}) — or {block} when Warden or the gateway route is not there.
   * `record(outcome)` is called synchronously when the gateway settles the call (before the tool
   * runs, on allow), to spool the call's decision.
   */
  async hold({ call, need, record, routeWaitMs = 3000 }) {
    const requestId = randomUUID();
    const ruleTimeout = Number.isFinite(need.timeoutMs) && need.timeoutMs > 0 ? Math.floor(need.timeoutMs) : 120_000;
    const timeoutMs = Math.min(ruleTimeout, GATEWAY_MAX_TIMEOUT_MS);
    let paramsHash;
    try {
      paramsHash = paramsHashOf(call.params);
    } catch (err) {
      return this.#blocked(record, `Warden: approval required but the call's parameters cannot be frozen (${err?.message ?? err})`);
    }
    if (!this.warden) return this.#blocked(record, "Warden: approval required but the plugin is not configured (fail closed)");
    this.start();
    // The gateway blocks a requireApproval at once when no approval client is connected: wait briefly for ours.
    if (!this.client || !(await this.client.ready(routeWaitMs))) {
      return this.#blocked(record, `Warden: approval required but the plugin has no approval route to this gateway (${this.client?.lastError ?? "not connected"}); blocked`);
    }
    const c = {
      requestId,
      key: callKey(call.toolCallId, call.sessionKey),
      toolCallId: call.toolCallId,
      sessionKey: call.sessionKey,
      agentId: call.agentId,
      toolName: call.toolName,
      paramsHash,
      timeoutMs,
      state: "reporting",
      record,
    };
    this.calls.set(requestId, c);
    let res;
    try {
      res = await this.warden.postApproval({
        requestId,
        toolCallId: call.toolCallId,
        agentId: call.agentId ?? "unknown",
        ...(call.sessionKey ? { sessionKey: call.sessionKey } : {}),
        ...(call.runId ? { runId: call.runId } : {}),
        toolName: call.toolName,
        ...(call.toolVersion ? { toolVersion: call.toolVersion } : {}),
        params: call.displayParams ?? {},
        paramsHash,
        ...(need.ruleId ? { ruleId: String(need.ruleId).slice(0, 200) } : {}),
        reason: String(need.reason || "approval required").slice(0, 1000),
        timeoutMs,
        // Who asked: the originating person's requester, the delegation chain and the tier.
        ...(call.requester ? { requester: call.requester } : {}),
        ...(Array.isArray(call.chain) && call.chain.length ? { chain: call.chain } : {}),
        ...(call.tier ? { tier: call.tier } : {}),
      });
    } catch (err) {
      this.calls.delete(requestId);
      return this.#blocked(record, `Warden: approval required but Warden could not be told (${err?.message ?? err}); blocked (fail closed)`);
    }
    const wardenId = res?.json?.data?.id;
    if (typeof wardenId !== "string" || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(wardenId)) {
      this.calls.delete(requestId);
      return this.#blocked(record, "Warden: approval required but Warden's answer had no approval id; blocked (fail closed)");
    }
    c.wardenId = wardenId;
    this.wardenContact(true); // Warden answered just now
    c.state = "waiting";
    c.startedAt = Date.now();
    this.#startWatch();
    // A long-dead entry (the gateway never settled it) is dropped after its timeout plus a margin.
    c.timer = setTimeout(() => this.#settle(c, "cancelled"), timeoutMs + 120_000);
    c.timer.unref?.();
    this.#prune();
    const capped = ruleTimeout > timeoutMs ? ` (the gateway waits at most ${Math.round(timeoutMs / 60_000)} min)` : "";
    return {
      requireApproval: {
        // Plain, bounded text: the gateway refuses a prompt longer than 80/512 characters after its own escaping.
        title: `Warden approval: ${plain(call.toolName)}`.slice(0, 60),
        description: `${plain(need.reason || "approval required").slice(0, 200)}. Decide in Warden (approval ${plain(wardenId).slice(0, 8)}); times out in ${Math.round(timeoutMs / 1000)} s${capped}.`,
        severity: "warning",
        allowedDecisions: ["allow-once", "deny"],
        timeoutMs,
        onResolution: (decision) => this.#settle(c, decision),
      },
    };
  }

  #blocked(record, reason) {
    try {
      record({ allowed: false, reason });
    } catch (err) {
      this.log.error?.(`warden: spool write failed (${err?.message ?? err})`);
    }
    return { block: true, blockReason: reason };
  }

  /** The gateway settled a held call (onResolution: allow-once|allow-always|deny|timeout|cancelled). */
  #settle(c, decision) {
    if (c.state === "done") return;
    clearTimeout(c.timer);
    const waitedMs = Math.max(0, Date.now() - (c.startedAt ?? Date.now()));
    const allowed = decision === "allow-once" || decision === "allow-always";
    c.state = "done";
    c.settledAt = Date.now();
    this.#stopWatchIfIdle();
    let reason;
    let outcome;
    if (allowed) {
      outcome = "ran";
      if (!c.resolvedByWarden) {
        // Someone else with approval rights on this gateway (e.g. OpenClaw's own UI) approved it: it
        // runs (a plugin cannot veto an approval), and Warden is told who did.
        c.detail = `approved at the gateway outside Warden${c.gatewayResolvedBy ? ` by ${c.gatewayResolvedBy}` : ""}`;
        this.log.error?.(`warden: held call ${c.toolName} (${c.toolCallId}) was ${c.detail}`);
      }
    } else if (decision === "timeout") {
      outcome = "timed_out";
      reason = `Warden: no approval decision within ${Math.round(c.timeoutMs / 1000)} s (timed out; denied)`;
    } else if (decision === "deny") {
      outcome = "denied";
      reason = c.denyReason ?? `Warden: approval denied${c.gatewayResolvedBy ? ` at the gateway by ${c.gatewayResolvedBy}` : ""}`;
      if (!c.resolvedByWarden && !c.denyReason) c.detail = `denied at the gateway outside Warden${c.gatewayResolvedBy ? ` by ${c.gatewayResolvedBy}` : ""}`;
    } else {
      outcome = "failed";
      reason = "Warden: the gateway could not hold this run for approval (cancelled); blocked";
      // OpenClaw cancels when the run cannot wait (no approval-capable source: `openclaw agent`, cron,
      // heartbeat), when no approval route is connected, or when the run is aborted.
      c.detail = `the gateway could not hold the run (${decision}: a run without an approval-capable source such as \`openclaw agent\` or cron, no approval route, or the run was aborted)`;
    }
    c.waitedMs = waitedMs;
    c.settledOutcome = outcome;
    try {
      c.record({ allowed, reason, approvalId: c.wardenId, waitedMs });
    } catch (err) {
      this.log.error?.(`warden: spool write failed for a held call (${err?.message ?? err})`);
    }
    // An allowed call is reported once it ran (onToolResult); the rest now.
    if (allowed) {
      c.awaitingResult = true;
      c.timer = setTimeout(() => this.onToolResult(c.toolCallId, c.sessionKey, { noResult: true }), 10 * 60_000);
      c.timer.unref?.();
    } else this.#report(c, outcome, c.detail ?? c.denyDetail);
  }

  /** after_tool_call of a call that was held: report "ran" (or "failed" when the tool errored). */
  onToolResult(toolCallId, sessionKey, { error, noResult } = {}) {
    const k = callKey(toolCallId, sessionKey);
    for (const c of this.calls.values()) {
      if (c.key !== k || !c.awaitingResult) continue;
      c.awaitingResult = false;
      clearTimeout(c.timer);
      const parts = [c.detail, error ? `the tool failed: ${String(error).slice(0, 500)}` : undefined, noResult ? "no tool result seen" : undefined].filter(Boolean);
      this.#report(c, error ? "failed" : "ran", parts.join("; ") || undefined);
      return true;
    }
    return false;
  }

  /** Is this call one that waited for an approval (its Warden approval id), for the result record. */
  approvalOf(toolCallId, sessionKey) {
    const k = callKey(toolCallId, sessionKey);
    for (const c of this.calls.values()) if (c.key === k && c.wardenId) return c.wardenId;
    return undefined;
  }

  #report(c, outcome, detail) {
    if (c.reported) return;
    c.reported = true;
    this.reports.push({ c, body: { outcome, waitedMs: Math.min(c.waitedMs ?? 0, 2_147_483_647), ...(detail ? { detail: String(detail).slice(0, 1000) } : {}) }, attempts: 0, next: 0 });
    void this.flushReports();
  }

  /** Send queued resolutions to Warden (retried with backoff; kept in memory for an hour). */
  async flushReports() {
    if (this.reporting || !this.warden) return;
    this.reporting = true;
    try {
      const now = Date.now();
      for (const r of [...this.reports]) {
        if (r.next > now) continue;
        try {
          await this.warden.postApprovalResolution(r.c.wardenId, r.body);
          this.reports.splice(this.reports.indexOf(r), 1);
        } catch (err) {
          r.attempts++;
          // 4xx other than 429: Warden refused it for good (kept in the log, not retried).
          if (err?.status >= 400 && err?.status < 500 && err?.status !== 429) {
            this.log.warn?.(`warden: Warden refused the resolution of approval ${r.c.wardenId}: ${err.message}`);
            this.reports.splice(this.reports.indexOf(r), 1);
            continue;
          }
          r.next = Date.now() + Math.min(300_000, 1000 * 2 ** Math.min(r.attempts, 8));
          if (r.attempts > 60) this.reports.splice(this.reports.indexOf(r), 1);
        }
      }
    } finally {
      this.reporting = false;
    }
    if (this.reports.length && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.flushReports();
      }, 2000);
      this.retryTimer.unref?.();
    }
  }

  /**
   * An approval_decision command: resolve the held call at the gateway if the decision is for the
   * exact call that was frozen. Returns the ack detail; throws (ack "failed") when it could not apply.
   */
  async applyDecision(cmd) {
    const o = isObj(cmd?.options) ? cmd.options : {};
    const decision = o.decision;
    if (decision !== "allow" && decision !== "deny") throw new Error(`approval_decision: unknown decision ${JSON.stringify(decision)?.slice(0, 40)}`);
    const c = typeof o.requestId === "string" ? this.calls.get(o.requestId) : undefined;
    const who = str(o.decidedBy, 200) ?? "a Warden user";
    if (!c || (c.wardenId && cmd.target && c.wardenId !== cmd.target)) {
      if (decision === "deny") return "nothing waits for this decision at the gateway (the call already ended, or the gateway restarted): nothing ran";
      throw new Error("no call waits for this approval at the gateway (it already ended: timed out, denied, or the gateway restarted); nothing ran");
    }
    // The same decision delivered again (an ack lost on the way): the same answer, nothing re-applied.
    if (c.wardenDecision === decision && c.wardenDetail) return `${c.wardenDetail} (repeated delivery: already applied)`;
    if (c.state === "done" || c.state === "resolving") {
      const already = c.state === "resolving" ? "being resolved" : `already settled (${c.settledOutcome ?? "ended"})`;
      if (decision === "deny") return `the call was ${already}`;
      throw new Error(`the call was ${already}; the allow was not applied`);
    }
    const hashOk = typeof o.paramsHash === "string" && o.paramsHash.toLowerCase() === c.paramsHash;
    if (!hashOk) {
      // A decision for different parameters than the frozen call is never applied as an allow.
      c.denyReason = "Warden: the approval was for different parameters than this call (params hash mismatch); denied";
      c.denyDetail = "params hash mismatch: denied";
      await this.#resolveAtGateway(c, "deny", "params hash mismatch");
      throw new Error("params hash does not match the frozen call: the call was denied, not approved");
    }
    const reason = str(o.reason, 500);
    if (decision === "deny") {
      c.denyReason = `Warden: approval denied by ${who}${reason ? ` (${reason})` : ""}`;
      c.denyDetail = `denied by ${who}`;
    }
    if (decision === "allow" && typeof o.grantUntil === "string" && Number.isFinite(Date.parse(o.grantUntil))) c.grantUntil = o.grantUntil;
    const detail = await this.#resolveAtGateway(c, decision === "allow" ? "allow-once" : "deny", `decided by ${who}`);
    if (!/queued/.test(detail)) {
      c.wardenDecision = decision;
      c.wardenDetail = detail;
    }
    return detail;
  }

  async #resolveAtGateway(c, gwDecision, why) {
    let id = c.gatewayId ?? this.gatewayIds.get(c.key) ?? (await this.#findGatewayId(c));
    // Warden can decide before the gateway announced the approval (the report goes first): wait a little.
    for (let i = 0; !id && i < 20 && c.state !== "done"; i++) {
      await sleep(250);
      id = this.gatewayIds.get(c.key) ?? (i % 4 === 3 ? await this.#findGatewayId(c) : undefined);
    }
    if (c.state === "done") return `the call was already settled (${c.settledOutcome})`;
    if (!id) {
      // The gateway has not announced the approval yet: apply it when it does.
      c.queued = { decision: gwDecision, why };
      return `${gwDecision} queued until the gateway shows the held call (${why})`;
    }
    c.gatewayId = id;
    c.queued = undefined;
    const prev = c.state;
    c.state = "resolving";
    c.resolvedByWarden = true;
    try {
      await this.client.request("plugin.approval.resolve", { id, decision: gwDecision }, 10_000);
      return `${gwDecision === "deny" ? "denied" : "allowed once"} at the gateway (${why})`;
    } catch (err) {
      if (c.state === "resolving") c.state = prev;
      c.resolvedByWarden = c.state === "done" ? c.resolvedByWarden : false;
      throw new Error(`could not resolve the held call at the gateway: ${err?.message ?? err}`);
    }
  }

  async #findGatewayId(c) {
    try {
      const list = await this.client?.request("plugin.approval.list", {}, 5000);
      for (const a of Array.isArray(list) ? list : []) {
        const r = isObj(a?.request) ? a.request : {};
        if (typeof a.id === "string" && r.pluginId === PLUGIN_ID && callKey(r.toolCallId, r.sessionKey ?? undefined) === c.key) {
          this.gatewayIds.set(c.key, a.id);
          return a.id;
        }
      }
    } catch {}
    return undefined;
  }

  /**
   * What the command poll saw: ok=false while Warden cannot be reached. While calls wait, a watchdog
   * denies them once Warden has been unreachable for `unreachableMs`, and retries queued decisions.
   */
  wardenContact(ok) {
    if (ok) this.wardenDownSince = 0;
    else if (!this.wardenDownSince) this.wardenDownSince = Date.now();
  }

  #startWatch() {
    if (this.watch) return;
    this.watch = setInterval(() => void this.#tick(), 1000);
    this.watch.unref?.();
  }

  #stopWatchIfIdle() {
    if (this.watch && !this.waiting().length) {
      clearInterval(this.watch);
      this.watch = null;
    }
  }

  async #tick() {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const waiting = this.waiting();
      if (!waiting.length) return this.#stopWatchIfIdle();
      if (this.wardenDownSince && Date.now() - this.wardenDownSince >= this.unreachableMs) {
        const secs = Math.round((Date.now() - this.wardenDownSince) / 1000);
        this.log.warn?.(`warden: Warden unreachable for ${secs} s with ${waiting.length} call(s) waiting for approval: denying them (fail closed)`);
        await this.denyAllWaiting(`Warden unreachable for ${secs} s`);
        return;
      }
      for (const c of waiting) if (c.queued && !c.gatewayId) await this.#resolveAtGateway(c, c.queued.decision, c.queued.why).catch(() => {});
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Warden cannot be reached (the command poll fails): every held call is denied at the gateway
   * (fail closed). Called by the command loop; `since` is when contact was lost.
   */
  async denyAllWaiting(why) {
    const out = [];
    for (const c of this.waiting()) {
      c.denyReason = `Warden: ${why}; the held call is denied (fail closed)`;
      c.denyDetail = why;
      try {
        out.push(await this.#resolveAtGateway(c, "deny", why));
      } catch (err) {
        out.push(String(err?.message ?? err));
      }
    }
    return out;
  }

  /** Settled calls are kept two hours (so a late decision gets a precise answer), at most 5,000. */
  #prune() {
    const old = Date.now() - 2 * 3600_000;
    let extra = this.calls.size - 5000;
    for (const [id, c] of this.calls) {
      if (c.state !== "done" || c.awaitingResult || c.reported !== true) continue;
      if ((c.settledAt ?? 0) < old || extra-- > 0) this.calls.delete(id);
    }
  }
}
