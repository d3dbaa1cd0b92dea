// Warden plugin for OpenClaw: fail-closed before_tool_call enforcement from the last policy whose
// Ed25519 signature verified, spooled tool-call telemetry, containment commands, inventory.
// Zero runtime dependencies (node:crypto, node:fs, global fetch). Plain ESM, no build step.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash, randomUUID } from "node:crypto";
import { verifySignedPolicy } from "./lib/crypto.js";
import { createWardenClient } from "./lib/warden.js";
import { Spool } from "./lib/spool.js";
import { decide, agentIdOf } from "./lib/decide.js";
import { egressHostsOf } from "./lib/conditions.js";
import { CONTROLS, REFUSED, WRAPPER, innerCall, wrapperIdOf } from "./lib/tool-search.js";
import { collectInventory, gatewayCall, inventoryDigest, withBuildHash } from "./lib/inventory.js";
import { buildHash, openclawRootOf } from "./lib/hash.js";
import { checkArtefacts, createArtefacts } from "./lib/artefacts.js";
import { loadState, plan, summary } from "./lib/containment.js";
import { needsApproval } from "./lib/approval-rules.js";
import { approvalBroker } from "./lib/approvals.js";
import { backoffDelay, createBackoffGroup } from "./lib/backoff.js";
import { checkPeer, linkTargetOf } from "./lib/peers.js";
import { createUsageReporter } from "./lib/usage.js";
import { consumeShared, createRateLimiter, identityDecisionForChain, identityNeed, limitReason } from "./lib/identity.js";
import { effectiveCaller, reportedChain, sharedProvenance } from "./lib/provenance.js";

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
    gatewayUrl: typeof c.gatewayUrl === "string" && /^wss?:\/\//.test(c.gatewayUrl) ? c.gatewayUrl : undefined,
    approvalUnreachableSeconds: Math.min(300, Math.max(2, Number(c.approvalUnreachableSeconds) || 10)),
    hashSeconds: Math.max(30, Number(c.hashSeconds) || 300),
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
  const files = { policy: path.join(dir, "policy.json"), key: path.join(dir, "warden-public-key.json"), containment: path.join(dir, "containment.json"), grants: path.join(dir, "approval-grants.json"), artefacts: path.join(dir, "artefacts.json"), buildHash: path.join(dir, "openclaw-build-hash.json"), provenance: path.join(dir, "delegations.json") };
  // Hash pinning (lib/artefacts.js): the installed artefact behind each tool. The OpenClaw build's
  // hash is computed once per process, off the hot path (cached by version + stat fingerprint);
  // until then built-in tools have an unknown hash (allowed, reported without one).
  const artefacts = createArtefacts(files.artefacts);
  if (fullMode) startBuildHash(artefacts, files.buildHash, log); // the gateway's own instance; others share it

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
      // A renewed signature (same version, later expiry) is adopted too.
      if (c?.signed && (c.signed.policy?.version !== state.policy?.version || c.signed.policy?.issuedAt !== state.policy?.issuedAt)) adoptSigned(c.signed, c.etag, "disk");
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
  // "Allow this agent this tool until …" grants from approval_decision commands (the next policy
  // carries them too): shared by every instance through a file, read again when it changed.
  let grants = { sig: "", list: [] };
  const approvalGrants = () => {
    const g = sig(files.grants);
    if (g !== grants.sig) {
      const raw = readJson(files.grants);
      grants = { sig: g, list: Array.isArray(raw) ? raw : [] };
    }
    return grants.list;
  };
  const saveContainment = (next) => {
    writeJsonAtomic(files.containment, next);
    state.local = next;
    seenContainment = sig(files.containment);
  };

  // Every request tells Warden which policy this gateway enforces, so the console lists gateways on
  // an old or expired one (docs/connector-protocol.md, "Policy version report").
  const policyInfo = () => (state.policy?.version ? { version: state.policy.version, expiresAt: state.policy.expiresAt } : null);
  const client = cfg.errors.length ? null : createWardenClient({ ...cfg, policyInfo });
  const spool = new Spool(path.join(dir, "spool"), { logger: log, send: async (events) => (await client.postEvents(events)).json });
  // Model usage (llm_output, lib/usage.js): its own durable spool, pushed like events.
  const usage = createUsageReporter({ dir, client, logger: log, pluginId: api.id ?? PLUGIN_ID, cfgOf: () => api.runtime?.config?.current?.() ?? api.config, agentNameOf: (id) => state.policy?.agents.find((a) => a.id === id)?.name, randomId: randomUUID });
  usage.checkAccess(api.config);
  api.on("llm_output", (event, ctx) => usage.onLlmOutput(event, ctx, agentIdOf(ctx)));
  // Calls held for a person's approval (lib/approvals.js): one broker per process, shared by every
  // registry instance; its WebSocket to this gateway is the approval route OpenClaw requires.
  const approvals = approvalBroker().configure({
    gatewayUrl: cfg.gatewayUrl ?? `ws://127.0.0.1:${Number(process.env.OPENCLAW_GATEWAY_PORT) || Number(api.config?.gateway?.port) || 18789}`,
    token: process.env.OPENCLAW_GATEWAY_TOKEN || (typeof api.config?.gateway?.auth?.token === "string" ? api.config.gateway.auth.token : undefined),
    logger: log,
    warden: client ?? undefined,
    unreachableMs: cfg.approvalUnreachableSeconds * 1000,
  });

  // Who asked (lib/provenance.js, lib/identity.js): the sessions agents delegated to, and the rate
  // limits' windows; one of each per process, shared by every registry instance.
  const provenance = sharedProvenance(files.provenance, { logger: log });
  const limiter = (globalThis[Symbol.for("warden.rateLimiter")] ??= createRateLimiter());
  // A sub-agent session inherits its parent's originating person and chain (OpenClaw 2026.9.6:
  // subagent_spawned gives childSessionKey, the child's agentId and ctx.requesterSessionKey).
  api.on("subagent_spawned", (event, ctx) => {
    if (typeof event?.childSessionKey !== "string") return;
    provenance.delegate({ parentSessionKey: ctx?.requesterSessionKey, childSessionKey: event.childSessionKey, childAgentId: typeof event.agentId === "string" ? event.agentId : undefined, kind: "spawn" });
  });

  // ---- enforcement ----------------------------------------------------------------------------
  // Calls decided here (id -> what was recorded), so the result says the same; bounded.
  const decided = new Map();
  const remember = (map, key, value) => {
    map.set(key, value);
    if (map.size > 10_000) map.delete(map.keys().next().value);
  };
  // Tool Search wrappers this plugin let through, until their tool's own hook links to them.
  const wrappers = new Map();
  // A call's key in Warden ("<key>.decision" / "<key>.result"): its tool call id within its run, as
  // models may reuse ids ("call_0") across runs; bounded so the eventId stays within 200 characters.
  const callKeyOf = (id, runId) => {
    const base = String(id).length > 120 ? createHash("sha256").update(String(id)).digest("hex").slice(0, 40) : String(id);
    return runId ? `${base}@${String(runId).slice(0, 64)}` : base;
  };
  const slot = (id, runId) => `${runId ?? ""}|${id}`;
  // params/derivedPaths: what the call would act on, checked against the approval's conditions
  // (egress hosts, path prefixes, command patterns) and the SSRF rules (lib/conditions.js).
  const decideCall = (agentId, toolName, toolVersion, toolHash, params, derivedPaths) => {
    if (cfg.errors.length) return { allow: false, code: "not_configured", reason: "Warden: plugin not configured (fail closed)" };
    let d = decide(state.policy, state.local, { agentId, toolName, toolVersion, toolHash, params, derivedPaths }, Date.now(), { realpath: realpathOfAncestor });
    if (d.allow && state.policy) {
      // The tool's plugin / MCP server and any skill whose files the call touches, when pinned.
      const pa = state.policy.agents?.find((a) => a.id === agentId) ?? state.policy.agents?.find((a) => a.wardenId === agentId);
      const broken = checkArtefacts(pa, { agentId, toolName, params, derivedPaths }, artefacts.of(toolName), artefacts.snapshot(), { realpath: realpathOfAncestor });
      if (broken) d = { allow: false, ...broken, agentName: d.agentName };
    }
    if (!d.allow && d.code === "no_policy" && cfg.failOpen) {
      log.warn(`warden: FAIL-OPEN — allowing ${toolName} for ${agentId} without a verified policy (${d.reason})`);
      d = { allow: true, reason: `fail-open: ${d.reason}` };
    }
    // Tool Search's controls list and describe the catalog, and every tool they lead to is decided
    // on its own: an agent that may act at all may use them.
    if (!d.allow && d.code === "not_approved" && CONTROLS.has(toolName)) d = { allow: true, code: "allowed", agentName: d.agentName, reason: "Tool Search control" };
    // A call reaching another agent (lib/peers.js) needs the target among the policy's peers.
    const peer = d.allow ? checkPeer(state.policy?.agents?.find((a) => a.id === agentId) ?? state.policy?.agents?.find((a) => a.wardenId === agentId), linkTargetOf(toolName, params, agentId)) : null;
    if (peer) d = { allow: false, code: peer.code, agentName: d.agentName, reason: peer.reason };
    return d;
  };
  // Scope narrowing: a delegated call is allowed only if every agent of its chain may make it (and
  // the calling agent's own decision comes first); a child never holds more than its parents.
  const decideChain = (who, agentId, toolName, toolVersion, toolHash, params, derivedPaths) => {
    const d = decideCall(agentId, toolName, toolVersion, toolHash, params, derivedPaths);
    if (!d.allow) return d;
    for (const a of new Set(who.chain)) {
      if (a === agentId) continue;
      const up = decideCall(a, toolName, toolVersion, toolHash, params, derivedPaths);
      if (!up.allow) return { allow: false, code: `chain_${up.code ?? "blocked"}`.slice(0, 60), agentName: d.agentName, reason: `Warden: blocked for agent "${agentId}" because agent "${a}", which delegated this work, may not make this call (${up.reason})` };
    }
    return d;
  };
  /** Who asked, as reported on every event and held approval (docs/connector-protocol.md, "Who asked"). */
  const whoFields = (who) => ({ ...(who.requester ? { requester: who.requester } : {}), ...(who.chain.length ? { chain: reportedChain(who.chain) } : {}), tier: who.tier });
  const callerOf = (ctx, agentId) => effectiveCaller({ own: ctx?.requester, inherited: provenance.inherited(ctx?.sessionKey), agentId, sessionKey: ctx?.sessionKey });
  /** A sessions_send reaching another session: that session's calls are this caller's (kind "send"). */
  const sendTargetKey = (toolName, params, agentId) => {
    if (toolName !== "sessions_send" || !params || typeof params !== "object") return undefined;
    const link = linkTargetOf(toolName, params, agentId);
    if (!link?.target) return undefined;
    const key = typeof params.sessionKey === "string" ? params.sessionKey.trim() : "";
    if (/^agent:/i.test(key)) return key;
    if (key.toLowerCase() === "main" || (!key && params.label === undefined)) return `agent:${link.target}:main`;
    return undefined; // a label: the session is known from the result
  };
  const targetOf = (toolName, params, agentId) => {
    const t = linkTargetOf(String(toolName), params, agentId)?.target;
    return t ? { targetAgentId: t.slice(0, 200) } : {};
  };
  /** The version and hash of the tool's installed artefact (OpenClaw passes none to the hook). */
  const pinOf = (toolName, v, h) => {
    const a = artefacts.of(toolName);
    return { toolVersion: v ?? a?.version, toolHash: h ?? a?.hash };
  };
  const common = (agentId, ctx, agentName) => ({
    ...(agentId ? { agentId } : {}),
    agentName: agentName ?? agentId ?? "unknown",
    ...(ctx?.sessionKey ? { sessionKey: String(ctx.sessionKey).slice(0, 500) } : {}),
  });

  // A sub-agent's first call may come before OpenClaw announced its spawn: wait for it (once, ≤ 2 s).
  api.on("before_tool_call", (event, ctx) => (provenance.shouldWait(ctx?.sessionKey) ? provenance.waitFor(ctx.sessionKey, 2000).then(() => beforeToolCall(event, ctx)) : beforeToolCall(event, ctx)), { priority: 1000 });
  function beforeToolCall(event, ctx) {
    syncFromDisk();
    const agentId = agentIdOf(ctx);
    // The originating person and the chain of agents behind this call (lib/provenance.js).
    const who = callerOf(ctx, agentId);
    provenance.noteCaller(ctx?.sessionKey, who);
    const ownId = event.toolCallId ?? ctx?.toolCallId ?? randomUUID();
    const runId = event.runId ?? ctx?.runId;
    let toolName = event.toolName ?? ctx?.toolName;
    let params = event.params;
    let toolVersion = event.toolVersion ?? ctx?.toolVersion;
    let toolHash = event.toolHash ?? ctx?.toolHash;
    let call = callKeyOf(ownId, runId);
    let d;
    if (toolName === WRAPPER) {
      // Decide on the tool the wrapper names; a wrapper that names none readable is blocked.
      const inner = innerCall(event.params);
      if (inner.error) d = { allow: false, code: "tool_search_invalid", reason: `Warden: blocked a tool_call: ${inner.error} (fail closed)` };
      else {
        toolName = inner.name;
        params = inner.args;
        ({ toolVersion, toolHash } = pinOf(toolName));
        d = decideChain(who, agentId, toolName, toolVersion, toolHash, params);
      }
      if (d.allow) {
        // Recorded by the tool's own before_tool_call (or as not run by the wrapper's result).
        remember(wrappers, slot(ownId, runId), { call, toolName, params, linked: false, d });
        return undefined;
      }
    } else {
      // The tool behind a Tool Search wrapper: recorded as the wrapper's call (one call, one row).
      const parsed = wrapperIdOf(ownId, toolName);
      const prefix = slot("", runId);
      const w = parsed !== undefined ? slot(parsed, runId) : [...wrappers].reverse().find(([k, v]) => !v.linked && v.toolName === toolName && k.startsWith(prefix))?.[0];
      const pending = w !== undefined ? wrappers.get(w) : undefined;
      if (pending && !pending.linked) {
        pending.linked = true;
        call = pending.call;
      }
      ({ toolVersion, toolHash } = pinOf(toolName, toolVersion, toolHash));
      d = decideChain(who, agentId, toolName, toolVersion, toolHash, params, event.derivedPaths);
    }
    const recordDecision = (allowed, blockReason, extra) =>
      spool.append({
        _kind: "decision",
        _call: call,
        eventId: `${call}.decision`.slice(0, 200),
        occurredAt: new Date().toISOString(),
        ...common(agentId, ctx, d.agentName),
        toolName: String(toolName).slice(0, 200),
        ...pinFields({ toolVersion, toolHash }),
        params: capJson(params),
        egressHosts: egressHostsOf(params),
        decision: allowed ? "allowed" : "blocked",
        ...targetOf(toolName, params, agentId),
        ...(allowed ? {} : { blockReason: String(blockReason).slice(0, 4000) }),
        ...whoFields(who),
        ...extra,
      });
    // Who may use what (the policy's identity section, lib/identity.js), after the allowlist said
    // yes: the rules for the originating person(s) with the calling agent and every agent of the
    // chain, most restrictive outcome; then the rate limits that apply (blocked calls never count).
    const identity = state.policy?.identity;
    // Every person behind the call counts it against their own limits (a send into someone's
    // session does not let that session's calls escape its person's limits); one entry per limit and person.
    const checkLimits = () => {
      const seen = new Set();
      return [who.requester, ...who.others]
        .flatMap((requester) => limiter.check(identity, { requester, agentId, chain: who.chain, toolName: String(toolName), tier: who.tier }))
        .filter((l) => !seen.has(`${l.id}\u0000${l.subjectKey}`) && seen.add(`${l.id}\u0000${l.subjectKey}`));
    };
    let idNeed = null;
    let limits = [];
    if (d.allow && identity !== undefined && identity !== null && !cfg.errors.length) {
      const idd = identityDecisionForChain(identity, { requesters: [who.requester, ...who.others], agents: [...new Set([...who.chain, ...(agentId ? [agentId] : [])])], toolName: String(toolName) });
      if (idd.effect === "deny") d = { allow: false, code: "identity_denied", agentName: d.agentName, reason: idd.reason };
      else if (idd.effect === "require_approval") idNeed = identityNeed(idd);
      if (d.allow) {
        limits = checkLimits();
        const over = limits.find((l) => l.exhausted);
        if (over) d = { allow: false, code: "rate_limited", agentName: d.agentName, reason: limitReason(over) };
      }
    }
    const mine = { call, toolName: String(toolName), allowed: d.allow, link: targetOf(toolName, params, agentId), who };
    remember(decided, slot(ownId, runId), mine);
    // A call Warden's rules hold for a person: the run waits at the gateway until Warden decides;
    // its decision record is written when the gateway settles it (before the tool runs, on allow).
    // The gateway knows the call by its own id (ownId); Warden's record uses the call key. An
    // identity rule's approval comes first; the agent's own approval rules apply to every agent of
    // the chain (a child never skips an approval its parent would need).
    const approvalNeed = () => {
      if (idNeed) return idNeed;
      const local = { ...state.local, approvalGrants: approvalGrants() };
      for (const a of [agentId, ...who.chain.filter((x) => x !== agentId)]) {
        const n = needsApproval(state.policy, local, { agentId: a, toolName, params });
        if (n) return n;
      }
      return null;
    };
    // An allowed sessions_send: the target session's calls are this caller's (delegation provenance).
    const delegateSend = () => {
      const target = sendTargetKey(String(toolName), params, agentId);
      if (target && target.toLowerCase() !== String(ctx?.sessionKey ?? "").trim().toLowerCase()) provenance.delegate({ parentSessionKey: ctx?.sessionKey, parentAgentId: agentId, childSessionKey: target, kind: "send" });
    };
    const finish = (sharedBlock) => {
      if (sharedBlock) d = { allow: false, code: "rate_limited", agentName: d.agentName, reason: sharedBlock };
      let taken = [];
      if (d.allow && limits.length) {
        // Checked again after the await: a concurrent call may have taken the last slot.
        const fresh = checkLimits();
        const over = fresh.find((l) => l.exhausted);
        if (over) d = { allow: false, code: "rate_limited", agentName: d.agentName, reason: limitReason(over) };
        else taken = limiter.commit(fresh);
      }
      mine.allowed = d.allow;
      const need = d.allow && !cfg.errors.length ? approvalNeed() : null;
      if (need) {
        return approvals.hold({
          call: { toolCallId: String(ownId), sessionKey: ctx?.sessionKey ? String(ctx.sessionKey).slice(0, 500) : undefined, runId: runId ? String(runId).slice(0, 200) : undefined, agentId, toolName: String(toolName).slice(0, 200), toolVersion: toolVersion ? String(toolVersion).slice(0, 100) : undefined, params, displayParams: capJson(params) ?? {}, ...whoFields(who) },
          need,
          record: ({ allowed, reason, approvalId }) => {
            if (!allowed) {
              mine.allowed = false;
              limiter.release(taken); // a blocked call never counts
            } else delegateSend();
            recordDecision(allowed, reason, approvalId ? { approvalId } : {});
          },
        });
      }
      try {
        recordDecision(d.allow, d.reason);
      } catch (err) {
        // Cannot record the decision: do not let an unaudited call through.
        limiter.release(taken);
        log.error(`warden: spool write failed (${err.message}); blocking`);
        return { block: true, blockReason: "Warden: cannot record the tool call (spool unavailable)" };
      }
      if (!d.allow) return { block: true, blockReason: d.reason };
      delegateSend();
      return undefined;
    };
    // Shared limits are counted by Warden (one consume each, in parallel); unreachable → blocked.
    const shared = d.allow ? limits.filter((l) => l.shared) : [];
    if (shared.length) return Promise.all(shared.map((l) => consumeShared(client, l))).then((rs) => finish(rs.find((r) => !r.allowed)?.reason));
    return finish();
  }

  api.on("after_tool_call", (event, ctx) => {
    const ownId = event.toolCallId ?? ctx?.toolCallId;
    if (!ownId) return;
    const agentId = agentIdOf(ctx);
    const runId = event.runId ?? ctx?.runId;
    let mine = decided.get(slot(ownId, runId));
    const who = mine?.who ?? callerOf(ctx, agentId);
    const w = wrappers.get(slot(ownId, runId));
    if (w) {
      wrappers.delete(slot(ownId, runId));
      if (w.linked) return; // the wrapped tool's own hooks recorded the call
    }
    let extra = {};
    let toolName = mine?.toolName ?? event.toolName;
    let params;
    const error = event.error ? String(event.error) : undefined;
    if (!mine) {
      // No before_tool_call for this call here (OpenClaw refused it first: arguments failed its
      // validation, or a wrapper named a tool it could not run): it did not run. Record what the
      // policy would have decided.
      let would;
      if (w) {
        toolName = w.toolName;
        params = w.params;
        would = w.d;
      } else if (event.toolName === WRAPPER) {
        const inner = innerCall(event.params);
        if (!inner.error) {
          toolName = inner.name;
          params = inner.args;
        } else params = event.params;
        would = inner.error ? { allow: false, reason: `Warden: blocked a tool_call: ${inner.error} (fail closed)` } : decideChain(who, agentId, toolName, undefined, undefined, params);
      } else {
        params = event.params;
        would = decideChain(who, agentId, toolName, undefined, undefined, params);
      }
      mine = { call: w?.call ?? callKeyOf(ownId, runId), toolName: String(toolName), allowed: would.allow, link: targetOf(toolName, params, agentId) };
      extra = { decision: "not_run", policyDecision: would.allow ? "allowed" : "blocked", ...(would.allow ? {} : { blockReason: String(would.reason).slice(0, 4000) }), params: capJson(params) };
    } else if (!mine.allowed || event.result?.details?.status === "blocked") {
      extra = { decision: "blocked" };
    } else if (error && REFUSED.test(error)) {
      extra = { decision: "not_run", policyDecision: "allowed" }; // allowed here, refused by OpenClaw
    } else extra = { decision: "allowed" };
    const approvalId = approvals.approvalOf(ownId, ctx?.sessionKey ? String(ctx.sessionKey).slice(0, 500) : undefined);
    try {
      spool.append({
        _kind: "result",
        _call: mine.call,
        eventId: `${mine.call}.result`.slice(0, 200),
        occurredAt: new Date().toISOString(),
        ...common(agentId, ctx, state.policy?.agents.find((a) => a.id === agentId)?.name),
        toolName: String(toolName).slice(0, 200),
        ...pinFields(pinOf(String(toolName))),
        ...((params ?? event.params) && typeof (params ?? event.params) === "object" ? { egressHosts: egressHostsOf(params ?? event.params) } : {}),
        ...extra,
        ...mine.link,
        ...(event.result !== undefined ? { result: capJson(event.result) } : {}),
        ...(Number.isInteger(event.durationMs) && event.durationMs >= 0 ? { durationMs: event.durationMs } : {}),
        ...(error ? { error: error.slice(0, 4000) } : {}),
        ...(approvalId ? { approvalId } : {}),
        ...whoFields(who),
      });
    } catch (err) {
      log.error(`warden: spool write failed for a result (${err.message})`);
    }
    // The session a spawn or a send reached, as OpenClaw reports it (also covers a send by label).
    if (extra.decision === "allowed" && !error && (toolName === "sessions_spawn" || toolName === "sessions_send")) {
      const det = event.result?.details && typeof event.result.details === "object" ? event.result.details : event.result;
      const child = toolName === "sessions_spawn" ? det?.childSessionKey : det?.sessionKey;
      if (typeof child === "string" && child.trim() && child.trim().toLowerCase() !== String(ctx?.sessionKey ?? "").trim().toLowerCase()) {
        provenance.delegate({ parentSessionKey: ctx?.sessionKey, parentAgentId: agentId, childSessionKey: child, kind: toolName === "sessions_spawn" ? "spawn" : "send" });
      }
    }
    if (approvalId) approvals.onToolResult(ownId, ctx?.sessionKey ? String(ctx.sessionKey).slice(0, 500) : undefined, { error: event.error });
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
    backoff.recovered(); // Warden answered: every loop retries now, not after its backoff
    spool.resetBackoff();
    usage.spool.resetBackoff();
    if (res.status === 304) return "unchanged";
    const r = adoptSigned(res.json, res.headers.get("etag") ?? undefined, "warden");
    if (!r.ok) {
      log.error(`warden: REJECTED a policy from Warden: ${r.reason}; keeping ${state.policy ? `v${state.policy.version}` : "no policy (blocking all tool calls)"}`);
      throw new Error(`policy rejected: ${r.reason}`);
    }
    log.info(`warden: policy v${state.policy.version} verified (${state.policy.agents.length} agent(s))`);
    return "updated";
  }

  // Warden's admin-WebSocket path asks for a refresh through this gateway method (the second path of
  // a pushed policy change, beside the policy_refresh command on the long-poll).
  if (typeof api.registerGatewayMethod === "function" && client) {
    api.registerGatewayMethod("warden.policy.refresh", async ({ respond }) => {
      try {
        const result = await refreshPolicy(true);
        respond(true, { result, version: state.policy?.version ?? null }, undefined);
      } catch (err) {
        respond(false, undefined, { code: "UNAVAILABLE", message: String(err?.message ?? err).slice(0, 300) });
      }
    }, { scope: "operator.admin" });
  }

  // Re-hash skills/plugins/MCP servers every hashSeconds and push the inventory when it changed (and
  // at least every inventorySeconds); one collection at a time. `warden.inventory.push` does it now.
  let lastPush = { digest: "", at: 0, inv: null, learnt: null };
  let inventoryRun = Promise.resolve();
  const pushInventory = (force) => (inventoryRun = inventoryRun.catch(() => {}).then(async () => {
    const due = Date.now() - lastPush.at >= cfg.inventorySeconds * 1000;
    let inv;
    let learnt;
    if (force === "build") {
      // The build hash just became known: the last collection with it filled in.
      if (!lastPush.inv || lastPush.inv.openclaw?.buildHash) return { pushed: false };
      ({ inv, learnt } = { inv: withBuildHash(lastPush.inv, lastPush.learnt, artefacts.build()), learnt: lastPush.learnt });
    } else {
      ({ inventory: inv, learnt } = await collectInventory({ cfg: api.runtime?.config?.current?.() ?? serviceCtx?.config ?? api.config, logger: log, getCron: serviceCtx?.getCron, withAudit: cfg.securityAudit && (due || force), build: artefacts.build() }));
      artefacts.update(learnt);
    }
    const digest = inventoryDigest(inv);
    if (force !== true && !due && digest === lastPush.digest) return { pushed: false };
    const res = await client.postInventory(inv);
    lastPush = { digest, at: Date.now(), inv: { ...inv, securityAudit: undefined }, learnt };
    log.info(`warden: inventory pushed (${inv.agents.length} agents, ${inv.tools.length} tools, ${inv.skills.length} skills, ${inv.plugins.length} plugins, ${inv.mcpServers.length} MCP servers${inv.openclaw?.buildHash ? ", build hash" : ""}${inv.securityAudit ? ", security audit" : ""}; findings ${res.json?.findings ?? 0})`);
    return { pushed: true, agents: inv.agents.length, tools: inv.tools.length, skills: inv.skills.length, plugins: inv.plugins.length, mcpServers: inv.mcpServers.length };
  }));
  if (typeof api.registerGatewayMethod === "function" && client && fullMode) {
    api.registerGatewayMethod("warden.inventory.push", async ({ respond }) => {
      try {
        respond(true, await pushInventory(true), undefined);
      } catch (err) {
        respond(false, undefined, { code: "UNAVAILABLE", message: String(err?.message ?? err).slice(0, 300) });
      }
    }, { scope: "operator.admin" });
  }

  // ---- containment commands -------------------------------------------------------------------
  /** One write through OpenClaw's config writer (validated, hot-reloaded); fn edits the draft. */
  async function mutateConfig(fn) {
    if (!api.runtime?.config?.mutateConfigFile) throw new Error("config writes are not available to plugins on this OpenClaw");
    await api.runtime.config.mutateConfigFile({ afterWrite: { mode: "auto" }, mutate: (draft) => void fn(draft) });
  }
  /** The gateway agent id a command targets (Warden may address an agent by its Warden id). */
  const gatewayAgentId = (target) => state.policy?.agents?.find((a) => a.wardenId === target)?.id ?? target;

  // Cron jobs: listed over the gateway's cron.list RPC (the scheduler handed to this service only
  // shows a subset of jobs and no effective agent for jobs without agentId), updated through the
  // scheduler when it can, else over the RPC.
  async function cronJobs() {
    try {
      const rpc = [];
      for (let offset = 0; offset < 10_000; offset += 200) {
        const page = await gatewayCall("cron.list", { includeDisabled: true, limit: 200, offset });
        rpc.push(...(page?.jobs ?? []));
        if (!page?.hasMore) break;
      }
      return rpc;
    } catch (err) {
      const svc = serviceCtx?.getCron?.();
      if (!svc?.list) throw err;
      log.warn(`warden: cron.list over the gateway CLI failed (${err?.message ?? err}); using the plugin's scheduler view`);
      return (await svc.list({ includeDisabled: true })) ?? [];
    }
  }
  async function cronSetEnabled(id, enabled) {
    const svc = serviceCtx?.getCron?.();
    if (svc?.update) {
      try {
        return await svc.update(id, { enabled });
      } catch (err) {
        // System-owned jobs refuse every client; anything else gets one try over the RPC.
        if (/system-owned/i.test(err?.message ?? "")) throw err;
      }
    }
    return gatewayCall("cron.update", { id, patch: { enabled } });
  }
  const jobAgent = (j) => j.agentId ?? j.effectiveAgentId;

  // Extensions: every skill that is not disabled and every enabled plugin that is not bundled with
  // OpenClaw, except this plugin. Read over the gateway CLI (each call starts a CLI: run in parallel).
  async function extensionTargets() {
    const [agentsRes, pluginsRes, defaultSkills] = await Promise.all([gatewayCall("agents.list", {}), gatewayCall("plugins.list", {}), gatewayCall("skills.status", {})]);
    const others = (agentsRes?.agents ?? []).map((a) => a?.id).filter((id) => id && id !== defaultSkills?.agentId);
    const lists = [defaultSkills, ...(await Promise.all(others.slice(0, 50).map((agentId) => gatewayCall("skills.status", { agentId }))))];
    const skills = new Set();
    for (const st of lists) for (const sk of st?.skills ?? []) if (sk?.skillKey && sk.disabled !== true) skills.add(String(sk.skillKey));
    const plugins = (pluginsRes?.plugins ?? []).filter((p) => p?.id && p.id !== PLUGIN_ID && p.enabled === true && p.origin !== "bundled").map((p) => String(p.id));
    return { skills: [...skills], plugins };
  }

  /**
   * Restore config entries' `enabled` (null = remove the key we added). OpenClaw's config writer
   * rejects a write that shrinks the file below half its size ("size-drop"), and plugins cannot
   * waive that, so large restores are written in chunks that each shrink it by at most ~35%.
   */
  async function restoreEntries(items) {
    let rest = items.slice();
    for (let round = 0; rest.length && round < 50; round++) {
      let left = rest;
      await mutateConfig((draft) => {
        const size = () => JSON.stringify(draft, null, 2).length;
        const start = size();
        let i = 0;
        for (; i < rest.length; i++) {
          const [section, key, prev] = rest[i];
          const entries = draft[section]?.entries;
          const entry = entries?.[key];
          if (entry) {
            const before = structuredClone(entry);
            if (prev === null || prev === undefined) delete entry.enabled;
            else entry.enabled = prev;
            if (!Object.keys(entry).length) delete entries[key];
            if (i > 0 && size() < start * 0.65) {
              entries[key] = before; // this one goes into the next write
              break;
            }
          }
        }
        left = rest.slice(i);
      });
      rest = left;
    }
    if (rest.length) throw new Error(`could not restore ${rest.length} extension setting(s)`);
  }

  async function runEffect(e, next, cmd) {
    switch (e.type) {
      case "cron_disable": {
        let was;
        await mutateConfig((draft) => {
          was = draft.cron?.enabled !== false;
          draft.cron ??= {};
          draft.cron.enabled = false;
        });
        // Remember the state before Warden's first cron_off only (a repeated apply must not forget it).
        if (typeof next.cronWasEnabled !== "boolean") next.cronWasEnabled = was !== false;
        return `cron disabled (cron.enabled=false; it was ${next.cronWasEnabled ? "enabled" : "already disabled"} before Warden)`;
      }
      case "cron_restore":
        if (!e.enabled) return "cron left disabled (it was disabled before Warden)";
        await mutateConfig((draft) => {
          if (draft.cron) {
            delete draft.cron.enabled; // default: enabled
            if (!Object.keys(draft.cron).length) delete draft.cron;
          }
        });
        return "cron re-enabled (cron.enabled restored)";
      case "agent_cron_disable": {
        const agentId = e.gatewayAgentId ?? gatewayAgentId(e.agentId);
        // System-owned jobs (e.g. the agent's heartbeat monitor) refuse edits: the suspension still
        // holds (every tool call blocked); they are reported, not fatal.
        const jobs = (await cronJobs()).filter((j) => jobAgent(j) === agentId && j.enabled !== false);
        const mem = new Set(next.agentCron[e.agentId] ?? []);
        const disabled = [];
        const skipped = [];
        for (const j of jobs) {
          try {
            await cronSetEnabled(j.id, false);
            mem.add(String(j.id));
            disabled.push(j.name ?? j.id);
          } catch (err) {
            skipped.push(`${j.name ?? j.id} (${err?.message ?? err})`);
          }
        }
        if (mem.size) next.agentCron[e.agentId] = [...mem];
        return `cron: disabled ${disabled.length} job(s) of agent "${agentId}"${disabled.length ? ` (${disabled.join(", ")})` : ""}${skipped.length ? `; not disabled: ${skipped.join(", ")}` : ""}`;
      }
      case "agent_cron_restore": {
        let done = 0;
        const missing = [];
        for (const id of e.jobs) {
          try {
            await cronSetEnabled(id, true);
            done++;
          } catch (err) {
            missing.push(`${id} (${err?.message ?? err})`);
          }
        }
        return `cron: re-enabled ${done} job(s)${missing.length ? `; could not re-enable ${missing.join(", ")}` : ""}`;
      }
      case "extensions_disable": {
        const t = await extensionTargets();
        const mem = { skills: { ...(next.extensions?.skills ?? {}) }, plugins: { ...(next.extensions?.plugins ?? {}) } };
        await mutateConfig((draft) => {
          for (const k of t.skills) {
            draft.skills ??= {};
            draft.skills.entries ??= {};
            draft.skills.entries[k] ??= {};
            if (!(k in mem.skills)) mem.skills[k] = typeof draft.skills.entries[k].enabled === "boolean" ? draft.skills.entries[k].enabled : null;
            draft.skills.entries[k].enabled = false;
          }
          for (const id of t.plugins) {
            draft.plugins ??= {};
            draft.plugins.entries ??= {};
            draft.plugins.entries[id] ??= {};
            if (!(id in mem.plugins)) mem.plugins[id] = typeof draft.plugins.entries[id].enabled === "boolean" ? draft.plugins.entries[id].enabled : null;
            draft.plugins.entries[id].enabled = false;
          }
          // This plugin must stay enabled: never touch its own entry.
        });
        next.extensions = mem;
        return `extensions disabled: ${t.skills.length} skill(s), ${t.plugins.length} plugin(s)${t.plugins.length ? ` (${t.plugins.join(", ")})` : ""}; the Warden plugin stays enabled`;
      }
      case "extensions_restore": {
        const { skills = {}, plugins = {} } = e.memory ?? {};
        const items = [...Object.entries(skills).map(([k, prev]) => ["skills", k, prev]), ...Object.entries(plugins).filter(([id]) => id !== PLUGIN_ID).map(([id, prev]) => ["plugins", id, prev])];
        await restoreEntries(items);
        return `extensions restored: ${Object.keys(skills).length} skill(s), ${Object.keys(plugins).length} plugin(s) back to their previous setting`;
      }
      case "shutdown": {
        const prev = next.shutdowns?.[cmd.id];
        if (prev) return `gateway already stopped once for this command (at ${prev}); tool calls stay blocked until released`;
        // Remember the command so a redelivery after the restart does not stop the gateway again.
        next.shutdowns = Object.fromEntries([...Object.entries(next.shutdowns ?? {}).slice(-49), [cmd.id, new Date().toISOString()]]);
        next.stopNow = true;
        return "gateway stopping (SIGTERM after this acknowledgement); after a restart tool calls stay blocked until released";
      }
      default:
        throw new Error(`unknown effect ${e.type}`);
    }
  }

  const HOLD_TEXT = {
    deny_tool: (c) => `tool "${c.target}" denied for every agent on this gateway`,
    require_approval: (c) => `tool "${c.target}" requires approval: denied for every agent on this gateway until released`,
    suspend_agent: (c) => (c.scope === "gateway" || c.scope === "fleet" || c.target === "*" ? "all agents suspended: every tool call blocked" : `agent "${c.options?.agentExternalId ?? c.target}" suspended: every tool call of this agent blocked`),
    block_all: () => "all tool calls blocked on this gateway",
    suspend_gateway: () => "all tool calls blocked on this gateway",
    shutdown: () => "all tool calls blocked on this gateway",
    cron_off: () => "cron_off held",
    disable_extensions: () => "disable_extensions held",
  };

  /** Resolve a held call with Warden's decision; an "allow for N minutes" is also kept as a local grant. */
  async function applyApprovalDecision(cmd) {
    const detail = await approvals.applyDecision(cmd);
    const o = cmd.options ?? {};
    const until = typeof o.grantUntil === "string" ? Date.parse(o.grantUntil) : NaN;
    const held = typeof o.requestId === "string" ? approvals.calls.get(o.requestId) : undefined;
    if (o.decision === "allow" && Number.isFinite(until) && until > Date.now() && held?.agentId && held?.toolName) {
      const grant = { agentId: held.agentId, tool: held.toolName, until: new Date(until).toISOString(), approvalId: cmd.target };
      const live = approvalGrants().filter((g) => Date.parse(g?.until) > Date.now());
      writeJsonAtomic(files.grants, [...live.slice(-499), grant]);
      return `${detail}; ${grant.tool} allowed for agent ${grant.agentId} until ${grant.until}`;
    }
    return detail;
  }

  let pendingShutdown = false;
  /**
   * Apply or release one command; returns the ack detail, throws on failure (ack "failed"). An
   * apply's hold is saved even when an effect fails; a failed release changes nothing.
   */
  async function applyCommand(cmd) {
    if (cmd.action === "policy_refresh") return `policy ${await refreshPolicy(true)}`;
    if (cmd.action === "approval_decision") return applyApprovalDecision(cmd);
    syncFromDisk(); // another instance may have written newer state
    const release = cmd.kind === "release";
    const p = plan(state.local, cmd);
    // An apply's hold is on disk before any slow side effect (cron, config writes), so tool calls
    // are blocked at once; if an effect then fails the hold stays (fail closed) and the ack says
    // "failed", so Warden redelivers. A release changes nothing until its effects succeeded.
    if (!release && p.effects.length) saveContainment(structuredClone(p.next));
    const notes = [];
    for (const e of p.effects) notes.push(await runEffect(e, p.next, cmd));
    const stopNow = p.next.stopNow === true;
    delete p.next.stopNow;
    saveContainment(p.next);
    if (stopNow) pendingShutdown = true; // only once the block is on disk
    const what = HOLD_TEXT[cmd.action]?.(cmd) ?? cmd.action;
    // The signed policy carries containment too (deny wins): refresh it now, so a release is not
    // held back by the cached policy until the next poll (best effort, bounded).
    if (client) await Promise.race([refreshPolicy(true).catch((err) => log.warn(`warden: policy refresh after ${cmd.action} failed (${err?.message ?? err})`)), sleep(3000)]);
    const label = typeof cmd.options?.agentExternalId === "string" ? cmd.options.agentExternalId : cmd.target;
    let head;
    if (!release) head = `${what}${p.already ? " (repeated delivery: already applied)" : ""}`;
    else if (p.already) head = `nothing to release for ${cmd.action} ${label} (not held)`;
    else if (!p.lifted) head = `${cmd.action} ${label} released; still contained by another action`;
    else head = `${cmd.action} ${label} released`;
    return [head, ...notes].join("; ") + ` [now: ${summary(p.next)}]`;
  }

  const backoff = createBackoffGroup();
  async function loop(name, everyMs, fn, signal) {
    while (!signal.aborted) {
      let wait = everyMs();
      try {
        await fn();
        backoff.succeeded(name);
      } catch (err) {
        // Bounded (<= 10 s), jittered; cut short as soon as a policy fetch succeeds (lib/backoff.js).
        const n = backoff.failed(name);
        wait = backoffDelay(n, { retryAfterSeconds: err?.retryAfter });
        log.warn(`warden: ${name} failed (${err?.message ?? err}); retry in ${(wait / 1000).toFixed(1)}s`);
        await backoff.sleep(wait, signal);
        continue;
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
      approvals.start();
      void loop("policy refresh", () => cfg.pollSeconds * 1000, () => refreshPolicy(false), signal);
      void loop("event flush", () => cfg.flushSeconds * 1000, () => spool.flush(), signal);
      void loop("usage flush", () => cfg.flushSeconds * 1000, () => usage.spool.flush(), signal);
      // Acks ride on the next poll (one request per command round trip); they are kept until a
      // poll carrying them succeeds, and Warden ignores a repeated ack with the same outcome.
      let pendingAcks = [];
      void loop("command poll", () => 0, async () => {
        let res;
        try {
          res = await client.pollCommands(25, signal, pendingAcks);
          approvals.wardenContact(true);
        } catch (err) {
          // Calls waiting for approval are denied once Warden stays unreachable (fail closed).
          if (!signal.aborted) approvals.wardenContact(false);
          throw err;
        }
        pendingAcks = [];
        for (const a of res.json?.acks ?? []) if (a.error) log.warn(`warden: Warden refused the ack of command ${a.id}: ${a.error.message}`);
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
          if (pendingShutdown) {
            // Block first (persisted above), acknowledge (a few tries), then stop this gateway process.
            pendingShutdown = false;
            for (let i = 0; i < 3; i++) {
              try {
                await client.ack(cmd.id, outcome, detail);
                break;
              } catch (err) {
                log.warn(`warden: shutdown ack failed (${err?.message ?? err}); retrying`);
                await sleep(1000);
              }
            }
            await Promise.race([spool.flush({ force: true }).catch(() => {}), sleep(3000)]);
            log.warn(`warden: SHUTDOWN requested by Warden (${cmd.reason || "no reason"}); sending SIGTERM to the gateway (pid ${process.pid})`);
            setTimeout(() => process.kill(process.pid, "SIGTERM"), 250);
            controller?.abort();
            return;
          }
          pendingAcks.push({ id: cmd.id, outcome, ...(detail ? { detail: String(detail).slice(0, 4000) } : {}) });
        }
      }, signal);
      void (async () => {
        // Pushed again as soon as the OpenClaw build hash is known (the first push may lack it).
        const oc = openclawRootOf(process.env.WARDEN_OPENCLAW_ENTRY || process.argv[1] || "");
        if (oc) void buildHash({ root: oc.root, version: oc.version, cacheFile: files.buildHash }).then((r) => r.hash && !signal.aborted && pushInventory("build")).catch(() => {});
        await sleep(3000, signal); // let the gateway finish starting before we call its CLI
        await loop("inventory push", () => Math.min(cfg.hashSeconds, cfg.inventorySeconds) * 1000, () => pushInventory(false), signal);
      })();
    },
    async stop() {
      controller?.abort();
      approvals.stop();
      controller = null;
      serviceCtx = null;
      if (client) {
        try {
          await Promise.race([Promise.all([spool.flush({ force: true }), usage.spool.flush({ force: true })]), sleep(5000)]);
        } catch {}
      }
    },
  });
}

const pinFields = ({ toolVersion, toolHash }) => ({
  ...(toolVersion ? { toolVersion: String(toolVersion).slice(0, 100) } : {}),
  ...(typeof toolHash === "string" && /^[0-9a-f]{64}$/i.test(toolHash) ? { toolHash: toolHash.toLowerCase() } : {}),
});

/** Compute (or read from its cache) the OpenClaw build hash once per process; log when known. */
function startBuildHash(artefacts, cacheFile, log) {
  const oc = openclawRootOf(process.env.WARDEN_OPENCLAW_ENTRY || process.argv[1] || "");
  const flag = Symbol.for("warden.openclaw.buildHashStarted");
  if (!oc || globalThis[flag]) return;
  globalThis[flag] = true;
  // A hash left on disk by an earlier process is not trusted until this one verified the build.
  artefacts.setBuild({ version: oc.version });
  const t = setTimeout(() => {
    buildHash({ root: oc.root, version: oc.version, cacheFile })
      .then((r) => {
        if (!r.hash) return log.warn(`warden: the OpenClaw build at ${oc.root} could not be hashed (over the bound or unreadable); built-in tools stay unpinned`);
        artefacts.setBuild({ version: oc.version, hash: r.hash });
        log.info(`warden: OpenClaw ${oc.version} build hash ${r.hash} (${r.cached ? "cached" : `${r.files} files, ${r.bytes} bytes, ${r.ms} ms`})`);
      })
      .catch((err) => log.warn(`warden: hashing the OpenClaw build failed (${err?.message ?? err})`));
  }, 1000);
  t.unref?.();
}

/** Symlinks resolved on the longest existing ancestor (a file about to be written does not exist yet). */
function realpathOfAncestor(p) {
  const rest = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
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
