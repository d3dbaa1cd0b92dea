/**
 * The app role (DATABASE_URL in tests, as in production) owns nothing: what would let its
 * credentials alone undo the audit trail's protection is refused by Postgres, and the app's own
 * work still runs. The owner (TEST_OWNER_DATABASE_URL) ran the migrations and the grants.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFrom, copyText } from "@/lib/pg-copy";
import { makeGateway, rid } from "@/test/factories";
import { createAppRoleIfMissing, grantAppRole, roleOfUrl, urlWithUser } from "./db-roles.mjs";
import type { AuditAction } from "@/lib/audit/actions";

const appUrl = process.env.DATABASE_URL!;
const ownerUrl = process.env.TEST_OWNER_DATABASE_URL!;
let app: pg.Client;

async function connect(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

/** Run one statement as the app role in a transaction that is rolled back whatever happens. */
async function asApp(sql: string, params: unknown[] = []) {
  await app.query("begin");
  try {
    return await app.query(sql, params);
  } finally {
    await app.query("rollback");
  }
}

async function auditRow(c: pg.Client) {
  // Through the app's own path: the chain's lock, the previous hash, the insert.
  const { recordAuditStandalone } = await import("@/lib/audit/record");
  const { SYSTEM_ACTOR } = await import("@/lib/auth/actor");
  await recordAuditStandalone(SYSTEM_ACTOR, { action: "test.roles" as AuditAction, targetId: rid() });
  return (await c.query<{ id: string }>("select max(id)::text as id from audit_events")).rows[0].id;
}

beforeAll(async () => {
  app = await connect(appUrl);
});
afterAll(async () => {
  await app.end();
});

describe("the app role", () => {
  it("is not the owner and has no role attributes beyond LOGIN", async () => {
    expect(roleOfUrl(appUrl)).not.toBe(roleOfUrl(ownerUrl));
    const r = (
      await app.query(
        `select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolcanlogin,
      pg_has_role(current_user, $1, 'MEMBER') as member_of_owner from pg_roles where rolname = current_user`,
        [roleOfUrl(ownerUrl)],
      )
    ).rows[0];
    expect(r).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolreplication: false, rolcanlogin: true, member_of_owner: false });
    const owned = await app.query("select relname from pg_class where relowner = (select oid from pg_roles where rolname = current_user)");
    expect(owned.rows).toEqual([]);
  });

  it("cannot switch off, rewrite or remove the audit trail", async () => {
    const id = await auditRow(app);
    const refused: [string, RegExp][] = [
      ["alter table audit_events disable trigger all", /must be owner/],
      ["alter table audit_events disable trigger audit_events_no_update", /must be owner/],
      ["drop trigger audit_events_no_update on audit_events", /must be owner/],
      ["create or replace function warden_audit_events_immutable() returns trigger language plpgsql as $$ begin return new; end $$", /must be owner|permission denied/],
      ["set session_replication_role = replica", /permission denied/],
      [`update audit_events set actor_label = 'someone-else' where id = ${id}`, /permission denied/],
      [`delete from audit_events where id = ${id}`, /permission denied/],
      ["truncate audit_events", /permission denied/],
      ["drop table audit_events", /must be owner/],
      ["alter table audit_events rename to audit_old", /must be owner/],
      ["lock table audit_events in access exclusive mode", /permission denied/],
      // The database's copy of the signed checkpoints is append-only for the app as well.
      ["update audit_checkpoints set head_hash = 'x'", /permission denied/],
      ["delete from audit_checkpoints", /permission denied/],
      ["truncate audit_checkpoints", /permission denied/],
      ["delete from _prisma_migrations", /permission denied/],
      ["select * from _prisma_migrations", /permission denied/],
    ];
    for (const [sql, error] of refused) {
      await expect(asApp(sql), sql).rejects.toThrow(error);
    }
    // Granting itself more is a no-op (Postgres only warns).
    await app.query("begin");
    try {
      await app.query("grant update, delete, truncate on audit_events to public");
      expect(
        (await app.query("select has_table_privilege('audit_events', 'UPDATE') or has_table_privilege('audit_events', 'DELETE') or has_table_privilege('audit_events', 'TRUNCATE') as any")).rows[0]
          .any,
      ).toBe(false);
    } finally {
      await app.query("rollback");
    }
    // The row is still there, unchanged.
    const owner = await connect(ownerUrl);
    try {
      const { verifyAuditChain } = await import("@/lib/audit/verify");
      expect((await owner.query("select actor_label from audit_events where id = $1", [id])).rows[0].actor_label).not.toBe("someone-else");
      expect((await verifyAuditChain()).ok).toBe(true);
    } finally {
      await owner.end();
    }
  });

  it("cannot alter, drop or truncate ordinary tables, create objects or roles, or take another role", async () => {
    const owner = roleOfUrl(ownerUrl);
    const refused: [string, RegExp][] = [
      ["truncate users", /permission denied/],
      ["truncate tool_calls", /permission denied/],
      ["drop table users", /must be owner/],
      ["alter table users add column backdoor text", /must be owner/],
      ["alter table users disable row level security", /must be owner/],
      ["create index users_backdoor on users (email)", /must be owner/],
      ["create trigger backdoor after insert on users for each row execute function warden_audit_events_immutable()", /permission denied/],
      ["create table public.backdoor (x int)", /permission denied/],
      ["create schema backdoor", /permission denied/],
      ["create role backdoor login superuser", /permission denied/],
      ["create role backdoor", /permission denied/],
      ["alter role current_user superuser", /permission denied/],
      [`set role "${owner}"`, /permission denied/],
      [`grant "${owner}" to current_user`, /permission denied|must have admin option/],
      ["alter function warden_ensure_tool_call_partitions(date, date) security invoker", /must be owner/],
      ["drop function warden_drop_tool_call_partition(text)", /must be owner/],
      ["select warden_drop_tool_call_partition('users')", /not a day partition/],
      ["select warden_drop_tool_call_partition('tool_calls_default')", /not a day partition/],
      ["select warden_drop_tool_call_partition('tool_calls_20260101; drop table users')", /not a day partition/],
    ];
    for (const [sql, error] of refused) {
      await expect(asApp(sql), sql).rejects.toThrow(error);
    }
    await expect(app.query("create database backdoor")).rejects.toThrow(/permission denied/);
  });

  it("does the app's work: COPY into tool_calls with its rollups, partitions and retention through the owner's functions", async () => {
    const { ensureToolCallPartitions } = await import("@/lib/tool-calls/partitions");
    const { applyRetention } = await import("@/lib/tool-calls/retention");
    const now = new Date();
    expect(await ensureToolCallPartitions(40, 1, now)).toBeGreaterThan(0);
    const gw = (await makeGateway()).id;
    // ids from the bigserial's sequence (USAGE on it), rollups by the insert trigger.
    const rows = [2, 35].map((daysAgo) => [new Date(now.getTime() - daysAgo * 86_400_000).toISOString(), gw, rid(), "agent-a", "tool-t", "allowed"]);
    const copied = await copyFrom(app, "COPY tool_calls (occurred_at, gateway_id, event_id, agent_name, tool_name, decision) FROM STDIN", rows.map((r) => r.map(copyText).join("\t") + "\n").join(""));
    expect(copied).toBe(2);
    const rollup = await app.query("select sum(calls)::int as n from tool_call_hourly where gateway_id = $1", [gw]);
    expect(rollup.rows[0].n).toBe(2);
    // The day partitions were made by the owner's function: owned by the owner, usable by the app.
    const part = await app.query("select pg_get_userbyid(c.relowner) as owner from pg_class c where relname = $1", [`tool_calls_${rows[0][0].slice(0, 10).replace(/-/g, "")}`]);
    expect(part.rows[0].owner).toBe(roleOfUrl(ownerUrl));
    const res = await applyRetention(30, now);
    expect(res.droppedPartitions.length).toBeGreaterThanOrEqual(9);
    const left = await app.query("select count(*)::int as n from tool_calls where gateway_id = $1", [gw]);
    expect(left.rows[0].n).toBe(1);
  });

  it("a table a later migration adds is the app's to use, and the audit trail stays append-only after the grants run again", async () => {
    const owner = await connect(ownerUrl);
    try {
      await owner.query("create table later_feature (id int primary key, note text)");
      // Default privileges: usable at once, before the post-migration grants even run.
      await app.query("insert into later_feature values (1, 'a')");
      await app.query("update later_feature set note = 'b'");
      await app.query("delete from later_feature");
      await expect(asApp("truncate later_feature")).rejects.toThrow(/permission denied/);
      await expect(asApp("drop table later_feature")).rejects.toThrow(/must be owner/);
      // Even a too-generous grant by hand is put back by the next run.
      await owner.query(`grant all on audit_events to "${roleOfUrl(appUrl)}"`);
      const res = await grantAppRole(ownerUrl, roleOfUrl(appUrl));
      expect(res.appendOnly).toContain("audit_events");
      await expect(asApp("truncate audit_events")).rejects.toThrow(/permission denied/);
      await expect(asApp("delete from audit_events")).rejects.toThrow(/permission denied/);
      const privs = await app.query(`select string_agg(p, ',' order by p) as p from unnest(array['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p
        where has_table_privilege('audit_events', p)`);
      expect(privs.rows[0].p).toBe("INSERT,SELECT");
    } finally {
      await owner.query("drop table if exists later_feature");
      await owner.end();
    }
  });

  it("refuses to grant to a role that could undo them", async () => {
    const owner = await connect(ownerUrl);
    const name = `warden_bad_${rid()}`;
    try {
      await owner.query(`create role ${name} login bypassrls`);
      await expect(grantAppRole(ownerUrl, name)).rejects.toThrow(/must not be a superuser, bypass row security/);
      await expect(grantAppRole(ownerUrl, roleOfUrl(ownerUrl))).rejects.toThrow(/is the role that runs migrations/);
    } finally {
      await owner.query(`drop role if exists ${name}`);
      await owner.end();
    }
  });

  it("a DATABASE_URL install's missing app role is created by the migration role, with DATABASE_URL's password, and nothing more", async () => {
    const name = `warden_new_${rid()}`;
    const url = urlWithUser(appUrl, name, "a p@ss/word:with#signs");
    const owner = await connect(ownerUrl);
    try {
      expect(await createAppRoleIfMissing(ownerUrl, url)).toBe(true);
      expect(await createAppRoleIfMissing(ownerUrl, url)).toBe(false);
      const r = (await owner.query("select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolcanlogin from pg_roles where rolname = $1", [name])).rows[0];
      expect(r).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolcanlogin: true });
      await grantAppRole(ownerUrl, name);
      const c = await connect(url);
      try {
        expect((await c.query("select current_user as u")).rows[0].u).toBe(name);
        await expect(c.query("truncate audit_events")).rejects.toThrow(/permission denied/);
      } finally {
        await c.end();
      }
    } finally {
      await owner.query(`drop owned by ${name}`).catch(() => {});
      await owner.query(`drop role if exists ${name}`);
      await owner.end();
    }
  });
});
