// Types for artefacts.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export type ArtefactData = {
  openclaw: { version?: string; hash?: string };
  tools: Record<string, { source: string; owner?: string }>;
  plugins: Record<string, { version?: string; hash?: string; bundled?: boolean }>;
  mcp: Record<string, { hash?: string }>;
  skills: Record<string, { dir: string; hash?: string }>;
  workspaces: Record<string, string>;
};
export type Artefact = { source: string; owner?: string; version?: string; hash?: string; bundled?: boolean };
export function artefactOf(data: Partial<ArtefactData>, toolName: string): Artefact | undefined;
export function checkArtefacts(
  policyAgent: { tools?: { name: string; kind?: string; versions?: { version: string; contentHash: string }[] }[] } | undefined,
  call: { agentId?: string; toolName: string; params?: unknown; derivedPaths?: unknown },
  art: Artefact | undefined,
  data: Partial<ArtefactData>,
  opts?: { realpath?: (p: string) => string },
): { code: string; reason: string } | null;
export function createArtefacts(file: string): {
  setBuild(b: { version?: string; hash?: string }): void;
  build(): { version?: string; hash?: string };
  update(d: Partial<Omit<ArtefactData, "openclaw">>): void;
  of(toolName: string): Artefact | undefined;
  snapshot(): ArtefactData;
};
export const BUNDLE_MCP: string;
export function mcpServerOf(data: Partial<ArtefactData>, toolName: string): string | undefined;
