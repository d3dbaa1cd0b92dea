// Signed HTTP client for Warden's connector API (docs/connector-protocol.md).
import { signedHeaders } from "./crypto.js";

export class WardenHttpError extends Error {
  constructor(status, code, message, retryAfter) {
    super(`Warden ${status}${code ? ` ${code}` : ""}: ${message}`);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export function createWardenClient({ wardenUrl, gatewayId, signingSecret, timeoutMs = 15_000, policyInfo }) {
  const base = wardenUrl.replace(/\/+$/, "");

  // The policy this gateway enforces, reported on every request (shown in the console).
  function policyHeaders() {
    const p = policyInfo?.();
    if (!p?.version || !/^[0-9a-f]{1,64}$/i.test(p.version)) return {};
    return { "x-warden-policy-version": p.version, ...(typeof p.expiresAt === "string" && p.expiresAt.length <= 40 ? { "x-warden-policy-expires": p.expiresAt } : {}) };
  }

  async function request(method, path, { payload, headers = {}, timeout = timeoutMs, signal } = {}) {
    const body = payload === undefined ? "" : JSON.stringify(payload);
    const signalAll = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeout)]) : AbortSignal.timeout(timeout);
    const res = await fetch(base + path, {
      method,
      headers: { ...signedHeaders(signingSecret, gatewayId, body), ...(body ? { "content-type": "application/json" } : {}), ...policyHeaders(), ...headers },
      body: method === "GET" ? undefined : body,
      signal: signalAll,
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status >= 400) {
      throw new WardenHttpError(res.status, json?.error?.code, json?.error?.message ?? text.slice(0, 200), Number(res.headers.get("retry-after")) || undefined);
    }
    return { status: res.status, json, headers: res.headers };
  }

  return {
    base,
    getPolicy: (etag, opts) => request("GET", "/api/v1/connector/policy", { ...opts, headers: etag ? { "if-none-match": etag } : {} }),
    async getPublicKey() {
      // Public endpoint, no auth needed (signed headers are harmless).
      const res = await fetch(base + "/api/v1/connector/public-key", { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new WardenHttpError(res.status, undefined, "public-key fetch failed");
      return res.json();
    },
    postEvents: (events) => request("POST", "/api/v1/connector/events", { payload: { events } }),
    postUsage: (calls) => request("POST", "/api/v1/connector/usage", { payload: { calls } }),
    postInventory: (inventory) => request("POST", "/api/v1/connector/inventory", { payload: inventory, timeout: 60_000 }),
    // Long-poll for commands, acknowledging the previous poll's commands in the same request.
    pollCommands: (wait, signal, acks = []) => request("POST", `/api/v1/connector/commands?wait=${wait}`, { payload: { acks }, timeout: (wait + 15) * 1000, signal }),
    // A call held for approval (8 s: the before_tool_call hook itself has 15 s).
    postApproval: (approval) => request("POST", "/api/v1/connector/approvals", { payload: approval, timeout: 8000 }),
    postApprovalResolution: (id, resolution) => request("POST", `/api/v1/connector/approvals/${encodeURIComponent(id)}/resolution`, { payload: resolution }),
    // One call of a shared rate limit, counted by Warden (3 s: it is on the call's path; any failure denies).
    consumeRateLimit: (ruleId, subjectKey) => request("POST", "/api/v1/connector/rate-limits/consume", { payload: { ruleId, subjectKey }, timeout: 3000 }),
    ack: (id, outcome, detail) => request("POST", `/api/v1/connector/commands/${encodeURIComponent(id)}/ack`, { payload: { outcome, ...(detail ? { detail: String(detail).slice(0, 4000) } : {}) } }),
  };
}
