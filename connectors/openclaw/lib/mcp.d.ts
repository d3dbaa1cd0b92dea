// Types for mcp.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export const REDACTED: string;
export type McpServerItem = { name: string; transport: string; enabled: boolean; command?: string; args?: string[]; url?: string; hash?: string };
export function looksSecret(s: string): boolean;
export function safeUrl(raw: unknown): string | undefined;
export function safeArgs(args: unknown): string[] | undefined;
export function localArtefactOf(def: Record<string, unknown>): { dir?: string; file?: string } | undefined;
export function describeMcpServers(servers: unknown, opts?: { hash?: boolean }): Promise<McpServerItem[]>;
export function mcpToolPrefix(serverName: string): string;
