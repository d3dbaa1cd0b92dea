// Agents talking to agents: which gateway agent a call reaches (OpenClaw's `sessions_send` and
// `sessions_spawn`, also behind a Tool Search `tool_call` wrapper, which index.js unwraps first),
// and whether the signed policy lets the calling agent reach it (`agents[].peers`).
// Target rules mirror OpenClaw 2026.9.6 (docs/concepts/session-tool.md, tools/subagents/tool-reference.md):
// - sessions_send: `sessionKey` wins ("agent:<id>:<rest>" names its agent; the literal "main" is the
//   caller's own main session); else `label` + `agentId` (a label alone is looked up across every
//   agent: unknown); else `agentId` (that agent's main session); nothing: OpenClaw refuses it.
// - sessions_spawn: `agentId`, or the caller itself when absent.
// Any other session key (a session id, an alias, a legacy key) could belong to any agent: the
// target is unknown, and with a `peers` list the call is blocked (fail closed).

export const LINK_TOOLS = new Set(["sessions_send", "sessions_spawn"]);

const VALID_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

/** OpenClaw's canonical agent id (lower case; invalid characters to "-"), or undefined when unrepresentable. */
export function normalizeAgentId(value) {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  const lower = trimmed.toLowerCase();
  if (VALID_ID.test(trimmed)) return lower;
  const id = lower.replace(/[^a-z0-9_-]+/g, "-").replace(/^-+/, "").replace(/-+$/, "").slice(0, 64);
  return id || undefined;
}

const present = (v) => v !== undefined && v !== null;
const text = (v) => (typeof v === "string" ? v.trim() : undefined);

/**
 * The agent a call reaches: { target } (a gateway agent id), { unknown: why } (it reaches another
 * session whose agent cannot be told from the arguments), or null (not an agent-reaching call, or
 * one OpenClaw itself refuses for want of a target).
 */
export function linkTargetOf(toolName, params, selfId) {
  if (!LINK_TOOLS.has(toolName)) return null;
  const p = params !== null && typeof params === "object" && !Array.isArray(params) ? params : {};
  const self = normalizeAgentId(selfId);
  const agentParam = () => {
    if (!present(p.agentId)) return undefined;
    const id = normalizeAgentId(p.agentId);
    return id ? { target: id } : { unknown: "its agentId is not a valid agent id" };
  };
  if (toolName === "sessions_spawn") {
    const a = agentParam();
    if (a) return a;
    return self ? { target: self } : { unknown: "the calling agent is unknown" };
  }
  // sessions_send
  if (present(p.sessionKey) && typeof p.sessionKey !== "string") return { unknown: "its sessionKey is not text" };
  if (present(p.label) && typeof p.label !== "string") return { unknown: "its label is not text" };
  const key = text(p.sessionKey);
  if (key) {
    const lower = key.toLowerCase();
    if (lower.startsWith("agent:")) {
      const end = lower.indexOf(":", 6);
      const rest = end === -1 ? "" : lower.slice(end + 1);
      const id = end === -1 ? undefined : normalizeAgentId(lower.slice(6, end));
      if (id && rest && !rest.startsWith(":")) return { target: id };
      return { unknown: `its session key "${key.slice(0, 80)}" is not of the form agent:<id>:<key>` };
    }
    if (lower === "main") return self ? { target: self } : { unknown: "the calling agent is unknown" };
    return { unknown: `its session key "${key.slice(0, 80)}" does not name an agent (use agent:<id>:<key>)` };
  }
  if (text(p.label)) return agentParam() ?? { unknown: "a label without agentId may name any agent's session" };
  return agentParam() ?? null;
}

/**
 * The policy's verdict on the call's target: null (allowed, or no peers list to enforce) or
 * { code, reason } to block. `agent` is the caller's policy entry; reaching itself is always allowed.
 */
export function checkPeer(agent, link) {
  if (!link || !agent || !Array.isArray(agent.peers)) return null;
  if (link.unknown) return { code: "peer_unknown", reason: `Warden: cannot tell which agent this call reaches (${link.unknown}); agent "${agent.id}" may reach only ${listOf(agent.peers)} (fail closed)` };
  const self = normalizeAgentId(agent.id);
  if (link.target === self) return null;
  if (agent.peers.some((p) => normalizeAgentId(p) === link.target)) return null;
  return { code: "peer_not_approved", reason: `Warden: agent "${agent.id}" may not reach agent "${link.target}" (not an approved pair; approved: ${listOf(agent.peers)})` };
}

const listOf = (peers) => (peers.length ? peers.slice(0, 20).map((p) => `"${p}"`).join(", ") : "none");
