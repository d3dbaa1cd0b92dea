#!/usr/bin/env node
// One AgentGovBench "gateway": Warden's OpenClaw plugin (connectors/openclaw/index.js, unchanged)
// loaded into a minimal stand-in for the OpenClaw host, which calls the plugin's hooks the way
// OpenClaw 2026.9.6 does for a tool call (before_tool_call, then after_tool_call) and a sub-agent
// spawn (sessions_spawn's result carries childSessionKey; subagent_spawned). Everything else is the
// plugin's own: the signed policy fetched from Warden and verified with the pinned Ed25519 key, the
// decision (allowlist, identity rules, scope narrowing over the chain, rate limits, fail-open only
// without a policy), the spool and its pushes to the connector API, the command long-poll that
// applies Warden's pushed policy_refresh. No LLM: the runner says which agent calls which tool for
// whom. Warden is reached through a local fault proxy so the runner can cut it off (refused
// connections) or make it fail (503) for the fail-mode scenarios.
//
// One process per gateway replica. Configuration from the environment: WARDEN_URL, AGB_GATEWAY_ID,
// AGB_SIGNING_SECRET, AGB_PUBLIC_KEY (PEM, pinned as the plugin's wardenPublicKey option),
// AGB_FAIL_OPEN ("1"), AGB_STATE_DIR (the replica's disk), AGB_FAULT (initial proxy mode).
// Protocol on stdin/stdout: one JSON object per line, {id, op, args} -> {id, ok, result|error}.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const pluginEntry = process.env.AGB_PLUGIN ?? path.resolve(here, "../../connectors/openclaw/index.js");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const logLines = [];
const log = (level) => (m) => {
  logLines.push(`${level} ${m}`);
  if (logLines.length > 500) logLines.shift();
  if (process.env.AGB_VERBOSE) process.stderr.write(`[gateway ${level}] ${m}\n`);
};

// ---- fault proxy ----------------------------------------------------------------------------------
/** mode: "up" forwards; "unreachable" stops listening (connections refused); "error_5xx" answers 503. */
function startProxy(target, initial) {
  const state = { mode: initial };
  const upstream = new URL(target);
  const sockets = new Set();
  const upstreams = new Set();
  const server = http.createServer((req, res) => {
    if (state.mode === "error_5xx") {
      req.resume();
      res.writeHead(503, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: { code: "unavailable", message: "simulated outage (AgentGovBench gateway_failure)" } }));
      return;
    }
    const fwd = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstreams.add(fwd);
    fwd.on("close", () => upstreams.delete(fwd));
    fwd.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    // The gateway gave up on the request (a timeout, a cut connection): so does the proxy, or a parked
    // long-poll would stay open at Warden.
    res.on("close", () => {
      if (!res.writableFinished) fwd.destroy();
    });
    req.pipe(fwd);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const listen = (port) => new Promise((r) => server.listen(port, "127.0.0.1", () => r(server.address().port)));
  return listen(0).then(async (port) => {
    const api = {
      url: `http://127.0.0.1:${port}`,
      async setMode(mode) {
        const was = state.mode;
        state.mode = mode;
        // An outage cuts open connections too (the parked command long-poll included).
        if (mode !== "up") {
          for (const s of sockets) s.destroy();
          for (const u of upstreams) u.destroy();
        }
        if (mode === "unreachable" && server.listening) await new Promise((r) => server.close(() => r()));
        if (mode !== "unreachable" && !server.listening) await listen(port);
        return was;
      },
      mode: () => state.mode,
    };
    if (initial === "unreachable") {
      state.mode = "up";
      await api.setMode("unreachable");
    }
    return api;
  });
}

// ---- the host --------------------------------------------------------------------------------------
const stateDir = process.env.AGB_STATE_DIR;
fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
const proxy = await startProxy(process.env.WARDEN_URL, process.env.AGB_FAULT || "up");
const handlers = new Map();
const services = [];
const api = {
  id: "warden",
  registrationMode: "full",
  pluginConfig: {
    wardenUrl: proxy.url,
    gatewayId: process.env.AGB_GATEWAY_ID,
    signingSecret: process.env.AGB_SIGNING_SECRET,
    wardenPublicKey: process.env.AGB_PUBLIC_KEY,
    failOpen: process.env.AGB_FAIL_OPEN === "1",
    spoolDir: path.join(stateDir, "warden"),
    pollSeconds: 60,
    flushSeconds: 1,
    securityAudit: false,
  },
  config: {},
  logger: { info: log("info"), warn: log("warn"), error: log("error"), debug: () => {} },
  on(name, fn) {
    handlers.set(name, fn);
  },
  registerService(s) {
    services.push(s);
  },
  registerGatewayMethod() {},
  runtime: { state: { resolveStateDir: () => stateDir } },
};
const plugin = (await import(pluginEntry)).default;
plugin.register(api);
for (const s of services) await s.start({ config: {}, stateDir, logger: api.logger });

const files = { policy: path.join(stateDir, "warden", "policy.json"), spool: path.join(stateDir, "warden", "spool") };
const readJson = (f) => {
  try {
    return JSON.parse(fs.readFileSync(f, "utf8"));
  } catch {
    return undefined;
  }
};
/** The policy the plugin holds (it writes each verified one to its state dir before using it). */
const policyHeld = () => readJson(files.policy)?.signed?.policy;
/** Events not yet accepted by Warden (the plugin deletes a spool segment only after a 202). */
function spooled() {
  try {
    return fs.readdirSync(files.spool).filter((f) => (f.startsWith("seg-") && f.endsWith(".jsonl")) || (f === "current.jsonl" && fs.statSync(path.join(files.spool, f)).size > 0)).length;
  } catch {
    return 0;
  }
}

const hook = async (name, event, ctx) => {
  const fn = handlers.get(name);
  return fn ? await fn(event, ctx) : undefined;
};

/** One tool call: before_tool_call decides; a call that was let through runs (a placeholder result) and after_tool_call reports it. */
async function toolCall({ agentId, sessionKey, requester, toolName, params, result }) {
  const toolCallId = `call_${randomUUID().slice(0, 12)}`;
  const runId = randomUUID();
  const ctx = { agentId, sessionKey, ...(requester ? { requester } : {}), toolCallId, runId };
  const event = { toolName, params: params ?? {}, toolCallId, runId };
  const before = await hook("before_tool_call", event, ctx);
  if (before?.requireApproval) {
    // Nobody answers approvals in this benchmark: OpenClaw denies the call when the approval times out.
    return { allowed: false, reason: `held for approval: ${before.requireApproval.description ?? before.requireApproval.title ?? "identity rule"}`, toolCallId };
  }
  const blocked = before?.block === true;
  if (!blocked) await hook("after_tool_call", { ...event, result: result ?? { content: [{ type: "text", text: `placeholder result of ${toolName}` }] }, durationMs: 1 }, ctx);
  return { allowed: !blocked, reason: blocked ? before.blockReason : "allowed", toolCallId };
}

const ops = {
  status() {
    const p = policyHeld();
    return { policyVersion: p?.version ?? null, identity: p?.identity ? "present" : "absent", spooled: spooled(), fault: proxy.mode() };
  },
  async fault({ mode }) {
    await proxy.setMode(mode);
    return { mode };
  },
  /** Wait until the plugin holds a policy other than `notVersion` (the pushed refresh arrived). */
  async awaitPolicy({ notVersion = null, timeoutMs = 15000 }) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = policyHeld()?.version ?? null;
      if (v && v !== notVersion) return { policyVersion: v };
      if (Date.now() > deadline) return { policyVersion: v, timedOut: true };
      await sleep(50);
    }
  },
  call(args) {
    return toolCall(args);
  },
  async calls({ calls }) {
    const results = [];
    for (const c of calls) results.push(await toolCall(c));
    return { results };
  },
  /** The parent session spawns a sub-agent (sessions_spawn); allowed, the child session carries the parent's person and chain. */
  async spawn({ agentId, sessionKey, requester, childAgentId, task }) {
    const childSessionKey = `agent:${childAgentId}:subagent:${randomUUID()}`;
    const r = await toolCall({
      agentId,
      sessionKey,
      requester,
      toolName: "sessions_spawn",
      params: { agentId: childAgentId, task: String(task ?? "").slice(0, 1000) },
      result: { details: { status: "accepted", childSessionKey, runId: randomUUID() } },
    });
    if (r.allowed) await hook("subagent_spawned", { childSessionKey, agentId: childAgentId, runId: randomUUID(), mode: "run" }, { requesterSessionKey: sessionKey, agentId });
    return { ...r, childSessionKey: r.allowed ? childSessionKey : null };
  },
  /** Wait until every spooled event was accepted by Warden (the plugin flushes every second). */
  async flush({ timeoutMs = 15000 }) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = spooled();
      if (!n) return { pending: 0 };
      if (Date.now() > deadline) return { pending: n, log: logLines.filter((l) => !l.startsWith("info")).slice(-5) };
      await sleep(100);
    }
  },
  logs() {
    return { lines: logLines.slice(-50) };
  },
  stop() {
    setTimeout(() => process.exit(0), 20);
    return {};
  },
};

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  let out;
  try {
    const fn = ops[msg.op];
    if (!fn) throw new Error(`unknown op ${msg.op}`);
    out = { id: msg.id, ok: true, result: await fn(msg.args ?? {}) };
  } catch (err) {
    out = { id: msg.id, ok: false, error: String(err?.stack ?? err?.message ?? err).slice(0, 2000) };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
});
rl.on("close", () => process.exit(0));
process.stdout.write(JSON.stringify({ id: 0, ok: true, result: { ready: true, proxy: proxy.url } }) + "\n");
