// Types of the parts of runtime.mjs (plain ESM, shared with the launcher) that TypeScript code uses.

/** Apply committed migrations as the owner, then grant the app role its rights (db-roles.mjs). */
export function migrate(ownerUrl: string, opts?: { appRole?: string; appUrl?: string; quiet?: boolean }): Promise<string>;

/** Run `fn` holding the Postgres advisory lock `name` in the database of `url` (one replica at a time). */
export function withDatabaseLock<T>(url: string, name: string, fn: () => Promise<T>): Promise<T>;

/** A TCP port free on 127.0.0.1 right now (the kernel picks it). */
export function anyFreePort(): Promise<number>;

/** The command, arguments and environment of a production `next start` (see runtime.mjs). */
export function nextStart(args: string[], env: Record<string, string | undefined>): { command: string; args: string[]; env: NodeJS.ProcessEnv };

/** The database as two roles: `url` (the app role) and `ownerUrl` (migrations), see runtime.mjs. */
export type ResolvedDatabase = { url: string; ownerUrl: string; appRole: string; embedded: boolean; stop: () => Promise<void> };
export function resolveDatabase(opts?: { log?: (m: string) => void; dir?: string; database?: string; reuse?: boolean }): Promise<ResolvedDatabase>;
