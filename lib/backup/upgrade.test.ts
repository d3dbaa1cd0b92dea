/**
 * Upgrades from the oldest supported database: the schema of Warden's first release (the first
 * migration, 20261122195753_init, applied by Prisma itself), filled as that release would have
 * filled it (users, a gateway, agents, a registry with a trust decision, 2,000 tool calls over
 * three days, some in day partitions and some in the default one, 300 audit events with a valid
 * hash chain), then upgraded with the command users type (`npm run warden -- db migrate`, with the
 * app and migration roles split as docs/database-roles.md says). Nothing may be lost: every row
 * and column that existed is unchanged, the audit chain verifies (`npm run warden -- audit
 * verify`, as the app role), and the rollups the later migrations added were backfilled.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { GENESIS_HASH, chainHash } from "@/lib/signing/canonical";
import { localMigrations, MIGRATIONS_DIR } from "@/lib/backup/migrations";
import { rid } from "@/test/factories";
import { wardenCli } from "@/test/cli";
import { bin, run } from "@/scripts/lib/runtime.mjs";

const OLDEST = "20261122195753_init";
const ownerUrl = process.env.TEST_OWNER_DATABASE_URL!;
const appUrl = process.env.DATABASE_URL!;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-upgrade-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const warden = wardenCli;

/** The columns of each table in the oldest schema, and those tables' full content on those columns. */
async function snapshot(c: pg.Client, tables: Record<string, string[]>) {
  const out: Record<string, unknown[]> = {};
  for (const [t, cols] of Object.entries(tables)) {
    out[t] = (await c.query(`select ${cols.map((x) => `"${x}"`).join(", ")} from "${t}" order by 1, 2`)).rows;
  }
  return out;
}

it("the first release's database, with realistic data, upgrades with `npm run warden -- db migrate` and loses nothing", async () => {
  // A new, empty database on the test server.
  const name = `warden_u_${rid()}`;
  const admin = new pg.Client({ connectionString: ownerUrl.replace(/\/[^/?]+(\?|$)/, "/postgres$1") });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const owner = ownerUrl.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
  const app = appUrl.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);

  // The oldest schema, applied by Prisma from a migrations folder holding only the first migration.
  expect(localMigrations()[0].name).toBe(OLDEST);
  fs.mkdirSync(path.join(tmp, "migrations", OLDEST), { recursive: true });
  fs.copyFileSync(path.join(MIGRATIONS_DIR, OLDEST, "migration.sql"), path.join(tmp, "migrations", OLDEST, "migration.sql"));
  fs.copyFileSync(path.join(MIGRATIONS_DIR, OLDEST, "schema.prisma"), path.join(tmp, "schema.prisma"));
  const old = await run(bin("prisma"), ["migrate", "deploy", "--schema", path.join(tmp, "schema.prisma")], { env: { ...process.env, DATABASE_URL: owner }, quiet: true });
  expect(old.code, old.out).toBe(0);

  const c = new pg.Client({ connectionString: owner });
  await c.connect();
  try {
    expect((await c.query("select migration_name from _prisma_migrations")).rows).toEqual([{ migration_name: OLDEST }]);
    expect((await c.query("select to_regclass('public.audit_checkpoints') as t")).rows[0].t).toBeNull();

    // ── data as the first release wrote it
    const t0 = Date.UTC(2026, 10, 20, 8, 0, 0);
    const users = ["admin", "security_lead", "operator"].map((role, i) => ({ id: randomUUID(), email: `${role}@old.example`, role, i }));
    for (const u of users) {
      await c.query(`insert into users (id, email, name, role, password_hash, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)`, [
        u.id,
        u.email,
        `Old ${u.role}`,
        u.role,
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        new Date(t0 + u.i * 1000),
      ]);
    }
    const gw = randomUUID();
    await c.query(
      `insert into gateways (id, name, kind, environment, signing_secret_enc, last_seen_at, inventory, updated_at) values ($1, 'prod-gw', 'openclaw', 'production', 'v1.aaaa.bbbb.cccc', $2, '{"tools": ["web_search"]}', $2)`,
      [gw, new Date(t0)],
    );
    const agents: string[] = [];
    for (const n of ["seo", "support", "analytics", "publisher"]) {
      const id = randomUUID();
      agents.push(id);
      await c.query(
        `insert into agents (id, name, external_id, gateway_id, owner, team, purpose, channels, model, posture, updated_at) values ($1, $2, $2, $3, 'Team', 'Growth', 'does things', '{slack}', 'anthropic/claude', '{"execMode": "deny"}', $4)`,
        [id, n, gw, new Date(t0)],
      );
    }
    const tool = randomUUID();
    const version = randomUUID();
    await c.query(`insert into tools (id, name, kind, source, publisher, publisher_verified, updated_at) values ($1, 'web_search', 'tool', 'builtin', 'OpenClaw', true, $2)`, [tool, new Date(t0)]);
    await c.query(`insert into tool_versions (id, tool_id, version, content_hash, permissions) values ($1, $2, '1.0.0', 'sha256:abc', '{"egressHosts": ["example.com"]}')`, [version, tool]);
    await c.query(
      `insert into trust_decisions (id, tool_version_id, decider_id, outcome, checklist, reason, decided_at) values ($1, $2, $3, 'approve', '{"authorVerified": true}', 'reviewed, read-only', $4)`,
      [randomUUID(), version, users[1].id, new Date(t0 + 5000)],
    );
    // 2,000 tool calls over three days: the first two days get day partitions, the third stays in the default partition.
    await c.query("select warden_ensure_tool_call_partitions('2026-11-20'::date, '2026-11-21'::date)");
    await c.query(
      `
      insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, session_key, tool_name, tool_version, tool_hash, params, result, decision, block_reason, duration_ms, egress_hosts, tokens_in, tokens_out, cost_usd)
      select to_timestamp(${t0 / 1000} + g * 120), $1, 'ev-' || g, ($2::uuid[])[1 + g % 4], 'agent-' || (g % 4), 'sess-' || (g % 17), 'web_search', '1.0.0', 'sha256:abc',
             jsonb_build_object('q', 'query ' || g), jsonb_build_object('ok', g % 5 <> 0),
             (case when g % 7 = 0 then 'blocked' else 'allowed' end)::"CallDecision", case when g % 7 = 0 then 'not on the allowlist' end,
             g % 900, array['example.com'], g % 300, g % 200, (g % 13) * 0.0125
      from generate_series(1, 2000) g`,
      [gw, agents],
    );
    // 300 audit events, hash-chained exactly as the first release did.
    let prev = GENESIS_HASH;
    for (let id = 1; id <= 300; id++) {
      const u = users[id % 3];
      const row = {
        id: String(id),
        createdAt: new Date(t0 + id * 1000),
        actorType: "user",
        actorId: u.id,
        actorLabel: u.email,
        role: u.role,
        action: id % 10 === 0 ? "tool.approve" : "user.login",
        outcome: id % 25 === 0 ? "denied" : "success",
        targetType: id % 10 === 0 ? "tool_version" : "user",
        targetId: id % 10 === 0 ? version : u.id,
        before: id % 10 === 0 ? { status: "pending" } : null,
        after: id % 10 === 0 ? { status: "approved", note: 'ok \\ "quoted"\n' } : null,
        ip: "203.0.113.7",
        userAgent: "Mozilla/5.0",
      };
      const hash = chainHash(prev, row);
      await c.query(
        `insert into audit_events (id, created_at, actor_type, actor_id, actor_label, role, action, outcome, target_type, target_id, before, after, ip, user_agent, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          id,
          row.createdAt,
          row.actorType,
          row.actorId,
          row.actorLabel,
          row.role,
          row.action,
          row.outcome,
          row.targetType,
          row.targetId,
          row.before === null ? null : JSON.stringify(row.before),
          row.after === null ? null : JSON.stringify(row.after),
          row.ip,
          row.userAgent,
          prev,
          hash,
        ],
      );
      prev = hash;
    }
    await c.query("select setval('audit_events_id_seq', 300)");

    const oldColumns: Record<string, string[]> = {};
    for (const t of ["users", "gateways", "agents", "tools", "tool_versions", "trust_decisions", "tool_calls", "audit_events"]) {
      oldColumns[t] = (await c.query(`select attname::text as a from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`, [t])).rows.map((r) => r.a);
    }
    const before = await snapshot(c, oldColumns);
    expect(before.tool_calls).toHaveLength(2000);
    expect(Number((await c.query("select count(*) from tool_calls_default")).rows[0].count)).toBeGreaterThan(0);

    // ── the upgrade, as users run it
    const env = { DATABASE_URL: app, WARDEN_MIGRATE_DATABASE_URL: owner };
    const migrated = await warden(["db", "migrate"], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    const ledger = (await c.query("select migration_name from _prisma_migrations where finished_at is not null order by 1")).rows.map((r) => r.migration_name);
    expect(ledger).toEqual(localMigrations().map((m) => m.name));

    // Every row and every column that existed is unchanged, except agents.team, which became a team
    // row (teams as isolation boundaries): the agent is in the team of that name.
    const kept = { ...oldColumns, agents: oldColumns.agents.filter((x) => x !== "team") };
    const beforeKept = { ...before, agents: (before.agents as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => k !== "team"))) };
    expect(await snapshot(c, kept)).toEqual(beforeKept);
    const teams = (await c.query("select a.id::text, t.name from agents a left join teams t on t.id = a.team_id order by 1")).rows;
    expect(teams).toEqual((before.agents as { id: string; team: string | null }[]).map((r) => ({ id: r.id, name: r.team })).sort((x, y) => (x.id < y.id ? -1 : 1)));
    // The rollups added later were filled from the calls already there.
    expect((await c.query("select sum(calls)::int as n from tool_call_hourly")).rows[0].n).toBe(2000);
    expect((await c.query("select sum(calls)::int as n, sum(blocked)::int as b from tool_call_agent_daily")).rows[0]).toEqual({ n: 2000, b: 285 });
    // The app role (granted its rights by the upgrade) reads the calls and cannot rewrite the trail.
    const a = new pg.Client({ connectionString: app });
    await a.connect();
    try {
      expect((await a.query("select count(*)::int as n from tool_calls where decision = 'blocked'")).rows[0].n).toBe(285);
      await expect(a.query("update audit_events set action = 'x' where id = 1")).rejects.toThrow(/permission denied/);
    } finally {
      await a.end();
    }
  } finally {
    await c.end();
  }

  const verify = await warden(["audit", "verify"], { DATABASE_URL: app });
  expect(verify.code, verify.stderr).toBe(0);
  expect(
    JSON.parse(
      verify.stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .pop()!,
    ),
  ).toMatchObject({ ok: true, checked: 300, firstBrokenId: null });
}, 300_000);
