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

/** The listen address from HOST (null: every interface); throws on an invalid value. */
export function listenHost(env?: Record<string, string | undefined>): string | null;

/** The console's address when WARDEN_URL is unset, for a listen address and port. */
export function defaultUrl(host: string | null, port: number): string;
/** The repository's root folder. */
export const ROOT: string;

/** The data folder: WARDEN_DATA_DIR, else .warden in the repository. */
export function dataDir(): string;

/** A binary of node_modules/.bin. */
export function bin(name: string): string;

/** Run a command (inherited stdio, or captured with `quiet`); resolves with its exit code and output. */
export function run(cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; cwd?: string; quiet?: boolean }): Promise<{ code: number; out: string }>;
