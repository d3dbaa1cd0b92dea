// Types for conditions.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export function urlParams(params: unknown): { key: string; value: string }[];
export function hostOf(value: string): { host?: string | null; error?: string };
export function egressHostsOf(params: unknown): string[];
export function ssrfRisk(host: string): string | null;
export function hostMatches(host: string, pattern: string): boolean;
export function commandMatches(pattern: string, command: string): boolean;
export function normalisePath(p: unknown): string | null;
export function underPrefix(p: string, prefix: string): boolean;
export function pathParams(toolName: string, params: unknown, derivedPaths?: unknown): { key: string; value: string }[];
export function checkConditions(
  agent: { id?: string; egressHosts?: string[] } | undefined,
  tool: { name?: string; conditions?: { egressHosts?: string[]; pathPrefixes?: string[]; commandPatterns?: string[] } } | undefined,
  call: { toolName: string; params?: unknown; derivedPaths?: unknown },
  opts?: { realpath?: (p: string) => string },
): { code: string; reason: string } | null;
