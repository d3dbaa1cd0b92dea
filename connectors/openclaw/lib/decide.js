// The enforcement decision: pure function of (verified policy, local containment, call).
// defaultDecision is "deny": anything not explicitly allowed is blocked.

/** The gateway agent id of a call: ctx.agentId, else parsed from "agent:<id>:..." session keys. */
export function agentIdOf(ctx) {
  if (ctx?.agentId) return String(ctx.agentId);
  const m = /^agent:([^:]+):/.exec(ctx?.sessionKey ?? "");
  return m ? m[1] : undefined;
}

/**
 * @param policy   the last verified policy (or null)
 * @param local    { deniedTools: {name: reason}, suspendedAgents: {id: reason}, blockAll?: reason }
 * @param call     { agentId, toolName, toolVersion?, toolHash? }
 * @returns { allow: boolean, reason: string, agentName?: string }
 */
export function decide(policy, local, call, now = Date.now()) {
  const { agentId, toolName } = call;
  if (local.blockAll) return { allow: false, reason: `Warden: gateway contained (${local.blockAll})` };
  if (!policy) return { allow: false, reason: "Warden: no verified policy available (fail closed)" };
  const agent = policy.agents.find((a) => a.id === agentId) ?? (agentId ? policy.agents.find((a) => a.wardenId === agentId) : undefined);
  if (!agent) return { allow: false, reason: `Warden: agent "${agentId ?? "(unknown)"}" is not in this gateway's policy` };
  const agentName = agent.name;
  const suspended = local.suspendedAgents[agent.id] ?? local.suspendedAgents[agent.wardenId];
  if (suspended !== undefined) return { allow: false, agentName, reason: `Warden: agent "${agent.id}" is suspended (${suspended})` };
  if (agent.status !== "active") return { allow: false, agentName, reason: `Warden: agent "${agent.id}" is ${agent.status}` };
  const denied = local.deniedTools[toolName];
  if (denied !== undefined) return { allow: false, agentName, reason: `Warden: tool "${toolName}" is denied (${denied})` };
  const tool = agent.tools.find((t) => t.name === toolName);
  if (!tool) return { allow: false, agentName, reason: `Warden: tool "${toolName}" is not approved for agent "${agent.id}"` };
  if (tool.exceptionUntil && Date.parse(tool.exceptionUntil) <= now) {
    return { allow: false, agentName, reason: `Warden: the exception for tool "${toolName}" expired at ${tool.exceptionUntil}` };
  }
  if (tool.versions?.length && (call.toolHash || call.toolVersion)) {
    const hash = call.toolHash?.toLowerCase();
    const ok = tool.versions.some((v) => (hash ? v.contentHash === hash : v.version === call.toolVersion));
    if (!ok) return { allow: false, agentName, reason: `Warden: tool "${toolName}" ${hash ? `hash ${hash.slice(0, 12)}…` : `version ${call.toolVersion}`} is not an approved version` };
  }
  return { allow: true, agentName, reason: "allowed by Warden policy" };
}
