// Types for peers.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export type LinkTarget = { target: string; unknown?: undefined } | { unknown: string; target?: undefined };
export const LINK_TOOLS: Set<string>;
export function normalizeAgentId(value: unknown): string | undefined;
export function linkTargetOf(toolName: string, params: unknown, selfId?: string): LinkTarget | null;
export function checkPeer(agent: { id: string; peers?: unknown } | undefined, link: LinkTarget | null): { code: "peer_unknown" | "peer_not_approved"; reason: string } | null;
