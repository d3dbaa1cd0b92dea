// Warden plugin for OpenClaw: fail-closed before_tool_call enforcement from the last policy whose
// Ed25519 signature verified, spooled tool-call telemetry, containment commands, inventory.
// Zero runtime dependencies (node:crypto, node:fs, global fetch). Plain ESM, no build step.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { verifySignedPolicy } from "./lib/crypto.js";
import { createWardenClient } from "./lib/warden.js";
import { Spool } from "./lib/spool.js";
import { decide, agentIdOf } from "./lib/decide.js";
import { collectInventory, gatewayCall } from "./lib/inventory.js";
import { loadState, plan, summary } from "./lib/containment.js";

const PLUGIN_ID = "warden";
const sleep = (ms, signal) => new Promise((r) => { const t = setTimeout(r, ms); signal?.addEventListener("abort", () => { clearTimeout(t); r(); }, { once: true }); });

function readConfig(raw) {
  const c = raw ?? {};
  const errors = [];
  if (typeof c.wardenUrl !== "string" || !/^https?:\/\//.test(c.wardenUrl)) errors.push("wardenUrl (http(s) URL) is required");
  if (typeof c.gatewayId !== "string" || !/^[0-9a-f-]{36}$/i.test(c.gatewayId)) errors.push("gatewayId (UUID) is required");
  if (typeof c.signingSecret !== "string" || !c.signingSecret.startsWith("whsec_")) errors.push("signingSecret (whsec_…) is required");
  return {
    errors,
    wardenUrl: c.wardenUrl,
    gatewayId: c.gatewayId,
    signingSecret: c.signingSecret,
    wardenPublicKey: typeof c.wardenPublicKey === "string" && c.wardenPublicKey.includes("BEGIN PUBLIC KEY") ? c.wardenPublicKey : undefined,
    failOpen: c.failOpen === true,
    pollSeconds: Math.max(5, Number(c.pollSeconds) || 60),
    flushSeconds: Math.max(1, Number(c.flushSeconds) || 5),
    inventorySeconds: Math.max(60, Number(c.inventorySeconds) || 3600),
    securityAudit: c.securityAudit !== false,
    spoolDir: typeof c.spoolDir === "string" && c.spoolDir ? c.spoolDir : undefined,
  };
}

function stateDirOf(api) {
  try {
    const d = api.runtime?.state?.resolveStateDir?.(process.env);
    if (d) return d;
  } catch {}
  return process.env.OPENCLAW_STATE_DIR || path.join(os.homedir(), ".openclaw");
}

function writeJsonAtomic(file, value) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function register(api) {
  // Hooks are registered in every registration mode: agent turns may run in a plugin registry that
  // is not the gateway's "full" one, and their tool calls must be enforced too (verified: with the
  // early return, agent-loop calls ran unchecked). Background services run in "full" mode only.
  const fullMode = !api.registrationMode || api.registrationMode === "full";
  (api.logger ?? console).info?.(`warden: registering (mode ${api.registrationMode ?? "unknown"})`);
  const log = api.logger ?? console;
  const cfg = readConfig(api.pluginConfig);
  const dir = cfg.spoolDir ?? path.join(stateDirOf(api), "warden");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { policy: path.join(dir, "policy.json"), key: path.join(dir, "warden-public-key.json"), containment: path.join(dir, "containment.json") };

  if (cfg.errors.length) log.error(`warden: plugin is not configured (${cfg.errors.join("; ")}); every tool call will be blocked`);
  if (cfg.failOpen) log.warn("warden: !!! failOpen=true — tool calls are ALLOWED whenever no verified Warden policy is available. This disables fail-closed enforcement. !!!");

  // ---- state: pinned key, last verified policy, local containment --------------------------
  const state = {
    key: cfg.wardenPublicKey ? { publicKeyPem: cfg.wardenPublicKey, keyId: undefined, source: "config" } : readJson(files.key),
    policy: null,
    etag: undefined,
    local: loadState(readJson(files.containment)),
  };
  function adoptSigned(signed, etag, source) {
    if (!state.key) return { ok: false, reason: "no Warden public key yet" };
    const v = verifySignedPolicy(signed, state.key.publicKeyPem, state.key.keyId);
    if (!v.ok) return v;
    if (signed.policy.gatewayId && signed.policy.gatewayId !== cfg.gatewayId) return { ok: false, reason: "policy is for another gateway" };
    state.policy = signed.policy;
    state.etag = etag;
    if (source !== "disk") writeJsonAtomic(files.policy, { signed, etag });
    return { ok: true };
  }
  // A restart enforces at once from the last verified policy on disk (re-verified, never trusted blindly).
  const cached = readJson(files.policy);
  if (cached?.signed) {
    const r = adoptSigned(cached.signed, cached.etag, "disk");
    log.info(`warden: cached policy ${r.ok ? `v${state.policy.version} verified` : `rejected (${r.reason})`}`);
  }
  // Another registry instance of this plugin (the gateway's "full" one) refreshes the policy and
  // applies commands; every instance picks up the newer verified policy and the local containment
  // from disk before each decision (a stat per call; files are replaced atomically, so a new inode or
  // mtime means new content). The containment file is taken as a whole: a lifted hold disappears.
  let seenPolicy = "";
  let seenContainment = "";
  const sig = (file) => {
    try {
      const st = fs.statSync(file);
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return "";
    }
  };
  function syncFromDisk() {
    if (!state.key) state.key = readJson(files.key);
    const p = sig(files.policy);
    if (p && p !== seenPolicy) {
      seenPolicy = p;
      const c = readJson(files.policy);
      if (c?.signed && c.signed.policy?.version !== state.policy?.version) adoptSigned(c.signed, c.etag, "disk");
    }
    const c = sig(files.containment);
    if (c && c !== seenContainment) {
      const raw = readJson(files.containment);
      // A torn or unreadable file keeps the state we have (never drop containment on a read error).
      if (raw) {
        seenContainment = c;
        state.local = loadState(raw);
      }
    }
  }
  const saveContainment = (next) => {
    writeJsonAtomic(files.containment, next);
    state.local = next;
    seenContainment = sig(files.containment);
  };

  const client = cfg.errors.length ? null : createWardenClient(cfg);
  const spool = new Spool(path.join(dir, "spool"), { logger: log, send: async (events) => (await client.postEvents(events)).json });

  // ---- enforcement ----------------------------------------------------------------------------
  // Calls this plugin blocked, so their after_tool_call record says "blocked" too.
  const blockedCalls = new Set();
  api.on("before_tool_call", (event, ctx) => {
    syncFromDisk();
    const agentId = agentIdOf(ctx);
    const toolName = event.toolName ?? ctx?.toolName;
    const toolVersion = event.toolVersion ?? ctx?.toolVersion;
    const toolHash = event.toolHash ?? ctx?.toolHash;
    let d = cfg.errors.length ? { allow: false, code: "not_configured", reason: "Warden: plugin not configured (fail closed)" } : decide(state.policy, state.local, { agentId, toolName, toolVersion, toolHash });
    // failOpen only overrides "no policy": containment (local or in a policy) always blocks.
    if (!d.allow && d.code === "no_policy" && cfg.failOpen) {
      log.warn(`warden: FAIL-OPEN — allowing ${toolName} for ${agentId} without a verified policy (${d.reason})`);
      d = { allow: true, reason: `fail-open: ${d.reason}` };
    }
    const call = event.toolCallId ?? ctx?.toolCallId ?? randomUUID();
    try {
      spool.append({
        _kind: "decision",
        _call: call,
        eventId: `${call}.decision`.slice(0, 200),
        occurredAt: new Date().toISOString(),
        ...(agentId ? { agentId } : {}),
        agentName: d.agentName ?? agentId ?? "unknown",
        ...(ctx?.sessionKey ? { sessionKey: String(ctx.sessionKey).slice(0, 500) } : {}),
        toolName: String(toolName).slice(0, 200),
        ...(toolVersion ? { toolVersion: String(toolVersion).slice(0, 100) } : {}),
        ...(toolHash && /^[0-9a-f]{64}$/i.test(toolHash) ? { toolHash } : {}),
        params: capJson(event.params),
        decision: d.allow ? "allowed" : "blocked",
        ...(d.allow ? {} : { blockReason: d.reason.slice(0, 4000) }),
      });
    } catch (err) {
      // Cannot record the decision: do not let an unaudited call through.
      log.error(`warden: spool write failed (${err.message}); blocking`);
      return { block: true, blockReason: "Warden: cannot record the tool call (spool unavailable)" };
    }
    if (!d.allow) {
      blockedCalls.add(call);
      if (blockedCalls.size > 10_000) blockedCalls.delete(blockedCalls.values().next().value);
      return { block: true, blockReason: d.reason };
    }
    return undefined;
  }, { priority: 1000 });

  api.on("after_tool_call", (event, ctx) => {
    const call = event.toolCallId ?? ctx?.toolCallId;
    if (!call) return;
    const agentId = agentIdOf(ctx);
    try {
      spool.append({
        _kind: "result",
        _call: call,
        eventId: `${call}.result`.slice(0, 200),
        occurredAt: new Date().toISOString(),
        ...(agentId ? { agentId } : {}),
        agentName: state.policy?.agents.find((a) => a.id === agentId)?.name ?? agentId ?? "unknown",
        ...(ctx?.sessionKey ? { sessionKey: String(ctx.sessionKey).slice(0, 500) } : {}),
        toolName: String(event.toolName).slice(0, 200),
        decision: blockedCalls.has(call) || event.result?.details?.status === "blocked" ? "blocked" : "allowed",
        ...(event.result !== undefined ? { result: capJson(event.result) } : {}),
        ...(Number.isInteger(event.durationMs) && event.durationMs >= 0 ? { durationMs: event.durationMs } : {}),
        ...(event.error ? { error: String(event.error).slice(0, 4000) } : {}),
      });
    } catch (err) {
      log.error(`warden: spool write failed for a result (${err.message})`);
    }
  });

  // ---- background: policy, events, commands, inventory ---------------------------------------
  let controller = null;
  let serviceCtx = null;

  async function ensureKey() {
    if (state.key) return true;
    const k = await client.getPublicKey();
    if (!k?.publicKeyPem || k.algorithm !== "Ed25519") throw new Error("unexpected public-key answer");
    state.key = { publicKeyPem: k.publicKeyPem, keyId: k.keyId, source: "fetched", pinnedAt: new Date().toISOString() };
    writeJsonAtomic(files.key, state.key); // trust on first use, then pinned
    log.info(`warden: pinned Warden public key ${k.keyId}`);
    return true;
  }

  async function refreshPolicy(force = false) {
    await ensureKey();
    const res = await client.getPolicy(force ? undefined : state.etag);
    if (res.status === 304) return "unchanged";
    const r = adoptSigned(res.json, res.headers.get("etag") ?? undefined, "warden");
    if (!r.ok) {
      log.error(`warden: REJECTED a policy from Warden: ${r.reason}; keeping ${state.policy ? `v${state.policy.version}` : "no policy (blocking all tool calls)"}`);
      throw new Error(`policy rejected: ${r.reason}`);
    }
    log.info(`warden: policy v${state.policy.version} verified (${state.policy.agents.length} agent(s))`);
    return "updated";
  }

  async function applyCommand(cmd) {
    const release = cmd.kind === "release";
    const reason = cmd.reason || cmd.action;
    const all = cmd.scope === "gateway" || cmd.scope === "fleet" || cmd.target === "*";
    switch (cmd.action) {
      case "policy_refresh":
        return `policy ${await refreshPolicy(true)}`;
      case "deny_tool":
        if (release) delete state.local.deniedTools[cmd.target];
        else state.local.deniedTools[cmd.target] = reason;
        saveContainment();
        return `tool ${cmd.target} ${release ? "released" : "denied"} locally`;
      case "suspend_agent":
        if (all && cmd.scope !== "agent") {
          state.local.blockAll = release ? undefined : reason;
        } else if (release) delete state.local.suspendedAgents[cmd.target];
        else state.local.suspendedAgents[cmd.target] = reason;
        saveContainment();
        return `${all && cmd.scope !== "agent" ? "all agents" : `agent ${cmd.target}`} ${release ? "released" : "suspended"} locally`;
      case "suspend_gateway":
      case "block_all":
      case "shutdown":
        state.local.blockAll = release ? undefined : reason;
        saveContainment();
        return `all tool calls ${release ? "unblocked" : "blocked"} on this gateway`;
      case "cron_off": {
        const cfgNow = api.runtime?.config?.current?.() ?? api.config;
        if (!api.runtime?.config?.mutateConfigFile) throw new Error("config writes are not available to plugins on this OpenClaw");
        if (!release && state.local.cronWasEnabled === undefined) state.local.cronWasEnabled = cfgNow?.cron?.enabled !== false;
        const enable = release ? state.local.cronWasEnabled !== false : false;
        await api.runtime.config.mutateConfigFile({
          afterWrite: { mode: "auto" },
          mutate(draft) {
            draft.cron ??= {};
            draft.cron.enabled = enable;
          },
        });
        if (release) state.local.cronWasEnabled = undefined;
        saveContainment();
        return `cron ${enable ? "enabled" : "disabled"} (config cron.enabled=${enable})`;
      }
      default:
        throw new Error(`unsupported action "${cmd.action}" (scope ${cmd.scope})`);
    }
  }

  async function loop(name, everyMs, fn, signal) {
    let failures = 0;
    while (!signal.aborted) {
      let wait = everyMs();
      try {
        await fn();
        failures = 0;
      } catch (err) {
        failures++;
        const base = Math.min(300_000, 1000 * 2 ** Math.min(failures, 9));
        wait = Math.min(Math.max(wait, 1000), Math.round(base / 2 + Math.random() * base / 2));
        if (wait < 1000 || !everyMs()) wait = Math.round(base / 2 + Math.random() * base / 2);
        if (err?.retryAfter) wait = Math.max(wait, err.retryAfter * 1000);
        log.warn(`warden: ${name} failed (${err?.message ?? err}); retry in ${Math.round(wait / 1000)}s`);
      }
      await sleep(wait, signal);
    }
  }

  if (fullMode) api.registerService({
    id: "warden-connector",
    start(ctx) {
      serviceCtx = ctx;
      controller = new AbortController();
      const signal = controller.signal;
      spool.seal(); // resume whatever a previous process left
      log.info(`warden: connector started for gateway ${cfg.gatewayId ?? "(unset)"} -> ${cfg.wardenUrl ?? "(unset)"}; spool ${dir}; failOpen=${cfg.failOpen}; ${spool.pending()} spooled segment(s)`);
      if (!client) return;
      void loop("policy refresh", () => cfg.pollSeconds * 1000, () => refreshPolicy(false), signal);
      void loop("event flush", () => cfg.flushSeconds * 1000, () => spool.flush(), signal);
      void loop("command poll", () => 0, async () => {
        const res = await client.pollCommands(25, signal);
        for (const cmd of res.json?.commands ?? []) {
          let outcome = "applied";
          let detail;
          try {
            detail = await applyCommand(cmd);
            log.info(`warden: command ${cmd.kind} ${cmd.action} ${cmd.scope}:${cmd.target} applied — ${detail}`);
          } catch (err) {
            outcome = "failed";
            detail = err?.message ?? String(err);
            log.error(`warden: command ${cmd.kind} ${cmd.action} ${cmd.scope}:${cmd.target} failed — ${detail}`);
          }
          await client.ack(cmd.id, outcome, detail);
        }
      }, signal);
      void (async () => {
        await sleep(3000, signal); // let the gateway finish starting before we call its CLI
        await loop("inventory push", () => cfg.inventorySeconds * 1000, async () => {
          const inv = await collectInventory({ cfg: api.runtime?.config?.current?.() ?? ctx.config ?? api.config, logger: log, getCron: ctx.getCron, withAudit: cfg.securityAudit });
          const res = await client.postInventory(inv);
          log.info(`warden: inventory pushed (${inv.agents.length} agents, ${inv.tools.length} tools${inv.securityAudit ? ", security audit" : ""}; findings ${res.json?.findings ?? 0})`);
        }, signal);
      })();
    },
    async stop() {
      controller?.abort();
      controller = null;
      serviceCtx = null;
      if (client) {
        try {
          await Promise.race([spool.flush({ force: true }), sleep(5000)]);
        } catch {}
      }
    },
  });
}

/** Params/results are capped at 64 KiB of JSON by Warden: send a marker instead of losing the event. */
function capJson(v) {
  if (v === undefined) return undefined;
  let text;
  try {
    text = JSON.stringify(v);
  } catch {
    return { unserializable: true };
  }
  if (text === undefined) return undefined;
  text = text.replaceAll("\\u0000", "");
  if (Buffer.byteLength(text) > 60 * 1024) return { truncated: true, bytes: Buffer.byteLength(text), preview: text.slice(0, 4096) };
  return JSON.parse(text);
}

export default {
  id: PLUGIN_ID,
  name: "Warden",
  description: "Warden policy enforcement, tool-call telemetry, containment and inventory for OpenClaw.",
  register,
};
