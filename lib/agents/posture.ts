/**
 * Risky-posture flags from the seeds' practice (agent scoping, model choice, secrets,
 * inter-agent communication). Pure: takes the agent and its peers' credential references.
 */
export type PostureFlag = { id: string; severity: "high" | "medium"; title: string; detail: string };

type AgentLike = {
  name: string;
  scope: string;
  model: string | null;
  fallbackModels: string[];
  credentialRefs: string[];
  posture: unknown;
  toolCount?: number;
  /** What the agent's model calls show (lib/model-usage/queries observedModels): wins over the typed record. */
  observed?: { primary: string | null; fallbacks: string[] };
};

// Smaller / cheaper model families are weaker at resisting prompt injection. The family words
// must stand alone ("gpt-4o-mini", "gemini-2.5-flash"): "gemini" is not a "mini".
const WEAK = /((?<![a-z])(mini|nano|haiku|flash|lite|small|tiny)(?![a-z])|\b[1-9]b\b|-[1-9]b|3\.5-turbo|gpt-3)/i;

export function isWeakModel(model: string): boolean {
  return WEAK.test(model);
}

export function postureFlags(agent: AgentLike, credentialUse: Map<string, string[]>): PostureFlag[] {
  const p = (agent.posture ?? {}) as { execMode?: string; canDelegate?: boolean; fsWorkspaceOnly?: boolean; dmPolicy?: string };
  const flags: PostureFlag[] = [];
  const toolEnabled = (agent.toolCount ?? 1) > 0;
  // With telemetry, the primary is the one the gateway reported and the fallbacks it actually used
  // count too; the typed chain still counts (a configured weak fallback is a risk before it is used).
  const primary = agent.observed?.primary ?? agent.model;
  const usedWeak = (agent.observed?.fallbacks ?? []).filter(isWeakModel);
  const weakFallbacks = [...new Set([...agent.fallbackModels.filter(isWeakModel), ...usedWeak])];
  if (toolEnabled && primary && !isWeakModel(primary) && weakFallbacks.length) {
    const seen = usedWeak.length ? ` Its gateway reported model calls falling back to ${usedWeak.join(", ")}.` : "";
    flags.push({
      id: "weak-fallback",
      severity: "high",
      title: "Weaker model in the fallback chain",
      detail: `A tool-enabled agent can fall back to ${weakFallbacks.join(", ")}, which resists prompt injection less than ${primary}.${seen}`,
    });
  }
  if (p.execMode === "full") flags.push({ id: "exec-unrestricted", severity: "high", title: "Unrestricted exec", detail: "The agent may run any shell command. Use exec mode 'allowlist' or 'deny'." });
  if (p.canDelegate)
    flags.push({ id: "delegation", severity: "medium", title: "Delegation allowed", detail: "The agent may spawn or message other agents, which widens what a prompt injection can reach." });
  if (p.fsWorkspaceOnly === false) flags.push({ id: "fs-unscoped", severity: "medium", title: "Filesystem not limited to the workspace", detail: "Limit file access to the agent's workspace." });
  if (agent.scope === "external" && p.execMode && p.execMode !== "deny")
    flags.push({ id: "external-exec", severity: "high", title: "External-facing agent with exec", detail: "Agents that talk to the public should not run commands." });
  if (agent.scope === "external" && p.dmPolicy === "open")
    flags.push({ id: "open-dms", severity: "medium", title: "Open DMs on an external agent", detail: "Anyone can message this agent directly; use pairing or an allowlist." });
  for (const ref of agent.credentialRefs) {
    const others = (credentialUse.get(ref) ?? []).filter((n) => n !== agent.name);
    if (others.length)
      flags.push({
        id: `shared-credential:${ref}`,
        severity: "high",
        title: `Credential ${ref} shared`,
        detail: `Also used by ${others.join(", ")}. Give each agent its own credential so one can be revoked without the others.`,
      });
  }
  return flags;
}
