// Types for identity.js (so Warden's TypeScript tests can import the plugin's plain ESM).
import type { Requester } from "./requester.js";
export type IdentitySubject = "person" | "group" | "unidentified" | "anyone";
export type IdentityEffect = "allow" | "deny" | "require_approval";
export type IdentityRule = { id: string; subject: IdentitySubject; subjectId?: string; agent?: string; tool?: string; effect: IdentityEffect; reason: string; timeoutMs?: number };
export type RateLimit = { id: string; subject: IdentitySubject; subjectId?: string; agent?: string; tool?: string; tier?: "interactive" | "subagent"; perMinute: number; shared: boolean };
export type IdentitySection = { people: Record<string, { person: string; groups: string[] }>; rules: IdentityRule[]; rateLimits: RateLimit[] };
export type IdentityDecision = { effect: IdentityEffect | null; rule?: { id: string; subject: IdentitySubject; effect: IdentityEffect; timeoutMs?: number }; reason: string; personId?: string; groups?: string[]; agentId?: string };
export type AppliedLimit = { id: string; perMinute: number; shared: boolean; subjectKey: string; count: number; exhausted: boolean };
export const WINDOW_MS: number;
export function personOf(identity: unknown, requester: Requester | undefined): { key?: string; personId?: string; groups: string[] };
export function identityProblem(identity: unknown): string | null;
export function identityDecision(identity: unknown, call: { requester?: Requester; agentId?: string; toolName: string }): IdentityDecision;
export function identityDecisionForChain(identity: unknown, call: { requesters: (Requester | undefined)[]; agents: string[]; toolName: string }): IdentityDecision;
export function subjectKeyOf(who: { key?: string; personId?: string }): string;
export function createRateLimiter(opts?: { now?: () => number; maxKeys?: number }): {
  check(identity: unknown, ctx: { requester?: Requester; agentId?: string; chain?: string[]; toolName: string; tier: "interactive" | "subagent" }): AppliedLimit[];
  commit(limits: AppliedLimit[]): [string, number][];
  release(taken: [string, number][] | undefined): void;
};
export function limitReason(l: AppliedLimit, how?: string): string;
export function consumeShared(client: { consumeRateLimit?: (ruleId: string, subjectKey: string) => Promise<{ status: number; json: unknown }> } | null | undefined, l: AppliedLimit): Promise<{ allowed: boolean; reason?: string }>;
export function identityNeed(d: IdentityDecision): { ruleId: string; reason: string; timeoutMs: number };
