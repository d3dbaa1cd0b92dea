// Types of db-roles.mjs (plain ESM, shared with the launcher) for TypeScript code.

/** The app role's name in the embedded Postgres. */
export const APP_ROLE: string;
/** The role a postgres:// URL signs in as. */
export function roleOfUrl(url: string): string;
/** A copy of `url` that signs in as `user` with `password`. */
export function urlWithUser(url: string, user: string, password: string): string;
/** Create the app role, or bring an existing one back to LOGIN only and no memberships. */
export function ensureAppRole(adminUrl: string, name: string, password: string): Promise<void>;
/** Grant the app role exactly its rights on schema public, as the owner (after every migration). */
export function grantAppRole(ownerUrl: string, appRole: string): Promise<{ owner: string; appendOnly: string[]; definers: string[] }>;
/** A warning when the app role can change what it must not, else null. */
export function appRoleWarning(appUrl: string): Promise<string | null>;
/** Create DATABASE_URL's role when it does not exist and the migration role may (true when it did). */
export function createAppRoleIfMissing(ownerUrl: string, appUrl: string): Promise<boolean>;
