import "server-only";
import WebSocket from "ws";
import { checkHostForUse, pinnedLookup } from "../net/address-policy";

/**
 * The second containment path: Warden talks to an OpenClaw gateway's admin WebSocket directly
 * (gateway protocol 4) and changes the gateway's own config, so containment holds even when the
 * Warden plugin is missing, broken or not polling. Verified against openclaw@2026.9.6:
 *
 * - frames are JSON text: `{type:"req", id, method, params}`, `{type:"res", id, ok, payload|error}`,
 *   `{type:"event", event, payload}`; the gateway first sends the event `connect.challenge`
 *   `{nonce, ts}`, the client answers `connect` (protocol 4, `auth.token`), the gateway answers
 *   `hello-ok` with `auth.scopes`. With the shared token on loopback the client id
 *   `gateway-client`/mode `backend` gets `operator.admin`; remote gateways require a paired device
 *   identity (not implemented here: the error says so).
 * - `config.get` returns `{hash, sourceConfig, …}`; `config.patch {raw, baseHash, replacePaths?}` is a
 *   JSON merge patch (null deletes), waits until the running gateway applied it (hot reload), fails
 *   with "config changed since last load" on a stale hash, and refuses to drop array entries
 *   unless the array's exact path is in `replacePaths`.
 * - tool denial: `tools.deny` (global, deny wins, "*" = every tool) and
 *   `agents.entries.<id>.tools.deny` (one agent); a denied tool is reported by `tools.invoke` as
 *   `{ok:false, error:{code:"not_found", message:"Tool not available: <name>"}}`.
 * - cron: `cron.enabled: false` pauses every job; one job: `cron.update {id, patch:{enabled}}`;
 *   skills `skills.entries.<key>.enabled`, plugins `plugins.entries.<id>.enabled`.
 * There is no stop method over the WebSocket: `shutdown` denies every tool call instead.
 *
 * Releases need to know what the apply changed (was cron enabled, which jobs/skills/plugins were
 * turned off). The apply returns that as `state`; the caller keeps it per gateway and passes it back
 * as `command.options` on the release (and on a repeated apply, so the memory is never lost).
 */

export type AdminWsCommand = {
  id?: string;
  kind: "apply" | "release";
  scope: string;
  action: string;
  /** tool name; for agent scope Warden's agent id (the gateway's id comes in options.agentExternalId) */
  target: string;
  reason?: string;
  /**
   * `cronOff` and `agentExternalId` for agent suspensions, plus the `state` (AdminWsState keys) a
   * previous apply returned. Read defensively: it is the action's free-form options JSON.
   */
  options?: Record<string, unknown>;
};

/** What an apply changed on the gateway, to restore on release. JSON-serializable. */
export type AdminWsState = {
  cronWasEnabled?: boolean;
  disabledCronJobs?: string[];
  /** key → previous value of `enabled` in the config entry (null = was unset) */
  disabledSkills?: Record<string, boolean | null>;
  disabledPlugins?: Record<string, boolean | null>;
};

export type AdminWsResult = { ok: true; detail: string; state?: AdminWsState } | { ok: false; error: string };

const PROTOCOL = 4;
const MAX_MESSAGE = 32 * 1024 * 1024;
/** The Warden plugin's id: never disabled by disable_extensions. */
const WARDEN_PLUGIN_ID = "warden";

/** Only ws:// or wss:// URLs with a host and without credentials (the token goes in the connect frame). */
export function checkAdminWsUrl(raw: string): { ok: true; url: URL } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: "The admin WebSocket URL is not a valid URL." };
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") return { ok: false, error: "The admin WebSocket URL must start with ws:// or wss://." };
  if (url.username || url.password) return { ok: false, error: "The admin WebSocket URL must not contain credentials (the gateway token is sent in the connect frame)." };
  if (!url.hostname) return { ok: false, error: "The admin WebSocket URL has no host." };
  return { ok: true, url };
}

/**
 * The URL's syntax plus the address policy for gateways (`lib/net/address-policy.ts`, use
 * "gateway-admin"): public and private-network addresses; loopback only with
 * WARDEN_GATEWAY_ALLOW_LOOPBACK=1; link-local, metadata and other special-purpose ranges never.
 * Checked when a gateway is registered and again right before each connection (DNS may change);
 * the connection then goes to the returned address.
 */
export async function checkAdminWsTarget(raw: string): Promise<{ ok: true; url: URL; address: string; family: 4 | 6 } | { ok: false; error: string }> {
  const checked = checkAdminWsUrl(raw);
  if (!checked.ok) return checked;
  const decision = await checkHostForUse(checked.url.hostname, "gateway-admin");
  return decision.ok ? { ok: true, url: checked.url, address: decision.address, family: decision.family } : { ok: false, error: decision.reason };
}

/** All that users see when a connection to a gateway's admin WebSocket fails, whatever the cause. */
export const COULD_NOT_CONNECT = "could not connect to the gateway's admin WebSocket";

/**
 * A failure before the gateway proved it is an OpenClaw gateway that accepts our token (refused
 * address, DNS, TCP, TLS, HTTP answer instead of an upgrade, handshake). Its message is fixed: what
 * the remote answered (an HTTP status, a banner, an error text) would let whoever can point a
 * gateway URL somewhere probe that place. `detail` is for the server log only.
 */
export class AdminWsConnectError extends Error {
  constructor(
    readonly detail: string,
    message = COULD_NOT_CONNECT,
  ) {
    super(message);
  }
}

// ---- the WebSocket itself: the `ws` package (handshake, framing, UTF-8 checks, size limit) ------

/**
 * One open admin WebSocket. Messages that arrive before a handler is set (e.g. the challenge in the
 * upgrade's first packet) are kept. Anything that is not a JSON object in a text frame ends the
 * connection: the gateway protocol has nothing else, so it is a broken or hostile peer.
 */
class WsConnection {
  private closedWith: string | null = null;
  private queued: Record<string, unknown>[] = [];
  private handler: ((frame: Record<string, unknown>) => void) | null = null;
  private closeHandler: (why: string) => void = () => {};

  /** Also called at once when the connection already ended (e.g. on a bad frame in the upgrade's first packet). */
  set onClose(fn: (why: string) => void) {
    this.closeHandler = fn;
    if (this.closedWith !== null) fn(this.closedWith);
  }

  set onMessage(fn: (frame: Record<string, unknown>) => void) {
    this.handler = fn;
    for (const m of this.queued.splice(0)) fn(m);
  }

  constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
      if (this.closedWith !== null) return;
      if (isBinary) return this.fail("protocol error: a binary frame");
      let frame: unknown;
      try {
        // ws has already checked the text frame is valid UTF-8 (it closes with 1007 otherwise).
        frame = JSON.parse(rawText(data));
      } catch {
        return this.fail("protocol error: a frame that is not JSON");
      }
      if (frame === null || typeof frame !== "object" || Array.isArray(frame)) return this.fail("protocol error: a frame that is not a JSON object");
      if (this.handler) this.handler(frame as Record<string, unknown>);
      else this.queued.push(frame as Record<string, unknown>);
    });
    ws.on("close", (code: number, reason: Buffer) =>
      this.finish(
        `the gateway closed the connection (${code}${
          reason.length
            ? ` ${reason
                .toString("utf8")
                .slice(0, 200)
                .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ")}`
            : ""
        })`,
      ),
    );
    // ws reports protocol violations (oversized or invalid frames, bad UTF-8) here, then closes.
    ws.on("error", (e: Error) => this.fail(`connection error: ${e.message}`));
  }

  get closed() {
    return this.closedWith !== null;
  }

  /** Why the connection ended (for the server log), or null while it is open. */
  get closeReason() {
    return this.closedWith;
  }

  private finish(why: string) {
    if (this.closedWith !== null) return;
    this.closedWith = why;
    this.closeHandler(why);
  }

  private fail(why: string) {
    this.finish(why);
    this.ws.terminate();
  }

  send(text: string) {
    if (this.closedWith !== null) throw new Error(this.closedWith);
    this.ws.send(text);
  }

  /** Close politely and make sure the socket is gone shortly after (a peer may never answer the close). */
  close() {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000);
      setTimeout(() => this.ws.terminate(), 200).unref();
    } else this.ws.terminate();
    this.finish("closed by Warden");
  }
}

const rawText = (data: WebSocket.RawData) => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString("utf8");

/**
 * Open the WebSocket to the address the policy checked (`lookup` answers with it: no second DNS
 * answer, no rebinding), without redirects (they would leave the checked address) or compression
 * (no extensions: a small frame cannot inflate into a large message). The whole opening handshake
 * is bounded by `timeoutMs` (ws's own handshakeTimeout is an idle timer, which a server trickling
 * bytes would keep resetting).
 */
function openWebSocket(url: URL, pin: { address: string; family: 4 | 6 }, timeoutMs: number): Promise<WsConnection> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        lookup: pinnedLookup(pin.address, pin.family),
        handshakeTimeout: timeoutMs,
        maxPayload: MAX_MESSAGE,
        perMessageDeflate: false,
        followRedirects: false,
        headers: { "User-Agent": "warden-containment" },
      });
    } catch (err) {
      return reject(err);
    }
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.off("open", onOpen);
      ws.off("error", onError);
      ws.off("close", onEarlyClose);
      if (err) {
        ws.on("error", () => {}); // late errors of a dead socket
        ws.terminate();
        reject(err);
      } else resolve(new WsConnection(ws));
    };
    const onOpen = () => {
      (ws as unknown as { _socket?: { setNoDelay?: (v: boolean) => void } })._socket?.setNoDelay?.(true);
      settle(null);
    };
    const onError = (err: Error) => settle(err);
    const onEarlyClose = () => settle(new Error("the connection closed during the WebSocket handshake"));
    const timer = setTimeout(() => settle(new Error(`no WebSocket upgrade within ${timeoutMs} ms`)), timeoutMs);
    ws.on("open", onOpen);
    ws.on("error", onError);
    ws.on("close", onEarlyClose);
  });
}

// ---- gateway protocol session ----------------------------------------------------------------

type ResFrame = { type: "res"; id: string; ok: boolean; payload?: unknown; error?: { code?: string; message?: string; details?: unknown; retryable?: boolean; retryAfterMs?: number } };

/**
 * An error answer from the gateway. The message users see names the method and a sanitized error
 * code only; the gateway's own text stays in `remoteMessage` (logic and server logs).
 */
export class GatewayRpcError extends Error {
  readonly code: string;
  constructor(
    readonly method: string,
    code: string,
    readonly remoteMessage: string,
    readonly retryable = false,
    readonly retryAfterMs?: number,
  ) {
    const safe = /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : "ERROR";
    super(`${method}: the gateway answered ${safe}`);
    this.code = safe;
  }
}

export type GatewaySession = {
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  hello: { protocol?: number; server?: { version?: string }; auth?: { role?: string; scopes?: string[] } };
};

/** Remaining time before the deadline, at least 1 ms. */
const left = (deadline: number) => Math.max(1, deadline - Date.now());

/**
 * Open an authenticated admin session, run `fn`, always close the socket. Every wait is bounded by
 * one deadline (`timeoutMs` from now). The token is only ever written into the connect frame.
 */
export async function withGatewaySession<T>(opts: { url: string; token: string; timeoutMs?: number }, fn: (s: GatewaySession) => Promise<T>): Promise<T> {
  if (!opts.token) throw new Error("No gateway token configured.");
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const target = await checkAdminWsTarget(opts.url);
  if (!target.ok) throw new AdminWsConnectError(`refused by the address policy: ${target.error}`);
  // A gateway that is still starting answers connect with a retryable UNAVAILABLE: retry in budget.
  for (;;) {
    try {
      return await session(target.url, target, opts.token, deadline, fn);
    } catch (err) {
      if (!(err instanceof GatewayRpcError && err.method === "connect" && err.retryable)) throw err;
      const wait = Math.max(250, Math.min(err.retryAfterMs ?? 1000, 5000));
      if (Date.now() + wait + 500 >= deadline) throw new AdminWsConnectError(`connect: ${err.code} ${err.remoteMessage}`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

const errText = (err: unknown) => (err instanceof GatewayRpcError ? `${err.method}: ${err.code} ${err.remoteMessage}` : err instanceof Error ? err.message : String(err));

async function session<T>(url: URL, pin: { address: string; family: 4 | 6 }, token: string, deadline: number, fn: (s: GatewaySession) => Promise<T>): Promise<T> {
  let conn: WsConnection;
  try {
    conn = await openWebSocket(url, pin, left(deadline));
  } catch (err) {
    throw new AdminWsConnectError(errText(err));
  }
  const pending = new Map<string, { resolve: (f: ResFrame) => void; reject: (e: Error) => void }>();
  let challenged = false;
  let onChallenge: (() => void) | null = null;
  let seq = 0;
  conn.onMessage = (frame) => {
    if (frame.type === "event" && frame.event === "connect.challenge") {
      challenged = true;
      onChallenge?.();
    } else if (frame.type === "res" && typeof frame.id === "string" && pending.has(frame.id)) {
      const p = pending.get(frame.id)!;
      pending.delete(frame.id);
      p.resolve(frame as ResFrame);
    }
  };
  conn.onClose = (why) => {
    for (const p of pending.values()) p.reject(new Error(why));
    pending.clear();
    onChallenge?.();
  };
  const request = (method: string, params: Record<string, unknown>): Promise<ResFrame> =>
    new Promise((resolve, reject) => {
      if (conn.closed) return reject(new Error("the connection is closed"));
      const id = `w${++seq}`;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method}: no answer within the time limit`));
      }, left(deadline));
      pending.set(id, {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      conn.send(JSON.stringify({ type: "req", id, method, params }));
    });
  try {
    const hello = await handshake().catch((err: unknown) => {
      // Retryable connect answers go back to the retry loop, which ends in AdminWsConnectError.
      if (err instanceof AdminWsConnectError || (err instanceof GatewayRpcError && err.method === "connect" && err.retryable)) throw err;
      throw new AdminWsConnectError(errText(err));
    });
    const session: GatewaySession = {
      hello,
      async call<R>(method: string, params: Record<string, unknown> = {}) {
        const f = await request(method, params);
        if (!f.ok) throw new GatewayRpcError(method, f.error?.code ?? "ERROR", f.error?.message ?? "failed", f.error?.retryable === true);
        return f.payload as R;
      },
    };
    return await fn(session);
  } finally {
    conn.close();
  }

  async function handshake(): Promise<GatewaySession["hello"]> {
    // The gateway speaks first (connect.challenge); older gateways may not: then connect anyway.
    if (!challenged && !conn.closed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(3000, left(deadline)));
        onChallenge = () => {
          clearTimeout(t);
          resolve();
        };
      });
      onChallenge = null;
    }
    if (conn.closed) throw new Error(`before the handshake: ${conn.closeReason}`);
    const hello = await request("connect", {
      minProtocol: PROTOCOL,
      maxProtocol: PROTOCOL,
      client: { id: "gateway-client", displayName: "Warden", version: "warden", platform: process.platform, mode: "backend" },
      role: "operator",
      scopes: ["operator.admin"],
      caps: [],
      auth: { token },
    });
    if (!hello.ok) {
      const e = hello.error ?? {};
      const hint = /token|auth/i.test(`${e.code} ${e.message}`) ? " (check the gateway token)" : "";
      throw new GatewayRpcError("connect", e.code ?? "ERROR", `${e.message ?? "refused"}${hint}`, e.retryable === true, e.retryAfterMs);
    }
    const h = (hello.payload ?? {}) as GatewaySession["hello"] & { type?: string };
    if (h.type !== "hello-ok") throw new Error("connect: unexpected answer (no hello-ok)");
    const scopes = Array.isArray(h.auth?.scopes) ? h.auth.scopes.filter((x): x is string => typeof x === "string") : [];
    if (!scopes.includes("operator.admin")) {
      throw new AdminWsConnectError(
        `connect: granted scopes [${scopes.join(", ")}]`,
        `${COULD_NOT_CONNECT}: the gateway did not grant operator.admin to this token (a remote gateway requires a paired device identity; use a loopback or tunnelled URL)`,
      );
    }
    return h;
  }
}

// ---- containment over the session -------------------------------------------------------------

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
function getPath(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
function setPath(obj: Json, path: string[], value: unknown) {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Json;
  }
  cur[path[path.length - 1]] = value;
}
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const AGENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const TOOL_NAME = /^[A-Za-z0-9_.:*\-]{1,200}$/;

type Patch = { patch: Json; replacePaths?: string[]; note: string };

/**
 * config.get → build(sourceConfig) → config.patch with baseHash; retried when the config changed
 * in between. `build` returns null when nothing needs to change (idempotent re-delivery).
 */
async function patchConfig(s: GatewaySession, build: (source: Json) => Patch | null): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const got = await s.call<{ hash?: string; sourceConfig?: Json; parsed?: Json; config?: Json }>("config.get", {});
    const source = got.sourceConfig ?? got.parsed ?? got.config ?? {};
    const p = build(source);
    if (!p) return "";
    try {
      await s.call("config.patch", { raw: JSON.stringify(p.patch), ...(got.hash ? { baseHash: got.hash } : {}), ...(p.replacePaths?.length ? { replacePaths: p.replacePaths } : {}) });
      return p.note;
    } catch (err) {
      const stale = err instanceof GatewayRpcError && (/changed since last load/i.test(err.remoteMessage) || err.retryable);
      if (!stale || attempt >= 3) throw err;
    }
  }
}

/** Add `value` to the array at `path` (no-op when present). */
function addToList(path: string, value: string): (source: Json) => Patch | null {
  return (source) => {
    const keys = path.split(".");
    const cur = strings(getPath(source, keys));
    if (cur.includes(value)) return null;
    const patch: Json = {};
    setPath(patch, keys, [...cur, value]);
    return { patch, note: `${path} += "${value}"` };
  };
}

/** Remove `value` from the array at `path` (deleting the array when it becomes empty). */
function removeFromList(path: string, value: string): (source: Json) => Patch | null {
  return (source) => {
    const keys = path.split(".");
    const cur = strings(getPath(source, keys));
    if (!cur.includes(value)) return null;
    const rest = cur.filter((x) => x !== value);
    const patch: Json = {};
    setPath(patch, keys, rest.length ? rest : null);
    return { patch, replacePaths: [path], note: `${path} -= "${value}"` };
  };
}

async function listCronJobs(s: GatewaySession) {
  const jobs: { id: string; name?: string; agentId?: string; effectiveAgentId?: string; enabled?: boolean }[] = [];
  for (let offset = 0; offset < 10_000; offset += 200) {
    const page = await s.call<{ jobs?: typeof jobs; hasMore?: boolean }>("cron.list", { includeDisabled: true, limit: 200, offset });
    jobs.push(...(page.jobs ?? []));
    if (!page.hasMore) break;
  }
  return jobs;
}

async function agentIds(s: GatewaySession): Promise<string[]> {
  const res = await s.call<{ agents?: { id?: string }[] }>("agents.list", {});
  return (res.agents ?? []).map((a) => a.id).filter((id): id is string => typeof id === "string");
}

const done = (parts: string[]) => parts.filter(Boolean).join("; ");

/** The options a command may carry, validated (they come from a JSON column). */
function readOptions(raw: Record<string, unknown> | undefined) {
  const o = raw ?? {};
  const bools = (v: unknown) => (isObj(v) ? (Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === "boolean" || x === null)) as Record<string, boolean | null>) : undefined);
  return {
    cronOff: o.cronOff === true,
    agentExternalId: typeof o.agentExternalId === "string" && o.agentExternalId ? o.agentExternalId : undefined,
    cronWasEnabled: typeof o.cronWasEnabled === "boolean" ? o.cronWasEnabled : undefined,
    disabledCronJobs: Array.isArray(o.disabledCronJobs) ? o.disabledCronJobs.filter((x): x is string => typeof x === "string") : undefined,
    disabledSkills: bools(o.disabledSkills),
    disabledPlugins: bools(o.disabledPlugins),
  };
}

async function runCommand(s: GatewaySession, cmd: AdminWsCommand): Promise<{ detail: string; state?: AdminWsState }> {
  const release = cmd.kind === "release";
  const opts = readOptions(cmd.options);
  const whole = cmd.scope === "gateway" || cmd.scope === "fleet";
  switch (cmd.action) {
    case "require_approval":
      // Not a deny: the Warden plugin holds each call of the tool for a person's approval (the
      // policy's containment.approvalTools and its own command path). A tools.deny here would remove
      // the tool outright and no call could ever be approved.
      if (!TOOL_NAME.test(cmd.target) || cmd.target === "*") throw new Error(`invalid tool name "${cmd.target}"`);
      return { detail: `tool "${cmd.target}" ${release ? "no longer held" : "held"} for approval by the Warden plugin (nothing to change over the admin WebSocket)` };
    case "deny_tool": {
      if (!TOOL_NAME.test(cmd.target) || cmd.target === "*") throw new Error(`invalid tool name "${cmd.target}"`);
      const note = await patchConfig(s, (release ? removeFromList : addToList)("tools.deny", cmd.target));
      return { detail: done([`tool "${cmd.target}" ${release ? "no longer denied" : "denied for every agent"} (config tools.deny)`, note ? "" : "(no change needed)"]) };
    }
    case "suspend_agent": {
      if (whole || cmd.target === "*") return runCommand(s, { ...cmd, action: "block_all" });
      // Warden sends its own agent id as target and the gateway's id as options.agentExternalId.
      const agentId = opts.agentExternalId ?? cmd.target;
      if (!AGENT_ID.test(agentId)) throw new Error(`invalid agent id "${agentId}"`);
      const ids = await agentIds(s);
      if (!ids.includes(agentId)) throw new Error(`agent "${agentId}" is not on this gateway`);
      const path = `agents.entries.${agentId}.tools.deny`;
      const note = await patchConfig(s, (release ? removeFromList : addToList)(path, "*"));
      const parts = [`agent "${agentId}" ${release ? "released" : "suspended: every tool denied"} (config ${path})`, note ? "" : "(no change needed)"];
      const state: AdminWsState = {};
      if (!release && opts.cronOff) {
        // System-owned jobs (e.g. the agent's heartbeat monitor) refuse edits from clients: the
        // suspension still holds (every tool denied); report them instead of failing.
        const jobs = (await listCronJobs(s)).filter((j) => (j.agentId ?? j.effectiveAgentId) === agentId && j.enabled !== false);
        const disabled: string[] = [];
        const skipped: string[] = [];
        for (const j of jobs) {
          try {
            await s.call("cron.update", { id: j.id, patch: { enabled: false } });
            disabled.push(j.id);
          } catch (err) {
            skipped.push(`${j.id} (${err instanceof GatewayRpcError ? err.code : "failed"})`);
          }
        }
        state.disabledCronJobs = [...new Set([...(opts.disabledCronJobs ?? []), ...disabled])];
        parts.push(`cron: disabled ${disabled.length} job(s) of the agent${skipped.length ? `; not disabled: ${skipped.join(", ")}` : ""}`);
      } else if (release && (opts.cronOff || opts.disabledCronJobs)) {
        const ids = opts.disabledCronJobs ?? [];
        const failed: string[] = [];
        for (const id of ids) {
          try {
            await s.call("cron.update", { id, patch: { enabled: true } });
          } catch (err) {
            failed.push(`${id}: ${err instanceof GatewayRpcError ? err.code : "failed"}`);
          }
        }
        parts.push(ids.length ? `cron: re-enabled ${ids.length - failed.length} job(s)${failed.length ? `; failed: ${failed.join(", ")}` : ""}` : "cron: no record of disabled jobs, left as they are");
      }
      return { detail: done(parts), ...(Object.keys(state).length ? { state } : {}) };
    }
    case "block_all":
    case "suspend_gateway":
    case "shutdown": {
      const note = await patchConfig(s, (release ? removeFromList : addToList)("tools.deny", "*"));
      const head = release ? "tool calls no longer denied by Warden (config tools.deny)" : 'every tool call denied (config tools.deny "*")';
      const extra = cmd.action === "shutdown" && !release ? "the admin WebSocket has no stop method: the gateway keeps running with every tool denied" : "";
      return { detail: done([head, note ? "" : "(no change needed)", extra]) };
    }
    case "cron_off": {
      if (!release) {
        let was: boolean | undefined;
        await patchConfig(s, (source) => {
          was = getPath(source, ["cron", "enabled"]) !== false;
          return was ? { patch: { cron: { enabled: false } }, note: "cron.enabled=false" } : null;
        });
        // Keep the memory of an earlier delivery: a repeated apply sees cron already off.
        const cronWasEnabled = typeof opts.cronWasEnabled === "boolean" ? opts.cronWasEnabled : was !== false;
        return { detail: `cron disabled (config cron.enabled=false; it was ${cronWasEnabled ? "enabled" : "already disabled"} before)`, state: { cronWasEnabled } };
      }
      if (opts.cronWasEnabled === false) return { detail: "cron left disabled (it was disabled before Warden)" };
      await patchConfig(s, (source) => (getPath(source, ["cron", "enabled"]) === false ? { patch: { cron: { enabled: null } }, note: "cron.enabled unset" } : null));
      return { detail: `cron re-enabled (config cron.enabled removed, default enabled)${typeof opts.cronWasEnabled === "boolean" ? "" : "; no record of the previous setting"}` };
    }
    case "disable_extensions": {
      if (!release) {
        const skills = new Set<string>();
        for (const agentId of (await agentIds(s)).slice(0, 100)) {
          const st = await s.call<{ skills?: { skillKey?: string; disabled?: boolean }[] }>("skills.status", { agentId });
          for (const sk of st.skills ?? []) if (sk.skillKey && sk.disabled !== true) skills.add(sk.skillKey);
        }
        const plugins = ((await s.call<{ plugins?: { id?: string; enabled?: boolean; origin?: string }[] }>("plugins.list", {})).plugins ?? [])
          .filter((p) => p.id && p.id !== WARDEN_PLUGIN_ID && p.enabled === true && p.origin !== "bundled")
          .map((p) => p.id as string);
        const state: Required<Pick<AdminWsState, "disabledSkills" | "disabledPlugins">> = { disabledSkills: { ...(opts.disabledSkills ?? {}) }, disabledPlugins: { ...(opts.disabledPlugins ?? {}) } };
        await patchConfig(s, (source) => {
          if (!skills.size && !plugins.length) return null;
          const patch: Json = {};
          for (const k of skills) {
            const prev = getPath(source, ["skills", "entries", k, "enabled"]);
            if (!(k in state.disabledSkills)) state.disabledSkills[k] = typeof prev === "boolean" ? prev : null;
            setPath(patch, ["skills", "entries", k, "enabled"], false);
          }
          for (const id of plugins) {
            const prev = getPath(source, ["plugins", "entries", id, "enabled"]);
            if (!(id in state.disabledPlugins)) state.disabledPlugins[id] = typeof prev === "boolean" ? prev : null;
            setPath(patch, ["plugins", "entries", id, "enabled"], false);
          }
          return { patch, note: "extensions disabled" };
        });
        return { detail: `extensions disabled: ${skills.size} skill(s), ${plugins.length} plugin(s)${plugins.length ? ` (${plugins.join(", ")})` : ""}; the Warden plugin stays enabled`, state };
      }
      const skills = Object.entries(opts.disabledSkills ?? {});
      const plugins = Object.entries(opts.disabledPlugins ?? {}).filter(([id]) => id !== WARDEN_PLUGIN_ID);
      if (!skills.length && !plugins.length) return { detail: "nothing recorded to restore: extensions left as they are" };
      await patchConfig(s, () => {
        const patch: Json = {};
        for (const [k, prev] of skills) setPath(patch, ["skills", "entries", k, "enabled"], typeof prev === "boolean" ? prev : null);
        for (const [id, prev] of plugins) setPath(patch, ["plugins", "entries", id, "enabled"], typeof prev === "boolean" ? prev : null);
        return { patch, note: "extensions restored" };
      });
      return { detail: `extensions restored: ${skills.length} skill(s), ${plugins.length} plugin(s) back to their previous setting` };
    }
    default:
      throw new Error(`unsupported action "${cmd.action}" (scope ${cmd.scope})`);
  }
}

/**
 * Apply or release one containment command through the gateway's admin WebSocket. Never throws;
 * never includes the token in the result. `state` (apply only) must be kept per gateway and passed
 * back in `command.options` for the release and for repeated applies.
 */
export async function applyViaAdminWs({
  url,
  token,
  command,
  timeoutMs = 10_000,
  label = "gateway",
}: {
  url: string;
  token: string;
  command: AdminWsCommand;
  timeoutMs?: number;
  label?: string;
}): Promise<AdminWsResult> {
  const checked = checkAdminWsUrl(url);
  if (!checked.ok) return { ok: false, error: checked.error };
  const redact = (text: string) => (token ? text.split(token).join("[token]") : text);
  try {
    const r = await withGatewaySession({ url, token, timeoutMs }, (s) => runCommand(s, command));
    return { ok: true, detail: redact(r.detail).slice(0, 4000), ...(r.state ? { state: r.state } : {}) };
  } catch (err) {
    // Operators get the cause in the server log (never the token); users get the fixed text.
    console.warn(`[containment] admin WebSocket of ${label}: ${redact(err instanceof AdminWsConnectError ? err.detail : errText(err)).slice(0, 500)}`);
    return { ok: false, error: redact(err instanceof Error ? err.message : String(err)).slice(0, 4000) };
  }
}
