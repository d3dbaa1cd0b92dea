// Types for usage.js (so Warden's TypeScript tests can import the plugin's plain ESM).
import type { Spool } from "./spool.js";
export type UsageRecord = {
  eventId: string; occurredAt: string; agentId?: string; agentName: string; sessionKey?: string; runId?: string;
  provider: string; model: string; tokensIn: number; tokensOut: number; cacheReadTokens: number; cacheWriteTokens: number;
  fallback?: boolean; primaryModel?: string; costUsd?: number;
};
type Logger = { warn: (m: string) => void; error: (m: string) => void; info?: (m: string) => void };
export function configuredPrimary(cfg: unknown, agentId: string | undefined): string | undefined;
export function usageEventId(runId: string): string;
export function usageRecord(event: unknown, ctx: unknown, opts: { cfg: unknown; agentId?: string; agentName?: string; now?: Date; randomId?: () => string }): UsageRecord | undefined;
export function conversationAccessAllowed(cfg: unknown, pluginId: string): boolean;
export function createUsageReporter(opts: {
  dir: string; client: { postUsage: (calls: unknown[]) => Promise<{ json: unknown }> } | null; logger: Logger; pluginId: string;
  cfgOf: () => unknown; agentNameOf: (agentId: string | undefined) => string | undefined; randomId?: () => string;
}): { spool: Spool; checkAccess: (cfg: unknown) => void; onLlmOutput: (event: unknown, ctx: unknown, agentId: string | undefined) => void };
