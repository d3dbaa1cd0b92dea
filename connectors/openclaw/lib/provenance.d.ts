// Types for provenance.js (so Warden's TypeScript tests can import the plugin's plain ESM).
import type { Requester } from "./requester.js";
export type Inherited = { requester?: Requester; chain: string[]; kind: "spawn" | "send"; at: number; until: number; others?: (Requester | undefined)[] };
export type Caller = { requester?: Requester; chain: string[]; tier: "interactive" | "subagent"; others: (Requester | undefined)[]; unknownOrigin?: boolean };
export const MAX_REPORTED_CHAIN: number;
export function reportedChain(chain: unknown): string[];
export function agentOfSessionKey(key: unknown): string | undefined;
export function effectiveCaller(input: { own?: unknown; inherited?: Inherited; agentId?: string; sessionKey?: string }): Caller;
export type Provenance = {
  inherited(sessionKey: unknown): Inherited | undefined;
  noteCaller(sessionKey: unknown, caller: { requester?: Requester; chain: string[] }): void;
  callerOf(sessionKey: unknown): { requester?: Requester; chain: string[] } | undefined;
  delegate(input: { parentSessionKey?: string; parentAgentId?: string; childSessionKey: string; childAgentId?: string; kind?: "spawn" | "send" }): Inherited | undefined;
  shouldWait(sessionKey: unknown): boolean;
  waitFor(sessionKey: unknown, ms: number): Promise<void>;
  size(): number;
};
export function createProvenance(opts?: { file?: string; max?: number; ttlMs?: number; sendTtlMs?: number; now?: () => number; logger?: unknown }): Provenance;
export function sharedProvenance(file: string, opts?: { max?: number; ttlMs?: number; sendTtlMs?: number; logger?: unknown }): Provenance;
