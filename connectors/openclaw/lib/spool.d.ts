// Types for spool.js (so Warden's TypeScript tests can import the plugin's plain ESM).
export class Spool {
  constructor(dir: string, opts: { logger: { warn: (m: string) => void; error: (m: string) => void; info?: (m: string) => void }; send: (events: unknown[]) => Promise<unknown>; what?: string; quiet?: (err: unknown) => boolean });
  failures: number;
  nextAttemptAt: number;
  append(record: Record<string, unknown>): void;
  seal(): void;
  segments(): string[];
  pending(): number;
  resetBackoff(): void;
  flush(opts?: { force?: boolean }): Promise<void>;
}
