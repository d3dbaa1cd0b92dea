// Types for decide.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export type PolicyContainment = { deniedTools?: Record<string, string>; suspendedAgents?: Record<string, string>; blockAll?: string };
export type DecidePolicy = {
  agents: { id: string; wardenId?: string; name?: string; status: string; egressHosts?: string[]; tools: { name: string; versions?: { version: string; contentHash: string }[]; exceptionUntil?: string; until?: string; conditions?: { egressHosts?: string[]; pathPrefixes?: string[]; commandPatterns?: string[] } }[] }[];
  containment?: PolicyContainment;
  [k: string]: unknown;
};
export type LocalContainment = { deniedTools?: Record<string, string>; suspendedAgents?: Record<string, string>; blockAll?: string };
export type Decision = { allow: boolean; code: string; reason: string; agentName?: string };
export function agentIdOf(ctx: { agentId?: string; sessionKey?: string } | undefined): string | undefined;
export function decide(policy: DecidePolicy | null, local: LocalContainment | null | undefined, call: { agentId?: string; toolName: string; toolVersion?: string; toolHash?: string; params?: unknown; derivedPaths?: unknown }, now?: number, opts?: { realpath?: (p: string) => string }): Decision;
