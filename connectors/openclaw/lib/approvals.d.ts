// Types for approvals.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export const GATEWAY_MAX_TIMEOUT_MS: number;
export function paramsHashOf(params: unknown): string;

type Logger = { info?: (m: string) => void; warn?: (m: string) => void; error?: (m: string) => void };
type WardenLike = {
  postApproval(body: Record<string, unknown>): Promise<{ status: number; json?: { data?: { id?: string } } }>;
  postApprovalResolution(id: string, body: Record<string, unknown>): Promise<unknown>;
};

export class GatewayApprovalClient {
  constructor(opts: { url: string; token?: string; logger?: Logger; onEvent?: (event: string, payload: unknown) => void; WebSocketImpl?: unknown });
  connected: boolean;
  lastError?: string;
  start(): void;
  stop(): void;
  ready(timeoutMs: number): Promise<boolean>;
  request(method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<unknown>;
}

export type HeldCall = { toolCallId: string; sessionKey?: string; runId?: string; agentId?: string; toolName: string; toolVersion?: string; params: unknown; displayParams?: unknown; requester?: import("./requester.js").Requester; chain?: string[]; tier?: "interactive" | "subagent" };
export type ApprovalRecord = { allowed: boolean; reason?: string; approvalId?: string; waitedMs?: number };
export type HookResult = {
  block?: boolean;
  blockReason?: string;
  requireApproval?: { title: string; description: string; severity: string; allowedDecisions: string[]; timeoutMs: number; onResolution: (decision: string) => void };
};

export class ApprovalBroker {
  calls: Map<string, { requestId: string; agentId?: string; toolName: string; state: string; wardenId?: string }>;
  unreachableMs: number;
  configure(opts: { gatewayUrl: string; token?: string; logger?: Logger; warden?: WardenLike; WebSocketImpl?: unknown; unreachableMs?: number }): this;
  start(): void;
  stop(): void;
  waiting(): unknown[];
  hold(opts: { call: HeldCall; need: { ruleId?: string; reason: string; timeoutMs: number }; record: (r: ApprovalRecord) => void; routeWaitMs?: number }): Promise<HookResult>;
  applyDecision(cmd: { target?: string; options?: Record<string, unknown> }): Promise<string>;
  onToolResult(toolCallId: string, sessionKey: string | undefined, opts?: { error?: unknown; noResult?: boolean }): boolean;
  approvalOf(toolCallId: string, sessionKey: string | undefined): string | undefined;
  wardenContact(ok: boolean): void;
  denyAllWaiting(why: string): Promise<string[]>;
  flushReports(): Promise<void>;
}
export function approvalBroker(): ApprovalBroker;
