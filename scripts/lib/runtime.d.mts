// Types of the parts of runtime.mjs (plain ESM, shared with the launcher) that TypeScript code uses.

/** Apply committed migrations with the WASM schema engine (no downloads). */
export function migrate(url: string, opts?: { quiet?: boolean }): Promise<string>;

/** A TCP port free on 127.0.0.1 right now (the kernel picks it). */
export function anyFreePort(): Promise<number>;

/** The command, arguments and environment of a production `next start` (see runtime.mjs). */
export function nextStart(args: string[], env: Record<string, string | undefined>): { command: string; args: string[]; env: NodeJS.ProcessEnv };
