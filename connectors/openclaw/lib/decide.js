// The enforcement decision: pure function of (verified policy, local containment, call).
// defaultDecision is "deny": anything not explicitly allowed is blocked. Containment comes from two
// places and is merged, deny wins: the gateway's local state (commands applied by this plugin,
// <spoolDir>/containment.json) and the signed policy's optional `containment` field.
import { checkConditions } from "./conditions.js";

/** The gateway agent id of a call: ctx.agentId, else parsed from "agent:<id>:..." session keys. */
export function agentIdOf(ctx) {
  if (ctx?.agentId) return String(ctx.agentId);
  const m = /^agent:([^:]+):/.exec(ctx?.sessionKey ?? "");
  return m ? m[1] : undefined;
}

const own = (obj, key) => (obj && key !== undefined && key !== null && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined);

/**
 * @param policy   the last verified policy (or null); `policy.containment` is optional:
 *                 { deniedTools?: {name: reason}, suspendedAgents?: {agentIdOrWardenId: reason}, blockAll?: reason }
 * @param local    { deniedTools: {name: reason}, suspendedAgents: {id: reason}, blockAll?: reason }
 * @param call     { agentId, toolName, toolVersion?, toolHash?, params?, derivedPaths? } (toolHash: the
 *                 installed artefact's hash when known; toolVersion is reported, not compared)
 * @param opts     { realpath? } passed to checkConditions (symlink resolution)
 * @returns { allow: boolean, reason: string, code: string, agentName?: string }
 *          code "no_policy" is the only denial a failOpen gateway may override.
 */
export function decide(policy, local, call, now = Date.now(), opts = {}) {
  const { agentId, toolName } = call;
  const loc = local ?? {};
  const pc = policy?.containment && typeof policy.containment === "object" ? policy.containment : {};
  const deny = (code, reason, agentName) => ({ allow: false, code, reason, ...(agentName ? { agentName } : {}) });

  // Whole-gateway containment first: it needs no policy and no agent.
  if (loc.blockAll) return deny("contained", `Warden: gateway contained (${loc.blockAll})`);
  if (pc.blockAll) return deny("contained", `Warden: gateway contained by policy (${pc.blockAll})`);

  // Containment of the agent by its gateway id and of the tool by name also needs no policy
  // (so it holds on a failOpen gateway that has none).
  const localAgent = own(loc.suspendedAgents, agentId);
  if (localAgent !== undefined) return deny("agent_suspended", `Warden: agent "${agentId}" is suspended (${localAgent})`);
  const localTool = own(loc.deniedTools, toolName);
  if (localTool !== undefined) return deny("tool_denied", `Warden: tool "${toolName}" is denied (${localTool})`);

  if (!policy) return deny("no_policy", "Warden: no verified policy available (fail closed)");
  // A policy past its expiry (by this gateway's clock) is not trusted: Warden has not been heard
  // from for its whole lifetime, so revocations and kill switches may have been missed. Fail closed
  // unless the security lead chose the documented degraded mode "keep_last" for this gateway.
  const expiresAt = typeof policy.expiresAt === "string" ? Date.parse(policy.expiresAt) : NaN;
  if (Number.isFinite(expiresAt) && now >= expiresAt && policy.onExpiry !== "keep_last") {
    return deny("policy_expired", `Warden: the policy expired at ${policy.expiresAt} and no newer one could be fetched (fail closed)`);
  }
  const agents = Array.isArray(policy.agents) ? policy.agents : [];
  const agent = agents.find((a) => a.id === agentId) ?? (agentId ? agents.find((a) => a.wardenId === agentId) : undefined);

  // Policy containment of the agent applies even when the agent is missing from the allowlist.
  const policyAgent = own(pc.suspendedAgents, agentId) ?? own(pc.suspendedAgents, agent?.id) ?? own(pc.suspendedAgents, agent?.wardenId);
  if (policyAgent !== undefined) return deny("agent_suspended", `Warden: agent "${agent?.id ?? agentId}" is suspended (${policyAgent})`, agent?.name);
  const policyTool = own(pc.deniedTools, toolName);
  if (policyTool !== undefined) return deny("tool_denied", `Warden: tool "${toolName}" is denied (${policyTool})`, agent?.name);

  if (!agent) return deny("unknown_agent", `Warden: agent "${agentId ?? "(unknown)"}" is not in this gateway's policy`);
  const agentName = agent.name;
  // A suspension addressed to the Warden agent id (the local state may hold either id).
  const suspended = own(loc.suspendedAgents, agent.id) ?? own(loc.suspendedAgents, agent.wardenId);
  if (suspended !== undefined) return deny("agent_suspended", `Warden: agent "${agent.id}" is suspended (${suspended})`, agentName);
  if (agent.status !== "active") return deny("agent_inactive", `Warden: agent "${agent.id}" is ${agent.status}`, agentName);
  const tool = (agent.tools ?? []).find((t) => t.name === toolName);
  if (!tool) return deny("not_approved", `Warden: tool "${toolName}" is not approved for agent "${agent.id}"`, agentName);
  if (tool.exceptionUntil && Date.parse(tool.exceptionUntil) <= now) {
    return deny("exception_expired", `Warden: the exception for tool "${toolName}" expired at ${tool.exceptionUntil}`, agentName);
  }
  // Every time bound is enforced by this clock, not by the next poll (a policy may be old).
  const until = tool.until !== undefined ? Date.parse(tool.until) : undefined;
  if (until !== undefined && !(until > now)) {
    return deny("allowance_ended", `Warden: the allowance of tool "${toolName}" for agent "${agent.id}" ended at ${tool.until}`, agentName);
  }
  // Hash pinning: the installed artefact's hash (lib/artefacts.js) must be an approved one. An
  // unknown hash is allowed (and reported without one); an entry without versions allows any.
  const hash = typeof call.toolHash === "string" && /^[0-9a-f]{64}$/i.test(call.toolHash) ? call.toolHash.toLowerCase() : undefined;
  if (tool.versions?.length && hash && !tool.versions.some((v) => typeof v?.contentHash === "string" && v.contentHash.toLowerCase() === hash)) {
    return deny("version_not_approved", `Warden: tool "${toolName}"${call.toolVersion ? ` ${String(call.toolVersion).slice(0, 100)}` : ""} with hash ${hash.slice(0, 12)}… is not an approved version`, agentName);
  }
  const broken = checkConditions(agent, tool, call, opts);
  if (broken) return deny(broken.code, broken.reason, agentName);
  return { allow: true, code: "allowed", agentName, reason: "allowed by Warden policy" };
}
