// Types for inventory.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export type CatalogTool = { name: string; source: string; owner?: string; group?: string; profiles?: string[]; optional?: boolean };
export function filterByToolPolicy<T extends CatalogTool>(catalog: T[], cfg: unknown, agentCfg: unknown): T[];
export function inventoryDigest(inventory: unknown): string;
export function gatewayCall(method: string, params?: Record<string, unknown>): Promise<unknown>;
export function collectInventory(opts: { cfg: unknown; logger: unknown; getCron?: unknown; withAudit?: boolean; build?: { version?: string; hash?: string } }): Promise<{ inventory: Record<string, unknown>; learnt: Record<string, unknown> }>;
export function withBuildHash<T>(inventory: T, learnt: unknown, build: { version?: string; hash?: string } | undefined): T;
