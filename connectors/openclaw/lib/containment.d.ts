// Types for containment.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export type Hold = { action: string; reason: string; cronOff?: boolean; alias?: string; at?: string };
export type ContainmentState = {
  version: number;
  holds: Record<string, Record<string, Hold>>;
  deniedTools: Record<string, string>;
  /** Tools held by require_approval: each call waits for a person's approval (approval-rules.js). */
  approvalTools: Record<string, string>;
  suspendedAgents: Record<string, string>;
  blockAll?: string;
  cronWasEnabled?: boolean;
  agentCron: Record<string, string[]>;
  extensions?: { skills: Record<string, boolean | null>; plugins: Record<string, boolean | null> };
  shutdowns: Record<string, string>;
};
export type Command = { id?: string; actionId?: string; kind: "apply" | "release"; scope: string; action: string; target: string; reason?: string; options?: { cronOff?: boolean; agentExternalId?: string; [k: string]: unknown } };
export type Effect =
  | { type: "cron_disable" }
  | { type: "cron_restore"; enabled: boolean }
  | { type: "agent_cron_disable"; agentId: string; gatewayAgentId?: string }
  | { type: "agent_cron_restore"; agentId: string; jobs: string[] }
  | { type: "extensions_disable" }
  | { type: "extensions_restore"; memory: NonNullable<ContainmentState["extensions"]> }
  | { type: "shutdown" };
export const STATE_VERSION: number;
export const SUPPORTED_ACTIONS: string[];
export function emptyState(): ContainmentState;
export function loadState(raw: unknown): ContainmentState;
export function derive(s: ContainmentState): ContainmentState;
export function holdKeyOf(cmd: Command): { key: string; cronOff?: boolean; alias?: string };
export function holderOf(cmd: Command): string;
export function plan(state: ContainmentState, cmd: Command): { next: ContainmentState; effects: Effect[]; already: boolean; lifted?: boolean };
export function summary(s: ContainmentState): string;
