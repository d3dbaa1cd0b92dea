// Types for backoff.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export const MAX_BACKOFF_MS: number;
export function backoffDelay(failures: number, opts?: { random?: () => number; retryAfterSeconds?: number; maxMs?: number }): number;
export type BackoffGroup = {
  failed(name: string): number;
  succeeded(name: string): void;
  failures(name: string): number;
  recovered(): void;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};
export function createBackoffGroup(): BackoffGroup;
