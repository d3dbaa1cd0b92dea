/**
 * Posture findings Warden derives from a gateway's inventory push (on top of OpenClaw's own
 * security audit). Pure and tolerant: it reads the shapes Warden's schema documents and the raw
 * OpenClaw config shapes a connector may forward instead (`gateway.bind`, `tools.exec.security`,
 * `subagents.allowAgents`, `model: {primary, fallbacks}`, channels as a map, …); anything it does
 * not recognise is ignored rather than flagged.
 *
 * Rules (one check per gateway, check id and agent or channel):
 * - warden.bind_beyond_loopback (high): the gateway's bind host is not loopback (127.0.0.0/8, ::1,
 *   localhost, "loopback"). Bind modes such as "lan", "auto", "tailnet" or "0.0.0.0" count as beyond.
 * - warden.exec_unrestricted (high): exec security/mode "full", in the config (global finding) or on
 *   an agent (one per agent). `ask` alone never flags: ask "off" with an allowlist still restricts.
 * - warden.delegation_allowed (medium): an agent (or the config defaults) that may delegate —
 *   `canDelegate`/`delegation` true, `subagents.allowAgents` non-empty (or `subagents` true /
 *   `{enabled: true}`), or a tool list / allow list naming sessions_spawn, sessions_send, subagents
 *   or group:sessions that the deny list does not take back.
 * - warden.weak_fallback_model (high): a tool-enabled agent whose primary model is strong and one of
 *   whose fallbacks is weak (`isWeakModel`).
 * - warden.channel_unused (low): a channel enabled in the inventory that is reported not connected
 *   (`connected`/`running` false), or — when the caller passes `activeChannels` — that no tool call of
 *   the gateway in the last days mentions (session key segment). Without `activeChannels` only the
 *   "not connected" half applies.
 */
import { isWeakModel } from "@/lib/agents/posture";

export type PostureSeverity = "low" | "medium" | "high" | "critical";

export type PostureCheck = {
  checkId: string;
  severity: PostureSeverity;
  title: string;
  detail: string;
  /** The agent's id on its gateway (inventory `agents[].id`), for per-agent checks. */
  agentId?: string;
  agentName?: string;
  /** The channel id, for per-channel checks. */
  channelId?: string;
  /** The values the check was derived from (small, for the finding's detail). */
  evidence?: Record<string, unknown>;
};

export type PostureOptions = {
  /** Lower-cased ids of channels with recent activity; enables the "no recent activity" half of channel_unused. */
  activeChannels?: ReadonlySet<string>;
  /** How far back `activeChannels` looks, for the finding's wording. */
  activityDays?: number;
};

export const POSTURE_CHECK_IDS = ["warden.bind_beyond_loopback", "warden.exec_unrestricted", "warden.delegation_allowed", "warden.weak_fallback_model", "warden.channel_unused"] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap((x) => (str(x) ? [str(x)!] : [])) : str(v) ? [str(v)!] : []);
const first = (...vs: unknown[]): string | undefined => vs.map(str).find((v) => v !== undefined);

/** The host part of a bind value: "127.0.0.1:18789" → "127.0.0.1", "[::1]:80" → "::1", "ws://h:1/x" → "h". */
export function bindHost(value: string): string {
  let v = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  v = v.replace(/\/.*$/, "");
  const bracketed = /^\[([^\]]+)\]/.exec(v);
  if (bracketed) return bracketed[1];
  if (v.split(":").length === 2) return v.split(":")[0];
  return v;
}

export function isLoopbackBind(value: string): boolean {
  const h = bindHost(value);
  if (h === "loopback" || h === "localhost" || h.endsWith(".localhost") || h === "localhost.localdomain") return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.replace(/^::ffff:/, "");
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function bindValue(config: Obj): string | undefined {
  const gw = obj(config.gateway);
  const mode = first(config.bind, gw.bind, config.bindMode);
  const host = first(config.bindHost, config.customBindHost, gw.customBindHost, gw.bindHost);
  // OpenClaw's bind "custom" names the host separately; a host given with no mode is the bind itself.
  if (host && (!mode || mode.toLowerCase() === "custom")) return host;
  return mode;
}

/** Exec posture of a config or agent block: `execMode`, `exec.{mode,security,ask}`, `tools.exec.*`, `posture.execMode`. */
function execOf(o: Obj): { mode?: string; ask?: string } {
  const exec = obj(o.exec);
  const toolsExec = obj(obj(o.tools).exec);
  const posture = obj(o.posture);
  const mode = first(o.execMode, o.execSecurity, exec.security, exec.mode, toolsExec.security, toolsExec.mode, posture.execMode);
  const ask = first(o.execAsk, exec.ask, toolsExec.ask);
  return { mode: mode?.toLowerCase(), ask: ask?.toLowerCase() };
}

const DELEGATION_TOOLS = new Set(["sessions_spawn", "sessions_send", "subagents", "group:sessions", "agents_spawn", "delegate"]);

/** Why an agent or config block may delegate, or undefined. */
function delegationOf(o: Obj): string | undefined {
  const posture = obj(o.posture);
  for (const [k, v] of [
    ["canDelegate", o.canDelegate],
    ["posture.canDelegate", posture.canDelegate],
    ["delegation", o.delegation],
    ["allowDelegation", o.allowDelegation],
  ] as const) {
    if (v === true || (isObj(v) && v.enabled === true)) return `${k} is enabled`;
  }
  const sub = o.subagents;
  if (sub === true) return "subagents are enabled";
  if (Array.isArray(sub) && strs(sub).length) return `it may reach agents ${strs(sub).join(", ")}`;
  if (isObj(sub)) {
    const allow = strs(sub.allowAgents ?? sub.allow);
    if (sub.enabled === false) return undefined;
    if (allow.length) return `subagents.allowAgents is ${allow.join(", ")}`;
    if (sub.enabled === true) return "subagents are enabled";
  }
  const tools = o.tools;
  const toolsObj = obj(tools);
  const deny = new Set([...strs(toolsObj.deny), ...strs(o.toolsDeny)].map((t) => t.toLowerCase()));
  const allowed = [...strs(Array.isArray(tools) ? tools : toolsObj.allow), ...strs(toolsObj.alsoAllow), ...strs(o.toolsAllow)]
    .map((t) => t.toLowerCase())
    .filter((t) => DELEGATION_TOOLS.has(t) && !deny.has(t) && !(t.startsWith("sessions_") && deny.has("group:sessions")));
  if (allowed.length) return `its tools include ${[...new Set(allowed)].join(", ")}`;
  return undefined;
}

function modelsOf(a: Obj): { primary?: string; fallbacks: string[] } {
  const m = a.model;
  if (isObj(m)) return { primary: str(m.primary), fallbacks: [...strs(m.fallbacks), ...strs(a.fallbackModels), ...strs(a.fallbacks)] };
  return { primary: str(m), fallbacks: [...strs(a.fallbackModels), ...strs(a.fallbacks)] };
}

function channelsOf(v: unknown): { id: string; enabled: boolean; connected?: boolean }[] {
  const entries: [string | undefined, Obj][] = Array.isArray(v) ? v.filter(isObj).map((c) => [str(c.id), c]) : Object.entries(obj(v)).map(([id, c]) => [str(id), obj(c)]);
  const out: { id: string; enabled: boolean; connected?: boolean }[] = [];
  for (const [id, c] of entries) {
    if (!id) continue;
    const connected = typeof c.connected === "boolean" ? c.connected : typeof c.running === "boolean" ? c.running : undefined;
    out.push({ id, enabled: c.enabled !== false && c.configured !== false, ...(connected !== undefined ? { connected } : {}) });
  }
  return out;
}

export function postureChecks(inventory: unknown, opts: PostureOptions = {}): PostureCheck[] {
  const inv = obj(inventory);
  const config = obj(inv.config);
  const agents = (Array.isArray(inv.agents) ? inv.agents : isObj(inv.agents) ? Object.entries(inv.agents).map(([id, a]) => ({ id, ...obj(a) })) : []).filter(isObj);
  const out: PostureCheck[] = [];
  const agentRef = (a: Obj) => {
    const id = first(a.id, a.agentId);
    const name = first(a.name, obj(a.identity).name, a.displayName);
    return id ? { agentId: id, ...(name && name !== id ? { agentName: name } : {}) } : undefined;
  };
  const label = (ref: { agentId: string; agentName?: string }) => (ref.agentName ? `${ref.agentName} (${ref.agentId})` : ref.agentId);

  // Bound beyond loopback.
  const bind = bindValue(config);
  if (bind && !isLoopbackBind(bind)) {
    out.push({
      checkId: "warden.bind_beyond_loopback",
      severity: "high",
      title: "Gateway bound beyond loopback",
      detail: `The gateway listens on "${bind}", reachable from other machines. Bind it to loopback and reach it through a tunnel or tailnet with device pairing.`,
      evidence: { bind },
    });
  }

  // Exec unrestricted: the config (global default) and each agent that sets it.
  const globalExec = execOf(config);
  if (globalExec.mode === "full") {
    out.push({
      checkId: "warden.exec_unrestricted",
      severity: "high",
      title: "Unrestricted exec",
      detail: `Exec security is "full"${globalExec.ask ? ` (ask "${globalExec.ask}")` : ""}: agents may run any shell command. Use "allowlist" or "deny".`,
      evidence: { execMode: globalExec.mode, ...(globalExec.ask ? { ask: globalExec.ask } : {}) },
    });
  }
  const defaults = obj(obj(config.agents).defaults);
  const globalDelegation = delegationOf(config) ?? delegationOf(defaults);
  if (globalDelegation) {
    out.push({
      checkId: "warden.delegation_allowed",
      severity: "medium",
      title: "Delegation allowed",
      detail: `The gateway's configuration lets agents spawn or message other agents (${globalDelegation}), which widens what a prompt injection can reach.`,
      evidence: { reason: globalDelegation },
    });
  }

  const seen = new Set<string>();
  for (const a of agents) {
    const ref = agentRef(a);
    if (!ref || seen.has(ref.agentId)) continue;
    seen.add(ref.agentId);

    const exec = execOf(a);
    if (exec.mode === "full") {
      out.push({
        checkId: "warden.exec_unrestricted",
        severity: "high",
        title: `Unrestricted exec on ${label(ref)}`,
        detail: `Agent ${label(ref)} has exec security "full"${exec.ask ? ` (ask "${exec.ask}")` : ""}: it may run any shell command. Use "allowlist" or "deny".`,
        ...ref,
        evidence: { execMode: exec.mode, ...(exec.ask ? { ask: exec.ask } : {}) },
      });
    }

    const delegation = delegationOf(a);
    if (delegation) {
      out.push({
        checkId: "warden.delegation_allowed",
        severity: "medium",
        title: `Delegation allowed on ${label(ref)}`,
        detail: `Agent ${label(ref)} may spawn or message other agents (${delegation}), which widens what a prompt injection can reach.`,
        ...ref,
        evidence: { reason: delegation },
      });
    }

    const { primary, fallbacks } = modelsOf(a);
    const weak = [...new Set(fallbacks.filter(isWeakModel))];
    const toolEnabled = !(Array.isArray(a.tools) && a.tools.length === 0);
    if (toolEnabled && primary && !isWeakModel(primary) && weak.length) {
      out.push({
        checkId: "warden.weak_fallback_model",
        severity: "high",
        title: `Weaker model in the fallback chain of ${label(ref)}`,
        detail: `Agent ${label(ref)} can fall back to ${weak.join(", ")}, which resists prompt injection less than ${primary}.`,
        ...ref,
        evidence: { model: primary, weakFallbacks: weak },
      });
    }
  }

  // Channels enabled but unused.
  const days = opts.activityDays ?? 7;
  const seenChannels = new Set<string>();
  for (const c of channelsOf(inv.channels)) {
    if (!c.enabled || seenChannels.has(c.id)) continue;
    seenChannels.add(c.id);
    const reason = c.connected === false ? "not connected" : opts.activeChannels && !opts.activeChannels.has(c.id.toLowerCase()) ? `no tool calls through it in the last ${days} days` : undefined;
    if (!reason) continue;
    out.push({
      checkId: "warden.channel_unused",
      severity: "low",
      title: `Channel ${c.id} enabled but unused`,
      detail: `Channel ${c.id} is enabled but ${reason}. Disable channels you do not use: each one is a way in for prompt injection.`,
      channelId: c.id,
      evidence: { reason, ...(c.connected !== undefined ? { connected: c.connected } : {}) },
    });
  }
  return out;
}

/** The identity of a check within its gateway: check id plus agent or channel. */
export function postureKey(c: { checkId: string; agentId?: string; channelId?: string }): string {
  return [c.checkId, c.agentId ? `agent:${c.agentId}` : "", c.channelId ? `channel:${c.channelId}` : ""].join("\u0000");
}
