// The two database roles Warden uses: the owner (runs migrations, owns every schema object) and the
// app role the server, the CLI's user/token/audit commands and the tests connect as. The app role
// owns nothing, so its credentials alone cannot disable the audit trail's triggers, alter, drop or
// truncate a table, change or delete an audit row, or create roles.
import pg from "pg";

/** The app role's name in the embedded Postgres. */
export const APP_ROLE = "warden_app";

/** The role a postgres:// URL signs in as. */
export function roleOfUrl(url) {
  return decodeURIComponent(new URL(url).username);
}

/** A copy of `url` that signs in as `user` with `password` (host, port and database kept). */
export function urlWithUser(url, user, password) {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

async function withClient(url, fn) {
  const c = new pg.Client({ connectionString: url });
  c.on("error", () => {}); // surfaced by the query that fails
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

async function canSignIn(url) {
  const c = new pg.Client({ connectionString: url });
  c.on("error", () => {});
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Create the app role (or bring an existing one back to exactly this): it can sign in and nothing
 * else, and is a member of no role. Run by a role with CREATEROLE (the embedded superuser).
 * Idempotent; a role already in that state is left alone (the CLI runs this next to a running
 * server, and concurrent ALTER ROLEs of one role can fail).
 */
export async function ensureAppRole(adminUrl, name, password) {
  await withClient(adminUrl, async (c) => {
    const role = c.escapeIdentifier(name);
    const state = (
      await c.query(
        `select r.rolcanlogin and not (r.rolsuper or r.rolcreatedb or r.rolcreaterole or r.rolreplication or r.rolbypassrls) as attrs_ok,
              array(select g.rolname::text from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid) as member_of
       from pg_roles r where r.rolname = $1`,
        [name],
      )
    ).rows[0];
    if (state?.attrs_ok && state.member_of.length === 0 && (await canSignIn(urlWithUser(adminUrl, name, password)))) return;
    const attrs = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${c.escapeLiteral(password)}`;
    await c.query(state ? `ALTER ROLE ${role} WITH ${attrs}` : `CREATE ROLE ${role} ${attrs}`);
    // Membership in another role would hand over that role's rights (e.g. the owner's).
    for (const g of state?.member_of ?? []) await c.query(`REVOKE ${c.escapeIdentifier(g)} FROM ${role}`);
  });
}

/**
 * For a DATABASE_URL install with its own migration role: when DATABASE_URL's role does not exist
 * yet, create it (as `ensureAppRole`) with the password in DATABASE_URL, if the migration role may
 * create roles (e.g. Docker Compose's superuser, also on a volume from before the app role).
 * An existing role is left as it is. Returns whether it created one.
 */
export async function createAppRoleIfMissing(ownerUrl, appUrl) {
  const name = roleOfUrl(appUrl);
  const exists = await withClient(ownerUrl, async (c) => (await c.query("select 1 from pg_roles where rolname = $1", [name])).rowCount > 0);
  if (exists) return false;
  const password = decodeURIComponent(new URL(appUrl).password);
  if (!password) throw new Error(`DATABASE_URL's role ${name} does not exist and DATABASE_URL has no password to create it with (see docs/database-roles.md).`);
  try {
    await ensureAppRole(ownerUrl, name, password);
  } catch (err) {
    throw new Error(`DATABASE_URL's role ${name} does not exist and the migration role cannot create it (${err.message}); create it as docs/database-roles.md says.`);
  }
  return true;
}

/**
 * Give the app role exactly the rights the app needs on everything in schema `public`, as the
 * owner, after every migration (idempotent; the whole set is revoked and granted again in one
 * transaction, so a table a later migration adds is covered the next time this runs, and default
 * privileges cover it even before):
 * - SELECT/INSERT/UPDATE/DELETE on every table, except only SELECT/INSERT on append-only tables
 *   (those whose rows a `warden_*immutable*` trigger function guards: the audit trail), and none on
 *   Prisma's migration ledger;
 * - USAGE/SELECT on every sequence (nextval for bigserial ids);
 * - EXECUTE on the owner's SECURITY DEFINER functions (partition creation and retention); nobody
 *   else may run those.
 * Never TRUNCATE, REFERENCES, TRIGGER, CREATE or ownership. Returns the append-only tables found.
 */
export async function grantAppRole(ownerUrl, appRole) {
  return withClient(ownerUrl, async (c) => {
    const app = c.escapeIdentifier(appRole);
    const owner = (await c.query("select current_user as u")).rows[0].u;
    if (owner === appRole) throw new Error(`The app role ${appRole} is the role that runs migrations: give migrations their own role.`);
    const info = (
      await c.query("select rolsuper, rolbypassrls, pg_has_role($1, current_user, 'MEMBER') as member, has_schema_privilege($1, 'public', 'CREATE') as can_create from pg_roles where rolname = $1", [
        appRole,
      ])
    ).rows[0];
    if (!info) throw new Error(`The app role ${appRole} does not exist (see docs/database-roles.md).`);
    if (info.rolsuper || info.rolbypassrls || info.member || info.can_create) {
      throw new Error(
        `The app role ${appRole} must not be a superuser, bypass row security, be a member of the owner role ${owner} or create objects in schema public ` +
          `(superuser=${info.rolsuper}, bypassrls=${info.rolbypassrls}, member of owner=${info.member}, create on public=${info.can_create}); see docs/database-roles.md.`,
      );
    }
    const appendOnly = (
      await c.query(`
      select distinct c.relname::text as name
      from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
      where c.relnamespace = 'public'::regnamespace and not t.tgisinternal and p.proname ~ '^warden_(.*immutable|append_only)'
      order by 1`)
    ).rows.map((r) => r.name);
    const definers = (
      await c.query(`
      select p.oid::regprocedure::text as sig from pg_proc p
      where p.pronamespace = 'public'::regnamespace and p.prosecdef and pg_get_userbyid(p.proowner) = current_user`)
    ).rows.map((r) => r.sig);
    const ledger = (await c.query("select to_regclass('public._prisma_migrations') is not null as present")).rows[0].present;

    await c.query("begin");
    try {
      await c.query(`GRANT USAGE ON SCHEMA public TO ${app}`);
      await c.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${app}`);
      await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app}`);
      for (const t of appendOnly) await c.query(`REVOKE UPDATE, DELETE ON TABLE public.${c.escapeIdentifier(t)} FROM ${app}`);
      if (ledger) await c.query(`REVOKE ALL ON TABLE public._prisma_migrations FROM ${app}`);
      await c.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${app}`);
      await c.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${app}`);
      for (const sig of definers) {
        await c.query(`REVOKE ALL ON FUNCTION ${sig} FROM PUBLIC`);
        await c.query(`GRANT EXECUTE ON FUNCTION ${sig} TO ${app}`);
      }
      // Tables and sequences this owner creates later (migrations, day partitions) get the same.
      await c.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`);
      await c.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${app}`);
      await c.query("commit");
    } catch (err) {
      await c.query("rollback").catch(() => {});
      throw err;
    }
    return { owner, appendOnly, definers };
  });
}

/** A warning when the app role can change what it must not (owner, superuser), else null. */
export async function appRoleWarning(appUrl) {
  return withClient(appUrl, async (c) => {
    const r = (
      await c.query(`
      select r.rolsuper, r.rolcreaterole, r.rolbypassrls,
             coalesce((select pg_has_role(current_user, c.relowner, 'USAGE') from pg_class c where c.oid = to_regclass('public.audit_events')), false) as owns_audit
      from pg_roles r where r.rolname = current_user`)
    ).rows[0];
    if (!r || !(r.rolsuper || r.rolcreaterole || r.rolbypassrls || r.owns_audit)) return null;
    return (
      `DATABASE_URL's role ${roleOfUrl(appUrl)} ${r.rolsuper ? "is a superuser" : r.owns_audit ? "owns the audit trail" : "can create roles or bypass row security"}: ` +
      "anyone with the app's credentials can switch off the audit trail's protection. Give the app its own role and migrations another (docs/database-roles.md)."
    );
  });
}
