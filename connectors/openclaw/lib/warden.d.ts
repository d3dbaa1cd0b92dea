// Types for warden.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export class WardenHttpError extends Error {
  status: number;
  code?: string;
  retryAfter?: number;
}
type Res = { status: number; json: unknown; headers: Headers };
export function createWardenClient(opts: { wardenUrl: string; gatewayId: string; signingSecret: string; timeoutMs?: number; policyInfo?: () => { version: string; expiresAt?: string } | null }): {
  base: string;
  getPolicy: (etag?: string, opts?: { signal?: AbortSignal }) => Promise<Res>;
  getPublicKey: () => Promise<unknown>;
  postEvents: (events: unknown[]) => Promise<Res>;
  postUsage: (calls: unknown[]) => Promise<Res>;
  postInventory: (inventory: unknown) => Promise<Res>;
  pollCommands: (wait: number, signal?: AbortSignal, acks?: unknown[]) => Promise<Res>;
  postApproval: (approval: unknown) => Promise<Res>;
  postApprovalResolution: (id: string, resolution: unknown) => Promise<Res>;
  consumeRateLimit: (ruleId: string, subjectKey: string) => Promise<Res>;
  ack: (id: string, outcome: string, detail?: string) => Promise<Res>;
};
