// The admin-WebSocket containment path against a tiny in-process fake OpenClaw gateway that speaks
// the same wire protocol (WebSocket from the ws package, connect.challenge → connect → hello-ok, config.get /
// config.patch with baseHash and replacePaths, agents.list, cron.list/cron.update) and records
// every request frame. The same flows were checked against a real openclaw@2026.9.6 gateway with
// scripts/openclaw-containment-check.mjs.
import http from "node:http";
import type { Duplex } from "node:stream";
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { applyViaAdminWs, checkAdminWsTarget, checkAdminWsUrl, COULD_NOT_CONNECT, withGatewaySession } from "./admin-ws";

// Names the address policy's DNS lookup answers differently from the system resolver (rebinding test).
const lookupOverride = vi.hoisted(() => new Map<string, string>());
vi.mock("node:dns/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns/promises")>();
  const lookup = ((host: string, opts: unknown) => {
    const address = lookupOverride.get(host);
    return address ? Promise.resolve([{ address, family: 4 }]) : (real.lookup as (h: string, o: unknown) => Promise<unknown>)(host, opts);
  }) as typeof real.lookup;
  return { ...real, default: { ...real, lookup }, lookup };
});

// The fake gateways listen on 127.0.0.1: loopback is allowed here as in a deployment with the
// gateway on Warden's own host; tests that need the default policy delete the flag.
beforeEach(() => {
  process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK = "1";
});

type Frame = { type: string; id: string; method: string; params: Record<string, unknown> };
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** JSON merge patch like the gateway's: null deletes; dropping array entries needs replacePaths. */
function mergePatch(target: Json, patch: Json, replacePaths: string[], path: string[] = []): string | null {
  for (const [k, v] of Object.entries(patch)) {
    const p = [...path, k];
    const cur = target[k];
    if (Array.isArray(cur) && (v === null || (Array.isArray(v) && cur.some((x) => !v.includes(x)))) && !replacePaths.includes(p.join("."))) {
      return `config.patch would remove entries from array path(s): ${p.join(".")}. Pass replacePaths with the exact path(s) when this is intentional, or use config.apply for full-config replacement.`;
    }
    if (v === null) delete target[k];
    else if (isObj(v)) {
      if (!isObj(cur)) target[k] = {};
      const err = mergePatch(target[k] as Json, v, replacePaths, p);
      if (err) return err;
    } else target[k] = v;
  }
  return null;
}

type FakeOptions = { token?: string; silent?: boolean; staleOnce?: boolean; agents?: string[]; scopes?: string[]; startingFor?: number };

class FakeGateway {
  server = http.createServer();
  wss = new WebSocketServer({ noServer: true });
  frames: Frame[] = [];
  config: Json = {};
  jobs = [
    { id: "job-main-1", name: "heartbeat-main", agentId: "main", enabled: true },
    { id: "job-main-2", name: "digest", effectiveAgentId: "main", enabled: true },
    { id: "job-ops-1", name: "ops-report", agentId: "ops", enabled: true },
  ];
  sockets = new Set<Duplex>();
  closedByClient = 0;
  private rev = 0;
  private staleLeft: number;
  private startingLeft: number;
  url = "";

  constructor(private readonly opts: FakeOptions = {}) {
    this.staleLeft = opts.staleOnce ? 1 : 0;
    this.startingLeft = opts.startingFor ?? 0;
    this.server.on("upgrade", (req, socket: Duplex, head: Buffer) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on("message", (data, isBinary) => {
          expect(isBinary).toBe(false);
          this.onFrame(ws, JSON.parse(String(data)));
        });
        ws.on("close", (code) => code === 1000 && this.closedByClient++); // a polite close
        if (!opts.silent) this.send(ws, { type: "event", event: "connect.challenge", payload: { nonce: randomBytes(8).toString("hex"), ts: Date.now() } });
      });
    });
  }

  async start() {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    const addr = this.server.address() as { port: number };
    this.url = `ws://127.0.0.1:${addr.port}`;
    return this;
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  get hash() {
    return `hash-${this.rev}`;
  }

  send(ws: WebSocket, obj: unknown) {
    ws.send(JSON.stringify(obj));
  }

  private onFrame(socket: WebSocket, f: Frame) {
    this.frames.push(f);
    const ok = (payload: unknown) => this.send(socket, { type: "res", id: f.id, ok: true, payload });
    const fail = (code: string, message: string) => this.send(socket, { type: "res", id: f.id, ok: false, error: { code, message } });
    if (this.opts.silent) return;
    switch (f.method) {
      case "connect": {
        // A real gateway answers like this for a few seconds after /health is up.
        if (this.startingLeft-- > 0)
          return this.send(socket, { type: "res", id: f.id, ok: false, error: { code: "UNAVAILABLE", message: "gateway starting; retry shortly", retryable: true, retryAfterMs: 100 } });
        const auth = f.params.auth as { token?: string } | undefined;
        if (auth?.token !== (this.opts.token ?? "secret-token")) return fail("INVALID_REQUEST", "unauthorized: gateway token mismatch (provide gateway auth token)");
        return ok({
          type: "hello-ok",
          protocol: 4,
          server: { version: "fake", connId: "c1" },
          features: { methods: [], events: [] },
          snapshot: {},
          auth: { role: "operator", scopes: this.opts.scopes ?? ["operator.admin"] },
          policy: { maxPayload: 1, maxBufferedBytes: 1, tickIntervalMs: 1 },
        });
      }
      case "config.get":
        return ok({ hash: this.hash, sourceConfig: structuredClone(this.config) });
      case "config.patch": {
        if (f.params.baseHash !== this.hash || this.staleLeft-- > 0) {
          this.rev++; // somebody else wrote meanwhile
          return fail("INVALID_REQUEST", "config changed since last load; re-run config.get and retry");
        }
        const next = structuredClone(this.config);
        const err = mergePatch(next, JSON.parse(String(f.params.raw)), (f.params.replacePaths as string[]) ?? []);
        if (err) return fail("INVALID_REQUEST", err);
        this.config = next;
        this.rev++;
        return ok({ ok: true, hash: this.hash, changedPaths: [] });
      }
      case "agents.list":
        return ok({ agents: (this.opts.agents ?? ["main", "ops"]).map((id) => ({ id })) });
      case "cron.list":
        return ok({ jobs: structuredClone(this.jobs), hasMore: false });
      case "cron.update": {
        const job = this.jobs.find((j) => j.id === f.params.id);
        if (!job) return fail("INVALID_REQUEST", "unknown cron job");
        if (job.name.startsWith("heartbeat")) return fail("UNAVAILABLE", "Error: system-owned monitor jobs cannot be edited by cron clients");
        Object.assign(job, f.params.patch as object);
        return ok({ id: job.id });
      }
      default:
        return fail("INVALID_REQUEST", `unknown method: ${f.method}`);
    }
  }

  methods() {
    return this.frames.map((f) => f.method);
  }
  patches() {
    return this.frames.filter((f) => f.method === "config.patch").map((f) => ({ raw: JSON.parse(String(f.params.raw)), baseHash: f.params.baseHash, replacePaths: f.params.replacePaths }));
  }
}

let gw: FakeGateway | null = null;
afterEach(async () => {
  await gw?.stop();
  gw = null;
});
const start = async (opts?: FakeOptions) => (gw = await new FakeGateway(opts).start());
const cmd = (action: string, kind: "apply" | "release" = "apply", extra: Json = {}) =>
  ({ kind, scope: "tool", action, target: "exec", reason: "incident", ...extra }) as Parameters<typeof applyViaAdminWs>[0]["command"];
const waitClosed = async (g: FakeGateway) => {
  for (let i = 0; i < 50 && g.sockets.size; i++) await new Promise((r) => setTimeout(r, 20));
  return g.sockets.size;
};

describe("applyViaAdminWs", () => {
  it("deny_tool: handshake, config.get, config.patch adding to tools.deny; release removes it with replacePaths", async () => {
    const g = await start();
    g.config = { tools: { deny: ["browser"] } };
    const r = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("deny_tool") });
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.detail).toContain('tool "exec" denied');

    const connect = g.frames[0];
    expect(connect).toMatchObject({ type: "req", method: "connect" });
    expect(connect.params).toMatchObject({
      minProtocol: 4,
      maxProtocol: 4,
      role: "operator",
      scopes: ["operator.admin"],
      auth: { token: "secret-token" },
      client: { id: "gateway-client", mode: "backend" },
    });
    expect(g.methods()).toEqual(["connect", "config.get", "config.patch"]);
    expect(g.patches()).toEqual([{ raw: { tools: { deny: ["browser", "exec"] } }, baseHash: "hash-0", replacePaths: undefined }]);
    expect(g.config).toEqual({ tools: { deny: ["browser", "exec"] } });
    expect(await waitClosed(g)).toBe(0);
    expect(g.closedByClient).toBe(1);

    // The same command delivered again changes nothing.
    g.frames = [];
    expect((await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("deny_tool") })).ok).toBe(true);
    expect(g.methods()).toEqual(["connect", "config.get"]);

    g.frames = [];
    const rel = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("deny_tool", "release") });
    expect(rel).toMatchObject({ ok: true });
    expect(g.patches()).toEqual([{ raw: { tools: { deny: ["browser"] } }, baseHash: "hash-1", replacePaths: ["tools.deny"] }]);
    expect(g.config).toEqual({ tools: { deny: ["browser"] } });
  });

  it("releasing the last denied entry deletes the array (null + replacePaths)", async () => {
    const g = await start();
    await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("block_all", "apply", { scope: "gateway", target: "gw" }) });
    expect(g.config).toEqual({ tools: { deny: ["*"] } });
    g.frames = [];
    await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("block_all", "release", { scope: "gateway", target: "gw" }) });
    expect(g.patches()).toEqual([{ raw: { tools: { deny: null } }, baseHash: "hash-1", replacePaths: ["tools.deny"] }]);
    expect(g.config).toEqual({ tools: {} });
  });

  it("cron_off disables cron and returns what it was; release restores it only when it was enabled", async () => {
    const g = await start();
    const r = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("cron_off", "apply", { scope: "gateway", target: "gw" }) });
    expect(r).toMatchObject({ ok: true, state: { cronWasEnabled: true } });
    expect(g.patches()).toEqual([{ raw: { cron: { enabled: false } }, baseHash: "hash-0", replacePaths: undefined }]);
    expect(g.config).toEqual({ cron: { enabled: false } });

    // A repeated apply (cron already off) keeps the memory passed back in options.
    g.frames = [];
    const again = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("cron_off", "apply", { scope: "gateway", target: "gw", options: { cronWasEnabled: true } }) });
    expect(again).toMatchObject({ ok: true, state: { cronWasEnabled: true } });
    expect(g.patches()).toEqual([]);

    g.frames = [];
    await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("cron_off", "release", { scope: "gateway", target: "gw", options: { cronWasEnabled: true } }) });
    expect(g.patches()).toEqual([{ raw: { cron: { enabled: null } }, baseHash: "hash-1", replacePaths: undefined }]);
    expect(g.config).toEqual({ cron: {} });
  });

  it("cron that was off before stays off on release", async () => {
    const g = await start();
    g.config = { cron: { enabled: false } };
    const r = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("cron_off", "apply", { scope: "gateway", target: "gw" }) });
    expect(r).toMatchObject({ ok: true, state: { cronWasEnabled: false } });
    const rel = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("cron_off", "release", { scope: "gateway", target: "gw", options: { cronWasEnabled: false } }) });
    expect(rel.ok && rel.detail).toContain("left disabled");
    expect(g.patches()).toEqual([]);
    expect(g.config).toEqual({ cron: { enabled: false } });
  });

  it("suspend_agent denies every tool of that agent and, with cronOff, disables exactly its cron jobs", async () => {
    const g = await start();
    // As Warden sends it: target = Warden's agent id, the gateway's id in options.agentExternalId.
    const wardenAgent = "6f1c0e5a-3b7d-4c1e-9a2b-0d4e5f6a7b8c";
    const r = await applyViaAdminWs({
      url: g.url,
      token: "secret-token",
      command: cmd("suspend_agent", "apply", { scope: "agent", target: wardenAgent, options: { cronOff: true, agentExternalId: "main", agentName: "Main" } }),
    });
    // The system-owned heartbeat job refuses edits: reported, not fatal; the agent is suspended.
    expect(r).toMatchObject({ ok: true, state: { disabledCronJobs: ["job-main-2"] } });
    expect(r.ok && r.detail).toContain("not disabled: job-main-1 (UNAVAILABLE)");
    expect(r.ok && r.detail).not.toContain("system-owned"); // the gateway's error text stays there
    expect(g.config).toEqual({ agents: { entries: { main: { tools: { deny: ["*"] } } } } });
    expect(g.jobs.map((j) => [j.id, j.enabled])).toEqual([
      ["job-main-1", true],
      ["job-main-2", false],
      ["job-ops-1", true],
    ]);
    const state = r.ok ? r.state : undefined;
    await applyViaAdminWs({
      url: g.url,
      token: "secret-token",
      command: cmd("suspend_agent", "release", { scope: "agent", target: wardenAgent, options: { cronOff: true, agentExternalId: "main", ...state } }),
    });
    expect(g.config).toEqual({ agents: { entries: { main: { tools: {} } } } });
    expect(g.jobs.every((j) => j.enabled)).toBe(true);
    // A target without agentExternalId is taken as the gateway's agent id.
    const direct = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("suspend_agent", "apply", { scope: "agent", target: "ops" }) });
    expect(direct).toMatchObject({ ok: true });
    expect(g.config).toMatchObject({ agents: { entries: { ops: { tools: { deny: ["*"] } } } } });
  });

  it("refuses an agent that is not on the gateway instead of creating one", async () => {
    const g = await start({ agents: ["main"] });
    const r = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("suspend_agent", "apply", { scope: "agent", target: "ghost" }) });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.error).toContain('agent "ghost" is not on this gateway');
    expect(!r.ok && r.error).not.toContain("main"); // the gateway's agent list stays on the gateway
    expect(g.patches()).toEqual([]);
  });

  it("retries when the config changed between config.get and config.patch", async () => {
    const g = await start({ staleOnce: true });
    const r = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("deny_tool") });
    expect(r).toMatchObject({ ok: true });
    expect(g.methods()).toEqual(["connect", "config.get", "config.patch", "config.get", "config.patch"]);
    expect(g.config).toEqual({ tools: { deny: ["exec"] } });
  });

  it("retries connect while the gateway is still starting (retryable UNAVAILABLE)", async () => {
    const g = await start({ startingFor: 2 });
    const r = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("deny_tool") });
    expect(r).toMatchObject({ ok: true });
    expect(g.methods()).toEqual(["connect", "connect", "connect", "config.get", "config.patch"]);
    // Out of budget: the error is returned instead.
    const g2 = new FakeGateway({ startingFor: 1000 });
    await g2.start();
    const r2 = await applyViaAdminWs({ url: g2.url, token: "secret-token", command: cmd("deny_tool"), timeoutMs: 1200 });
    await g2.stop();
    expect(r2).toEqual({ ok: false, error: COULD_NOT_CONNECT }); // not the gateway's "gateway starting" text
  });

  it("a wrong token fails without leaking it, and the socket is closed", async () => {
    const g = await start();
    const r = await applyViaAdminWs({ url: g.url, token: "wrong-token-123", command: cmd("deny_tool") });
    expect(r.ok).toBe(false);
    expect(r).toEqual({ ok: false, error: COULD_NOT_CONNECT }); // the remote's error text is not shown
    expect(JSON.stringify(r)).not.toContain("wrong-token-123");
    expect(g.methods()).toEqual(["connect"]);
    expect(await waitClosed(g)).toBe(0);
  });

  it("refuses a gateway that does not grant operator.admin", async () => {
    const g = await start({ scopes: [] });
    const r = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("deny_tool") });
    expect(!r.ok && r.error).toContain("operator.admin");
  });

  it("times out against a gateway that never answers and closes the socket", async () => {
    const g = await start({ silent: true });
    const t = Date.now();
    const r = await applyViaAdminWs({ url: g.url, token: "secret-token", command: cmd("deny_tool"), timeoutMs: 800 });
    expect(r.ok).toBe(false);
    expect(Date.now() - t).toBeLessThan(3000);
    expect(await waitClosed(g)).toBe(0);
  });

  it("fails cleanly when nothing listens, and on unsupported actions", async () => {
    const g = await start();
    const port = Number(new URL(g.url).port);
    await g.stop();
    gw = null;
    const r = await applyViaAdminWs({ url: `ws://127.0.0.1:${port}`, token: "t", command: cmd("deny_tool"), timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    const g2 = await start();
    const u = await applyViaAdminWs({ url: g2.url, token: "secret-token", command: cmd("format_disk") });
    expect(!u.ok && u.error).toContain("unsupported action");
  });

  it("withGatewaySession exposes raw calls (used by the manual check script)", async () => {
    const g = await start();
    const agents = await withGatewaySession({ url: g.url, token: "secret-token" }, (s) => s.call<{ agents: { id: string }[] }>("agents.list"));
    expect(agents.agents.map((a) => a.id)).toEqual(["main", "ops"]);
  });
});

// ---- hostile peers: raw TCP servers that break the WebSocket protocol on purpose ----------------

const frame = (opcode: number, payload: Buffer | string, { fin = true, length }: { fin?: boolean; length?: number } = {}) => {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const n = length ?? body.length;
  const b0 = (fin ? 0x80 : 0) | opcode;
  let head: Buffer;
  if (n < 126) head = Buffer.from([b0, n]);
  else if (n < 65536) head = Buffer.from([b0, 126, n >> 8, n & 0xff]);
  else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, body]);
};
const challenge = () => frame(1, JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: 1 } }));
const helloOk = (id: string) => frame(1, JSON.stringify({ type: "res", id, ok: true, payload: { type: "hello-ok", protocol: 4, auth: { role: "operator", scopes: ["operator.admin"] } } }));

type Hostile = { url: string; open: number; clientFrames: number; stop: () => Promise<void> };
/**
 * A TCP server that reads the client's upgrade request and hands the socket to `script`:
 * `upgrade()` writes a valid 101 answer; `onClientFrame(n)` is called for each frame the client
 * sends afterwards (1 = connect, whose request id is w1; 2 = the next call, w2 …).
 */
async function hostile(script: (s: net.Socket, h: { upgrade: () => void; onClientFrame: (fn: (n: number) => void) => void }) => void): Promise<Hostile> {
  const sockets = new Set<net.Socket>();
  const state: Hostile = { url: "", open: 0, clientFrames: 0, stop: async () => {} };
  const server = net.createServer((s) => {
    sockets.add(s);
    state.open++;
    s.on("close", () => {
      state.open--;
      sockets.delete(s);
    });
    s.on("error", () => {});
    let head = "";
    let upgraded = false;
    let buf = Buffer.alloc(0);
    let onFrame: (n: number) => void = () => {};
    s.on("data", (d: Buffer) => {
      if (!upgraded) {
        head += d.toString("latin1");
        if (!head.includes("\r\n\r\n")) return;
        upgraded = true;
        const key = /sec-websocket-key: *([^\r]+)/i.exec(head)?.[1] ?? "";
        script(s, {
          upgrade: () =>
            s.write(
              `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64")}\r\n\r\n`,
            ),
          onClientFrame: (fn) => (onFrame = fn),
        });
        return;
      }
      // Count the client's (masked) frames; their content does not matter here.
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) [len, off] = [buf.length >= 4 ? buf.readUInt16BE(2) : Infinity, 4];
        else if (len === 127) [len, off] = [buf.length >= 10 ? Number(buf.readBigUInt64BE(2)) : Infinity, 10];
        if (buf.length < off + 4 + len) return;
        const opcode = buf[0] & 0x0f;
        buf = buf.subarray(off + 4 + len);
        if (opcode === 0x1) onFrame(++state.clientFrames);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  state.url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  };
  return state;
}

describe("hostile admin WebSocket peers (the ws package does the framing; Warden adds the limits)", () => {
  const servers: Hostile[] = [];
  afterEach(async () => {
    for (const h of servers.splice(0)) await h.stop();
  });
  const run = async (script: Parameters<typeof hostile>[0], timeoutMs = 8000) => {
    const h = await hostile(script);
    servers.push(h);
    const t = Date.now();
    const r = await applyViaAdminWs({ url: h.url, token: "secret-token", command: cmd("deny_tool"), timeoutMs });
    const ms = Date.now() - t;
    for (let i = 0; i < 50 && h.open; i++) await new Promise((res) => setTimeout(res, 20));
    return { r, ms, h };
  };

  it("a frame larger than the message limit ends the connection at its header, also when split into fragments", async () => {
    // Declared 33 MiB (over the 32 MiB limit), never sent: waiting for it would hang until the deadline.
    const big = await run((s, h) => {
      h.upgrade();
      s.write(challenge());
      h.onClientFrame(() => s.write(frame(1, "", { length: 33 * 1024 * 1024 })));
    });
    expect(big.r).toEqual({ ok: false, error: COULD_NOT_CONNECT });
    expect(big.ms).toBeLessThan(2000);
    expect(big.h.open).toBe(0);
    // The same over many fragments after a valid hello: the answer to config.get never completes.
    const mib = Buffer.alloc(1024 * 1024, 0x20);
    const frag = await run((s, h) => {
      h.upgrade();
      s.write(challenge());
      h.onClientFrame((n) => {
        if (n === 1) return s.write(helloOk("w1"));
        s.write(frame(1, mib, { fin: false }));
        for (let i = 0; i < 33; i++) s.write(frame(0, mib, { fin: false }));
      });
    });
    expect(frag.r.ok).toBe(false);
    expect(frag.ms).toBeLessThan(4000);
    expect(frag.h.open).toBe(0);
  });

  it("invalid UTF-8 in a text frame ends the connection before anything is sent (no replacement characters)", async () => {
    const { r, ms, h } = await run((s, up) => {
      up.upgrade();
      const bad = Buffer.concat([Buffer.from('{"type":"event","event":"connect.challenge","payload":{"nonce":"'), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from('"}}')]);
      s.write(frame(1, bad));
    });
    expect(r).toEqual({ ok: false, error: COULD_NOT_CONNECT });
    expect(h.clientFrames).toBe(0); // the connect frame (with the token) was never sent
    expect(ms).toBeLessThan(2000);
  });

  it.each([
    ["not JSON", "not json {"],
    ["JSON null", "null"],
    ["a JSON array", "[1,2]"],
    ["a JSON string", '"hello-ok"'],
  ])("%s instead of a frame object fails at once, without throwing", async (_name, text) => {
    // Once as the first frame, once as the answer to connect.
    for (const at of ["challenge", "answer"] as const) {
      const { r, ms, h } = await run((s, up) => {
        up.upgrade();
        if (at === "challenge") return s.write(frame(1, text));
        s.write(challenge());
        up.onClientFrame(() => s.write(frame(1, text)));
      });
      expect(r, at).toEqual({ ok: false, error: COULD_NOT_CONNECT });
      expect(ms, at).toBeLessThan(2000);
      expect(h.open, at).toBe(0);
    }
  });

  it("a binary frame, or an answer whose fields have the wrong types, is refused", async () => {
    const bin = await run((s, up) => {
      up.upgrade();
      s.write(frame(2, Buffer.from(JSON.stringify({ type: "event", event: "connect.challenge" }))));
    });
    expect(bin.r).toEqual({ ok: false, error: COULD_NOT_CONNECT });
    expect(bin.ms).toBeLessThan(2000);
    // hello-ok whose scopes is a string containing "operator.admin": not a grant.
    const scopes = await run((s, up) => {
      up.upgrade();
      s.write(challenge());
      up.onClientFrame(() => s.write(frame(1, JSON.stringify({ type: "res", id: "w1", ok: true, payload: { type: "hello-ok", auth: { scopes: "not operator.admin" } } }))));
    });
    expect(!scopes.r.ok && scopes.r.error).toContain("did not grant operator.admin");
  });

  it.each([
    ["closes at once", (s: net.Socket) => s.destroy()],
    ["closes halfway through the 101 answer", (s: net.Socket) => s.end("HTTP/1.1 101 Switching Protocols\r\nUpgr")],
    [
      "answers 101 with a wrong Sec-WebSocket-Accept",
      (s: net.Socket) => s.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"),
    ],
    ["answers 101 then closes before the challenge", (s: net.Socket, up: () => void) => (up(), s.end())],
    ["answers a redirect to a metadata address", (s: net.Socket) => s.end("HTTP/1.1 302 Found\r\nLocation: ws://169.254.169.254/\r\nContent-Length: 0\r\n\r\n")],
  ])("a server that %s fails fast with only 'could not connect'", async (_name, act) => {
    const { r, ms, h } = await run((s, up) => act(s, up.upgrade));
    expect(r).toEqual({ ok: false, error: COULD_NOT_CONNECT });
    expect(ms).toBeLessThan(2000);
    expect(h.open).toBe(0);
  });

  it("a close reason with line breaks reaches the server log on one line", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const { r } = await run((s, up) => {
        up.upgrade();
        s.write(frame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from("bye\n[containment] forged line\r\u2028x")])));
      });
      expect(r).toEqual({ ok: false, error: COULD_NOT_CONNECT });
      const logged = warn.mock.calls.map((c) => String(c[0])).join("\n");
      expect(logged).toContain("forged line");
      expect(logged).not.toMatch(/[\n\r\u2028]\[containment\] forged/);
    } finally {
      warn.mockRestore();
    }
  });

  it("a slowloris server (one header byte at a time, or one frame byte at a time) is cut off at the deadline", async () => {
    const timers: NodeJS.Timeout[] = [];
    try {
      const drip = (s: net.Socket, text: Buffer) => {
        let i = 0;
        const t = setInterval(() => (i < text.length && !s.destroyed ? s.write(text.subarray(i++, i)) : clearInterval(t)), 50);
        timers.push(t);
      };
      const headers = await run((s) => drip(s, Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-Slow: ${"a".repeat(10_000)}\r\n\r\n`)), 1200);
      expect(headers.r).toEqual({ ok: false, error: COULD_NOT_CONNECT });
      expect(headers.ms).toBeLessThan(2500);
      expect(headers.h.open).toBe(0);
      const frames = await run((s, up) => {
        up.upgrade();
        s.write(challenge());
        up.onClientFrame((n) => (n === 1 ? s.write(helloOk("w1")) : drip(s, frame(1, JSON.stringify({ type: "res", id: "w2", ok: true, payload: { pad: "x".repeat(10_000) } })))));
      }, 1200);
      expect(frames.r.ok).toBe(false);
      expect(frames.ms).toBeLessThan(2500);
      expect(frames.h.open).toBe(0);
    } finally {
      for (const t of timers) clearInterval(t);
    }
  });

  it("connects to the address the policy checked, never to a second DNS answer (no rebinding)", async () => {
    // The policy's lookup answers 127.0.0.1 for a name that the system resolver does not know: only
    // a connection that reuses the checked address reaches the gateway.
    const g = await start();
    const port = new URL(g.url).port;
    lookupOverride.set("gw.rebinding.invalid", "127.0.0.1");
    try {
      const r = await applyViaAdminWs({ url: `ws://gw.rebinding.invalid:${port}`, token: "secret-token", command: cmd("deny_tool"), timeoutMs: 3000 });
      expect(r).toMatchObject({ ok: true });
      expect(g.config).toEqual({ tools: { deny: ["exec"] } });
    } finally {
      lookupOverride.clear();
    }
  });
});

describe("checkAdminWsUrl (SSRF guard: admin-configured, ws/wss only, no credentials)", () => {
  it.each([
    ["ws://127.0.0.1:18789", true],
    ["wss://gw.example.com/ws", true],
    ["http://127.0.0.1:18789", false],
    ["file:///etc/passwd", false],
    ["ws://user:pass@127.0.0.1:18789", false],
    ["ws://:pass@127.0.0.1", false],
    ["not a url", false],
  ])("%s → %s", (url, ok) => {
    expect(checkAdminWsUrl(url).ok).toBe(ok);
  });

  it("checkAdminWsTarget applies the gateway address policy", async () => {
    delete process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK;
    for (const url of [
      "ws://169.254.169.254/",
      "ws://[fd00:ec2::254]/",
      "ws://100.100.100.200/",
      "ws://127.0.0.1:18789",
      "ws://localhost:18789",
      "ws://[::1]/",
      "ws://0.0.0.0/",
      "ws://192.0.2.1/",
      "wss://[fe80::1]/",
      "ws://224.0.0.1/",
      "ws://[::ffff:127.0.0.1]/",
      "ws://2130706433/",
    ]) {
      expect((await checkAdminWsTarget(url)).ok, url).toBe(false);
    }
    for (const url of ["ws://10.0.0.5:18789", "wss://192.168.1.2/ws", "ws://100.64.3.4/", "ws://[fd12::5]/", "wss://8.8.8.8/"]) expect((await checkAdminWsTarget(url)).ok, url).toBe(true);
    process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK = "1";
    expect((await checkAdminWsTarget("ws://127.0.0.1:18789")).ok).toBe(true);
    expect((await checkAdminWsTarget("ws://169.254.169.254/")).ok).toBe(false);
  });

  it("a refused address is never connected to, and only 'could not connect' is reported", async () => {
    delete process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK;
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.resume();
      s.end("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      for (const url of [`ws://127.0.0.1:${port}/`, `ws://localhost:${port}/`, `ws://[::ffff:127.0.0.1]:${port}/`]) {
        const r = await applyViaAdminWs({ url, token: "secret-token", command: cmd("deny_tool"), timeoutMs: 1500 });
        expect(r, url).toEqual({ ok: false, error: COULD_NOT_CONNECT });
      }
      expect(connections).toBe(0);
      // Allowed, but not a gateway: what it answered (HTTP 418) is not shown either.
      process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK = "1";
      const r = await applyViaAdminWs({ url: `ws://127.0.0.1:${port}/`, token: "secret-token", command: cmd("deny_tool"), timeoutMs: 1500 });
      expect(connections).toBe(1);
      expect(r).toEqual({ ok: false, error: COULD_NOT_CONNECT });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("applyViaAdminWs refuses a bad URL without connecting", async () => {
    const r = await applyViaAdminWs({ url: "https://127.0.0.1:1", token: "t", command: cmd("deny_tool") });
    expect(r).toEqual({ ok: false, error: "The admin WebSocket URL must start with ws:// or wss://." });
  });
});

describe("the admin-WebSocket delivery path (ws-path) end to end", () => {
  it("a kill switch reaches a gateway with an admin WebSocket; its restore memory comes back with the release", async () => {
    const { db } = await import("@/lib/db");
    const { seal } = await import("@/lib/crypto");
    const { makeUser, rid } = await import("@/test/factories");
    const { contain, releaseContainment } = await import("./service");
    const { kickAdminWs } = await import("@/lib/outbox/ws-path");
    const g = await start();
    g.config = { cron: { enabled: true } };
    const gateway = await db.gateway.create({
      data: { name: `ws-${rid()}`, kind: "openclaw", environment: "t", signingSecretEnc: seal("whsec_x"), adminWsUrl: g.url, adminTokenEnc: seal("secret-token") },
    });
    const { actor } = await makeUser("operator");
    const { id } = await contain(actor, { scope: "gateway", target: gateway.id, action: "cron_off", reason: "runaway cron" });
    await kickAdminWs();
    const [d] = await db.gatewayCommand.findMany({ where: { actionId: id } });
    expect(d).toMatchObject({ wsState: "applied", wsError: null, state: "pending" }); // the connector path is separate
    expect((g.config.cron as Json).enabled).toBe(false);
    const stored = (await db.containmentAction.findUniqueOrThrow({ where: { id } })).options as Json;
    expect(stored.adminWsState).toEqual({ [gateway.id]: expect.objectContaining({ cronWasEnabled: true }) });
    expect(await db.auditEvent.count({ where: { action: "containment.admin_ws", targetId: d.id, outcome: "success" } })).toBe(1);

    await releaseContainment(actor, { id, reason: "fixed the schedule" });
    await kickAdminWs();
    const release = await db.gatewayCommand.findFirstOrThrow({ where: { actionId: id, kind: "release" } });
    expect(release.wsState).toBe("applied");
    expect((g.config.cron as Json | undefined)?.enabled).not.toBe(false);
  });

  it("a failed admin-WebSocket send is retried even when the connector applied the command, unless its release superseded it", async () => {
    const { db } = await import("@/lib/db");
    const { seal } = await import("@/lib/crypto");
    const { makeUser, rid } = await import("@/test/factories");
    const { contain, releaseContainment } = await import("./service");
    const { kickAdminWs, retryAdminWs } = await import("@/lib/outbox/ws-path");
    const g = await start();
    g.config = { cron: { enabled: true } };
    const gateway = await db.gateway.create({
      data: { name: `ws-${rid()}`, kind: "openclaw", environment: "t", signingSecretEnc: seal("whsec_x"), adminWsUrl: g.url, adminTokenEnc: seal("secret-token") },
    });
    const { actor } = await makeUser("operator");
    const { id } = await contain(actor, { scope: "gateway", target: gateway.id, action: "cron_off", reason: "runaway cron" });
    await kickAdminWs();
    const [apply] = await db.gatewayCommand.findMany({ where: { actionId: id } });
    // As when the gateway answered config.patch too late: the connector applied it, the admin WebSocket failed.
    const failed = { state: "applied" as const, wsState: "failed", wsError: "config.patch: no answer within the time limit", wsAt: new Date(Date.now() - 60_000) };
    await db.gatewayCommand.update({ where: { id: apply.id }, data: failed });
    g.config = { cron: { enabled: true } };
    await retryAdminWs();
    expect(await db.gatewayCommand.findUniqueOrThrow({ where: { id: apply.id } })).toMatchObject({ wsState: "applied", wsError: null });
    expect((g.config.cron as Json).enabled).toBe(false);

    await releaseContainment(actor, { id, reason: "fixed the schedule" });
    await kickAdminWs();
    expect((g.config.cron as Json | undefined)?.enabled).not.toBe(false);
    // A late retry of the apply would re-contain the released gateway: it must not happen.
    await db.gatewayCommand.update({ where: { id: apply.id }, data: failed });
    await retryAdminWs();
    expect(await db.gatewayCommand.findUniqueOrThrow({ where: { id: apply.id } })).toMatchObject({ wsState: "failed" });
    expect((g.config.cron as Json | undefined)?.enabled).not.toBe(false);
  });

  it("kicks racing on separate connections (as from several replicas after their commits) send each command once", async () => {
    const { db } = await import("@/lib/db");
    const { seal } = await import("@/lib/crypto");
    const { makeUser, rid } = await import("@/test/factories");
    const { contain } = await import("./service");
    const { kickAdminWs } = await import("@/lib/outbox/ws-path");
    const { backgroundIdle } = await import("@/lib/background");
    const fakes = await Promise.all(Array.from({ length: 4 }, () => new FakeGateway().start()));
    try {
      for (const f of fakes) f.config = { cron: { enabled: true } };
      const gateways = await Promise.all(
        fakes.map((f) =>
          db.gateway.create({ data: { name: `ws-${rid()}`, kind: "openclaw", environment: "t", signingSecretEnc: seal("whsec_x"), adminWsUrl: f.url, adminTokenEnc: seal("secret-token") } }),
        ),
      );
      const { actor } = await makeUser("operator");
      // Each contain() kicks after its commit; more kicks race with those, each claim on its own connection.
      const ids = await Promise.all(gateways.map(async (g) => (await contain(actor, { scope: "gateway", target: g.id, action: "cron_off", reason: "race" })).id));
      await Promise.all([kickAdminWs(), kickAdminWs(), kickAdminWs(), kickAdminWs()]);
      await backgroundIdle();
      const cmds = await db.gatewayCommand.findMany({ where: { actionId: { in: ids } } });
      expect(cmds).toHaveLength(fakes.length);
      for (const c of cmds) {
        expect(c.wsState).toBe("applied");
        expect(await db.auditEvent.count({ where: { action: "containment.admin_ws", targetId: c.id } })).toBe(1);
      }
      for (const f of fakes) expect(f.patches()).toEqual([{ raw: { cron: { enabled: false } }, baseHash: "hash-0", replacePaths: undefined }]);
    } finally {
      await Promise.all(fakes.map((f) => f.stop()));
    }
  });

  it("a kill switch on a gateway whose stored URL points to a refused address opens no connection and records only 'could not connect'", async () => {
    const { db } = await import("@/lib/db");
    const { seal } = await import("@/lib/crypto");
    const { makeUser, rid } = await import("@/test/factories");
    const { contain } = await import("./service");
    const { kickAdminWs } = await import("@/lib/outbox/ws-path");
    delete process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK;
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.resume();
      s.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const { actor } = await makeUser("operator");
      for (const url of [`ws://127.0.0.1:${port}/`, `ws://localhost:${port}/`, "ws://169.254.169.254/latest/meta-data/"]) {
        // Written directly, as an old row or a tampered database would hold it.
        const gateway = await db.gateway.create({
          data: { name: `ws-${rid()}`, kind: "openclaw", environment: "t", signingSecretEnc: seal("whsec_x"), adminWsUrl: url, adminTokenEnc: seal("secret-token") },
        });
        const { id } = await contain(actor, { scope: "gateway", target: gateway.id, action: "block_all", reason: "probe" });
        await kickAdminWs();
        const [d] = await db.gatewayCommand.findMany({ where: { actionId: id } });
        expect(d, url).toMatchObject({ wsState: "failed", wsError: COULD_NOT_CONNECT });
        const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "containment.admin_ws", targetId: d.id } });
        expect(JSON.stringify(audit.after)).not.toMatch(/404|Not Found|address policy|loopback/);
      }
      expect(connections).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
