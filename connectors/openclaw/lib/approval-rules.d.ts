// Types for approval-rules.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export type ApprovalMatch = { param: string; pattern: string; ignoreCase?: boolean } | { egressNotApproved: true };
export type PolicyApprovalRule = { ruleId: string; reason: string; timeoutMs: number; match?: ApprovalMatch };
export type ApprovalPolicy = {
  agents: { id: string; wardenId?: string; egressHosts?: string[]; approvalGrants?: { tool: string; until: string; approvalId: string }[]; tools: { name: string; approvals?: PolicyApprovalRule[]; [k: string]: unknown }[]; [k: string]: unknown }[];
  containment?: { approvalTools?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};
export type LocalApprovalState = { approvalTools?: Record<string, string>; approvalGrants?: { agentId: string; tool: string; until: string }[]; [k: string]: unknown };
export type ApprovalNeeded = { ruleId: string; reason: string; timeoutMs: number };
export const DEFAULT_TIMEOUT_MS: number;
export const MIN_TIMEOUT_MS: number;
export const MAX_TIMEOUT_MS: number;
export const MAX_MATCH_TEXT: number;
export function boundedTimeout(ms: unknown): number;
export function valueAt(params: unknown, path: string): unknown;
export function urlHostsOf(params: unknown): string[];
export function hostApproved(host: string, approved: unknown): boolean;
export function ruleMatches(rule: PolicyApprovalRule, agent: { egressHosts?: string[] } | undefined, params: unknown): boolean;
export function needsApproval(policy: ApprovalPolicy | null, local: LocalApprovalState | null | undefined, call: { agentId?: string; toolName: string; params?: unknown }, now?: number): ApprovalNeeded | null;
