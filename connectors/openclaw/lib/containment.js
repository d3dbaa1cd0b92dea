// Local containment state of this gateway (persisted as <spoolDir>/containment.json): pure functions,
// no I/O. Every containment is a "hold" on a key (a tool, an agent, the whole gateway, cron, the
// extensions) by a holder (the Warden action id when the command carries one, else the action name),
// so the same command delivered twice is one hold, and releasing one action does not lift another
// that contains the same thing. Side effects on the gateway (config writes, cron jobs, shutdown) are
// described by `effects`; the caller runs them and records what it changed ("memory") so a release
// restores exactly what was there before, however often the apply was delivered.

export const STATE_VERSION = 2;

/** Actions and what they hold. */
const GATEWAY_BLOCKS = new Set(["block_all", "suspend_gateway", "shutdown"]);
export const SUPPORTED_ACTIONS = ["deny_tool", "require_approval", "suspend_agent", "block_all", "suspend_gateway", "shutdown", "cron_off", "disable_extensions"];

export function emptyState() {
  return {
    version: STATE_VERSION,
    holds: {},
    deniedTools: {},
    approvalTools: {},
    suspendedAgents: {},
    blockAll: undefined,
    cronWasEnabled: undefined,
    agentCron: {},
    extensions: undefined,
    shutdowns: {},
  };
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** A persisted state (any version, possibly hand-edited or partial) → a normalized state. */
export function loadState(raw) {
  const s = emptyState();
  if (!isObj(raw)) return s;
  if (isObj(raw.holds)) {
    for (const [key, holders] of Object.entries(raw.holds)) {
      if (!isObj(holders)) continue;
      const h = {};
      for (const [who, v] of Object.entries(holders)) if (isObj(v)) h[who] = { action: String(v.action ?? who), reason: String(v.reason ?? ""), ...(v.cronOff ? { cronOff: true } : {}), ...(typeof v.alias === "string" && v.alias ? { alias: v.alias } : {}), ...(v.at ? { at: String(v.at) } : {}) };
      if (Object.keys(h).length) s.holds[key] = h;
    }
  } else {
    // Version 1 kept only the derived maps: each entry becomes a "legacy" hold.
    for (const [name, reason] of Object.entries(isObj(raw.deniedTools) ? raw.deniedTools : {})) s.holds[`tool:${name}`] = { legacy: { action: "deny_tool", reason: String(reason) } };
    for (const [id, reason] of Object.entries(isObj(raw.suspendedAgents) ? raw.suspendedAgents : {})) s.holds[`agent:${id}`] = { legacy: { action: "suspend_agent", reason: String(reason) } };
    if (raw.blockAll) s.holds.gateway = { legacy: { action: "block_all", reason: String(raw.blockAll) } };
    if (typeof raw.cronWasEnabled === "boolean") s.holds.cron = { legacy: { action: "cron_off", reason: "cron_off" } };
  }
  if (typeof raw.cronWasEnabled === "boolean" && s.holds.cron) s.cronWasEnabled = raw.cronWasEnabled;
  if (isObj(raw.agentCron)) {
    for (const [id, jobs] of Object.entries(raw.agentCron)) if (Array.isArray(jobs)) s.agentCron[id] = jobs.map(String);
  }
  if (isObj(raw.extensions) && s.holds.extensions) {
    s.extensions = { skills: isObj(raw.extensions.skills) ? { ...raw.extensions.skills } : {}, plugins: isObj(raw.extensions.plugins) ? { ...raw.extensions.plugins } : {} };
  }
  if (isObj(raw.shutdowns)) s.shutdowns = { ...raw.shutdowns };
  return derive(s);
}

/**
 * Recompute the maps decide() reads (deniedTools, suspendedAgents, blockAll) and the one
 * needsApproval() reads (approvalTools) from the holds. A tool held only by require_approval is not
 * denied: each call waits for a person's approval (lib/approval-rules.js); any deny_tool hold on it
 * denies it as before.
 */
export function derive(s) {
  s.deniedTools = {};
  s.approvalTools = {};
  s.suspendedAgents = {};
  s.blockAll = undefined;
  const text = (holders, fmt) => Object.values(holders).map(fmt).join("; ");
  for (const [key, holders] of Object.entries(s.holds)) {
    if (key.startsWith("tool:")) {
      const all = Object.values(holders);
      const approval = all.filter((h) => h.action === "require_approval");
      const deny = all.filter((h) => h.action !== "require_approval");
      if (deny.length) s.deniedTools[key.slice(5)] = deny.map((h) => h.reason).join("; ");
      if (approval.length) s.approvalTools[key.slice(5)] = approval.map((h) => h.reason).join("; ");
    }
    else if (key.startsWith("agent:")) {
      const reason = text(holders, (h) => h.reason);
      s.suspendedAgents[key.slice(6)] = reason;
      // The gateway's own id of the agent (Warden sends its agent id as target): no policy needed.
      for (const h of Object.values(holders)) if (h.alias) s.suspendedAgents[h.alias] = reason;
    }
    else if (key === "gateway") s.blockAll = text(holders, (h) => (h.action === "shutdown" ? `shut down: ${h.reason}` : h.reason));
  }
  return s;
}

/** The gateway's agent id Warden sends alongside an agent-scope target (its own agent id). */
const aliasOf = (cmd) => (typeof cmd.options?.agentExternalId === "string" && cmd.options.agentExternalId && cmd.options.agentExternalId !== cmd.target ? cmd.options.agentExternalId : undefined);

/** What one command holds: { key, cronOff?, alias? } or throws for an unsupported action. */
export function holdKeyOf(cmd) {
  const whole = cmd.scope === "gateway" || cmd.scope === "fleet";
  switch (cmd.action) {
    case "deny_tool":
    case "require_approval":
      if (!cmd.target || cmd.target === "*") throw new Error(`${cmd.action} needs a tool name as target`);
      return { key: `tool:${cmd.target}` };
    case "suspend_agent":
      // Gateway/fleet scope (or target "*"): every agent, i.e. every tool call.
      if (whole || cmd.target === "*") return { key: "gateway" };
      if (!cmd.target) throw new Error("suspend_agent needs an agent id as target");
      return { key: `agent:${cmd.target}`, cronOff: cmd.options?.cronOff === true, alias: aliasOf(cmd) };
    case "block_all":
    case "suspend_gateway":
    case "shutdown":
      return { key: "gateway" };
    case "cron_off":
      return { key: "cron" };
    case "disable_extensions":
      return { key: "extensions" };
    default:
      throw new Error(`unsupported action "${cmd.action}" (scope ${cmd.scope})`);
  }
}

export const holderOf = (cmd) => (cmd.actionId ? String(cmd.actionId) : String(cmd.action));

/**
 * Plan one command against the state. Returns { next, effects, already } without changing `state`:
 * - next: the state with the hold added/removed (memory for effects is filled in by the caller)
 * - effects: [{ type: "cron_disable" } | { type: "cron_restore", enabled } | { type: "agent_cron_disable", agentId, gatewayAgentId? }
 *            | { type: "agent_cron_restore", agentId, jobs } | { type: "extensions_disable" }
 *            | { type: "extensions_restore", memory } | { type: "shutdown" }]
 * - already: true when the apply was already held by this holder (a repeated delivery) or the
 *   release found nothing to release.
 * Applies re-assert their effect (a repeated cron_off disables cron again if someone re-enabled it)
 * but never overwrite the memory of what was there before.
 */
export function plan(state, cmd) {
  const release = cmd.kind === "release";
  const { key, cronOff, alias } = holdKeyOf(cmd);
  const who = holderOf(cmd);
  const next = clone(state);
  const holders = next.holds[key] ?? {};
  const had = Object.prototype.hasOwnProperty.call(holders, who);
  const effects = [];
  if (!release) {
    const keepAlias = alias ?? (had ? holders[who].alias : undefined);
    holders[who] = { action: cmd.action, reason: cmd.reason || cmd.action, ...(cronOff ? { cronOff: true } : {}), ...(keepAlias ? { alias: keepAlias } : {}), at: had ? holders[who].at : new Date().toISOString() };
    next.holds[key] = holders;
    if (key === "cron") effects.push({ type: "cron_disable" });
    if (cronOff) effects.push({ type: "agent_cron_disable", agentId: cmd.target, ...(keepAlias ? { gatewayAgentId: keepAlias } : {}) });
    if (key === "extensions") effects.push({ type: "extensions_disable" });
    if (cmd.action === "shutdown") effects.push({ type: "shutdown" });
    return { next: derive(next), effects, already: had };
  }
  // Release: drop this action's hold. Holders are action ids when commands carry one; a hold taken
  // under the action name (older commands) or a version-1 "legacy" hold is released by the same action.
  const victim = had ? who : holders[cmd.action]?.action === cmd.action ? cmd.action : holders.legacy ? "legacy" : undefined;
  if (!victim) return { next: derive(next), effects, already: true };
  const wasCronOff = holders[victim].cronOff === true;
  delete holders[victim];
  const lifted = Object.keys(holders).length === 0;
  if (lifted) delete next.holds[key];
  else next.holds[key] = holders;
  if (key === "cron" && lifted) {
    if (typeof state.cronWasEnabled === "boolean") effects.push({ type: "cron_restore", enabled: state.cronWasEnabled });
    next.cronWasEnabled = undefined;
  }
  if (key.startsWith("agent:") && wasCronOff && !Object.values(holders).some((h) => h.cronOff)) {
    const agentId = key.slice(6);
    if (next.agentCron[agentId]?.length) effects.push({ type: "agent_cron_restore", agentId, jobs: [...next.agentCron[agentId]] });
    delete next.agentCron[agentId];
  }
  if (key === "extensions" && lifted) {
    if (next.extensions) effects.push({ type: "extensions_restore", memory: clone(next.extensions) });
    next.extensions = undefined;
  }
  return { next: derive(next), effects, already: false, lifted };
}

/** A short human summary of what is held, for ack details and logs. */
export function summary(s) {
  const parts = [];
  if (s.blockAll) parts.push("all tool calls blocked");
  const tools = Object.keys(s.deniedTools);
  if (tools.length) parts.push(`tools denied: ${tools.join(", ")}`);
  const held = Object.keys(s.approvalTools ?? {});
  if (held.length) parts.push(`tools held for approval: ${held.join(", ")}`);
  const agents = Object.keys(s.suspendedAgents);
  if (agents.length) parts.push(`agents suspended: ${agents.join(", ")}`);
  if (s.holds.cron) parts.push("cron off");
  if (s.holds.extensions) parts.push("extensions disabled");
  return parts.join("; ") || "nothing contained";
}
