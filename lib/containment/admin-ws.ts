import "server-only";
import http from "node:http";
import https from "node:https";
import { createHash, randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
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
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
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
  constructor(readonly detail: string, message = COULD_NOT_CONNECT) {
    super(message);
  }
}

// ---- a minimal RFC 6455 client (text frames, ping/pong, close; no extensions) ----------------

class WsConnection {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closedWith: string | null = null;
  private queued: string[] = [];
  private handler: ((text: string) => void) | null = null;
  onClose: (why: string) => void = () => {};

  /** Messages that arrived before a handler was set (e.g. in the upgrade's first packet) are kept. */
  set onMessage(fn: (text: string) => void) {
    this.handler = fn;
    for (const m of this.queued.splice(0)) fn(m);
  }

  private deliver(text: string) {
    if (this.handler) this.handler(text);
    else this.queued.push(text);
  }

  constructor(private readonly socket: Duplex, head: Buffer) {
    socket.on("data", (d: Buffer) => this.feed(d));
    socket.on("close", () => this.finish("the gateway closed the connection"));
    socket.on("error", (e: Error) => this.finish(`connection error: ${e.message}`));
    if (head.length) this.feed(head);
  }

  get closed() {
    return this.closedWith !== null;
  }

  private finish(why: string) {
    if (this.closedWith !== null) return;
    this.closedWith = why;
    this.onClose(why);
  }

  private feed(d: Buffer) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 2 && this.closedWith === null) {
      const b0 = this.buf[0];
      const b1 = this.buf[1];
      if (b0 & 0x70) return this.fail("protocol error: reserved bits set (no extensions negotiated)");
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        if (this.buf.readUInt32BE(2) !== 0) return this.fail("frame too large");
        len = this.buf.readUInt32BE(6);
        off = 10;
      }
      if (len > MAX_MESSAGE) return this.fail("frame too large");
      const maskAt = off;
      if (masked) off += 4;
      if (this.buf.length < off + len) return;
      const payload = Buffer.from(this.buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= this.buf[maskAt + (i % 4)];
      this.buf = this.buf.subarray(off + len);
      const fin = (b0 & 0x80) !== 0;
      if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
        if (opcode !== 0x0) this.fragments = [];
        this.fragments.push(payload);
        const total = this.fragments.reduce((n, f) => n + f.length, 0);
        if (total > MAX_MESSAGE) return this.fail("message too large");
        if (fin) {
          const text = Buffer.concat(this.fragments).toString("utf8");
          this.fragments = [];
          this.deliver(text);
        }
      } else if (opcode === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString("utf8") : "";
        this.sendFrame(0x8, payload.subarray(0, 2));
        this.socket.end();
        this.finish(`the gateway closed the connection (${code}${reason ? ` ${reason}` : ""})`);
      } else if (opcode === 0x9) {
        this.sendFrame(0xa, payload);
      } // 0xA pong: ignored
    }
  }

  private fail(why: string) {
    this.finish(why);
    this.socket.destroy();
  }

  private sendFrame(opcode: number, payload: Buffer) {
    if (this.socket.destroyed) return;
    const mask = randomBytes(4);
    const len = payload.length;
    const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (len < 126) header[1] = 0x80 | len;
    else if (len < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(len, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeUInt32BE(0, 2);
      header.writeUInt32BE(len, 6);
    }
    const body = Buffer.alloc(len);
    for (let i = 0; i < len; i++) body[i] = payload[i] ^ mask[i % 4];
    this.socket.write(Buffer.concat([header, mask, body]));
  }

  send(text: string) {
    if (this.closedWith !== null) throw new Error(this.closedWith);
    this.sendFrame(0x1, Buffer.from(text, "utf8"));
  }

  /** Close politely and make sure the socket is gone. */
  close() {
    if (!this.socket.destroyed) {
      try {
        const p = Buffer.alloc(2);
        p.writeUInt16BE(1000, 0);
        this.sendFrame(0x8, p);
        this.socket.end();
      } catch {
        /* already gone */
      }
      setTimeout(() => this.socket.destroy(), 200).unref();
    }
    this.finish("closed by Warden");
  }
}

function openWebSocket(url: URL, pin: { address: string; family: 4 | 6 }, timeoutMs: number): Promise<WsConnection> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString("base64");
    const secure = url.protocol === "wss:";
    const req = (secure ? https : http).request({
      protocol: secure ? "https:" : "http:",
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname || "/"}${url.search}`,
      method: "GET",
      agent: false,
      // Connect to the address the policy checked, not to a second DNS answer.
      lookup: pinnedLookup(pin.address, pin.family),
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13", "User-Agent": "warden-containment" },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no WebSocket upgrade within ${timeoutMs} ms`)), timeoutMs);
    req.on("upgrade", (res, socket, head) => {
      clearTimeout(timer);
      const expected = createHash("sha1").update(key + WS_GUID).digest("base64");
      if (res.statusCode !== 101 || res.headers["sec-websocket-accept"] !== expected) {
        socket.destroy();
        return reject(new Error("the server did not accept the WebSocket upgrade"));
      }
      (socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      resolve(new WsConnection(socket, head));
    });
    req.on("response", (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy(); // not a WebSocket: do not keep the connection open
      reject(new Error(`HTTP ${res.statusCode} instead of a WebSocket upgrade`));
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
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
  conn.onMessage = (text) => {
    let frame: { type?: string; id?: string; event?: string };
    try {
      frame = JSON.parse(text);
    } catch {
      return; // not ours to interpret
    }
    if (frame.type === "event" && frame.event === "connect.challenge") {
      challenged = true;
      onChallenge?.();
    }
    else if (frame.type === "res" && frame.id && pending.has(frame.id)) {
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
    if (!challenged) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(3000, left(deadline)));
        onChallenge = () => {
          clearTimeout(t);
          resolve();
        };
      });
      onChallenge = null;
    }
    if (conn.closed) throw new Error("the gateway closed the connection before the handshake");
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
    const scopes = h.auth?.scopes ?? [];
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
  const bools = (v: unknown) => (isObj(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === "boolean" || x === null)) as Record<string, boolean | null> : undefined);
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
      const head = release ? "tool calls no longer denied by Warden (config tools.deny)" : "every tool call denied (config tools.deny \"*\")";
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
export async function applyViaAdminWs({ url, token, command, timeoutMs = 10_000, label = "gateway" }: { url: string; token: string; command: AdminWsCommand; timeoutMs?: number; label?: string }): Promise<AdminWsResult> {
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
