/**
 * `npm run warden -- backup` and `restore`, run exactly as docs/operations.md says, as child
 * processes, against real Postgres: a database with the demo fleet, a few thousand tool calls and
 * a thousand more audit events is backed up (DATABASE_URL install) and restored into a new, empty
 * embedded data folder; then every table's row count, the audit chain, a tool call with its
 * decision, the rollups (the triggers did not fire twice) and the sequences must be as they were.
 * A non-empty target and tampered backups are refused and leave the target as it was.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import pg from "pg";
import tarStream from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordAuditMany } from "@/lib/audit/record";
import { seedDemoFleet } from "@/lib/seed/demo";
import { wardenSigningKey } from "@/lib/signing/keys";
import { makeUser, rid } from "@/test/factories";
import { RestoreError, restoreBackup } from "./restore";
import { resolveDatabase } from "@/scripts/lib/runtime.mjs";
import { wardenCli, type CliResult } from "@/test/cli";
import type { AuditAction } from "@/lib/audit/actions";

const SECRET = process.env.WARDEN_SECRET!;
const ownerUrl = process.env.TEST_OWNER_DATABASE_URL!;
const appUrl = process.env.DATABASE_URL!;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-backup-test-"));
// As root, the embedded Postgres runs as `postgres`, which must reach the restored data folder.
fs.chmodSync(tmp, 0o755);
const backupFile = path.join(tmp, "warden.tar.gz");

const warden = wardenCli;
const json = (r: CliResult) =>
  JSON.parse(
    r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .pop()!,
  );

async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** Row counts of every table of schema public (partitioned tables once, with their partitions' rows). */
async function tableCounts(url: string): Promise<Record<string, number>> {
  const tables = await query<{ name: string }>(
    url,
    `select relname::text as name from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') and not relispartition and relname <> '_prisma_migrations' order by 1`,
  );
  const out: Record<string, number> = {};
  for (const { name } of tables) out[name] = Number((await query<{ n: string }>(url, `select count(*) as n from "${name}"`))[0].n);
  return out;
}

/** A database URL on the test server for a new, empty database. */
async function newDatabase(): Promise<{ owner: string; app: string }> {
  const name = `warden_r_${rid()}`;
  const admin = ownerUrl.replace(/\/[^/?]+(\?|$)/, "/postgres$1");
  await query(admin, `create database ${name}`);
  return { owner: ownerUrl.replace(/\/[^/?]+(\?|$)/, `/${name}$1`), app: appUrl.replace(/\/[^/?]+(\?|$)/, `/${name}$1`) };
}

/** Re-pack a backup with `edit` applied to its members (null drops one). */
async function repack(src: string, dst: string, edit: (name: string, data: Buffer) => Buffer | null) {
  const members: { name: string; data: Buffer }[] = [];
  const extract = tarStream.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const c of entry) parts.push(c as Buffer);
      members.push({ name: entry.header.name, data: Buffer.concat(parts) });
    }
  })();
  extract.end(zlib.gunzipSync(fs.readFileSync(src)));
  await done;
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on("end", () => r()));
  for (const m of members) {
    const data = edit(m.name, m.data);
    if (data) pack.entry({ name: m.name, size: data.length }, data);
  }
  pack.finalize();
  await ended;
  fs.writeFileSync(dst, zlib.gzipSync(Buffer.concat(chunks)));
}

const sha256 = async (b: Buffer) => (await import("node:crypto")).createHash("sha256").update(b).digest("hex");

/** Edit the manifest of a re-packed backup. */
function editManifest(data: Buffer, fn: (m: Record<string, unknown> & { tables: { name: string; bytes: number; sha256: string; rows: number }[] }) => void): Buffer {
  const m = JSON.parse(data.toString("utf8"));
  fn(m);
  return Buffer.from(JSON.stringify(m));
}

let source: Record<string, number>;

beforeAll(async () => {
  const { actor } = await makeUser("admin");
  await seedDemoFleet(db, { toolCallCount: 3000 });
  await wardenSigningKey(); // a sealed secret in the database
  // Day partitions for the calls' days (as the daily job makes them): their rows move out of the default one.
  await db.$queryRawUnsafe("select warden_ensure_tool_call_partitions((now() - interval '40 days')::date, (now() + interval '1 day')::date)");
  for (let b = 0; b < 4; b++) {
    await db.$transaction((tx) =>
      recordAuditMany(
        tx,
        Array.from({ length: 250 }, (_, i) => ({
          actor,
          input: { action: "test.backup" as AuditAction, targetType: "tool", targetId: `t-${b}-${i}`, after: { n: i, note: "ünïcode \\ and \n newline and \t tab" } },
        })),
      ),
    );
  }
  source = await tableCounts(ownerUrl);
}, 120_000);

afterAll(() => {
  if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("npm run warden -- backup / restore", () => {
  it("round trip: backup of a DATABASE_URL install, restore into a new embedded data folder, everything intact", async () => {
    expect(source.tool_calls).toBe(3000);
    expect(source.audit_events).toBeGreaterThanOrEqual(1000);

    const backup = await warden(["backup", "--out", backupFile], { DATABASE_URL: appUrl, WARDEN_MIGRATE_DATABASE_URL: ownerUrl, WARDEN_SECRET: SECRET });
    expect(backup.code, backup.stderr).toBe(0);
    const written = json(backup);
    expect(written).toMatchObject({ file: backupFile, auditEvents: source.audit_events });
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    // Never overwritten.
    const again = await warden(["backup", "--out", backupFile], { DATABASE_URL: appUrl, WARDEN_MIGRATE_DATABASE_URL: ownerUrl });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    // No secret beyond the database's own (sealed) ones: not WARDEN_SECRET, not the roles' passwords.
    const raw = zlib.gunzipSync(fs.readFileSync(backupFile));
    expect(raw.includes(SECRET)).toBe(false);
    expect(raw.includes(decodeURIComponent(new URL(ownerUrl).password))).toBe(false);
    expect(raw.includes(decodeURIComponent(new URL(appUrl).password))).toBe(false);

    const dir = path.join(tmp, "restored");
    const env = { WARDEN_DATA_DIR: dir, WARDEN_SECRET: SECRET };
    const restored = await warden(["restore", "--from", backupFile], env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(json(restored)).toMatchObject({ ok: true, auditEvents: source.audit_events, partitions: 42 });
    expect(restored.stderr).not.toMatch(/do not open/);

    // The commands users run next: the chain verifies, and Prisma finds its ledger complete.
    const verify = await warden(["audit", "verify"], env);
    expect(verify.code, verify.stderr).toBe(0);
    expect(json(verify)).toMatchObject({ ok: true, checked: source.audit_events });
    const migrated = await warden(["db", "migrate"], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/No pending migrations/);
    // The folder is not empty any more: a second restore into it is refused (exit 1, also on the embedded database).
    const twice = await warden(["restore", "--from", backupFile], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/not empty/);

    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    const target = await resolveDatabase({ dir, reuse: false, log: () => {} });
    process.env.DATABASE_URL = saved;
    try {
      expect(await tableCounts(target.ownerUrl)).toEqual(source);
      // A tool call and its decision, column for column; a blocked one among them.
      const pick = `select * from tool_calls where decision = 'blocked' order by id limit 3`;
      const before = await query(ownerUrl, pick);
      expect(before.length).toBeGreaterThan(0);
      expect(await query(target.ownerUrl, pick)).toEqual(before);
      const decisions = `select * from trust_decisions order by id`;
      expect(await query(target.ownerUrl, decisions)).toEqual(await query(ownerUrl, decisions));
      // The rollup triggers did not fire again on the restored rows.
      const rolled = `select sum(calls)::int as n from tool_call_hourly`;
      expect(await query(target.ownerUrl, rolled)).toEqual([{ n: 3000 }]);
      // Sequences carried over: the next audit id follows the restored head.
      const seq = `select last_value::text as v from audit_events_id_seq`;
      expect(await query(target.ownerUrl, seq)).toEqual(await query(ownerUrl, seq));
      // The day partitions exist again, and the app role can work (its grants were given).
      const parts = `select c.relname::text as p, (select count(*)::int from tool_calls t where t.tableoid = c.oid) as n
                     from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'tool_calls'::regclass order by 1`;
      const sourceParts = await query<{ p: string; n: number }>(ownerUrl, parts);
      expect(sourceParts.filter((x) => x.n > 0).length).toBeGreaterThan(3);
      expect(await query(target.ownerUrl, parts)).toEqual(sourceParts);
      expect(await query(target.url, "select count(*)::int as n from tool_calls")).toEqual([{ n: 3000 }]);
      const secret = `select value from settings where key = 'warden_signing_key'`;
      expect(await query(target.ownerUrl, secret)).toEqual(await query(ownerUrl, secret));
    } finally {
      await target.stop();
    }
  }, 300_000);

  it("refuses a target that is not empty, and leaves it as it was", async () => {
    expect(fs.existsSync(backupFile)).toBe(true);
    // The source database itself.
    const self = await warden(["restore", "--from", backupFile], { DATABASE_URL: appUrl, WARDEN_MIGRATE_DATABASE_URL: ownerUrl });
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/not empty .*nothing was changed/);
    expect(await tableCounts(ownerUrl)).toEqual(source);
    // A database with a single unrelated table.
    const other = await newDatabase();
    await query(other.owner, "create table notes (id int primary key)");
    await query(other.owner, "insert into notes values (1)");
    const refused = await warden(["restore", "--from", backupFile], { DATABASE_URL: other.app, WARDEN_MIGRATE_DATABASE_URL: other.owner });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty \(table notes\)/);
    expect(await query(other.owner, "select relname::text as r from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'")).toEqual([{ r: "notes" }]);
  }, 120_000);

  it("refuses tampered, damaged or foreign files and leaves the empty target empty; the intact backup then restores", async () => {
    const target = await newDatabase();
    const env = { DATABASE_URL: target.app, WARDEN_MIGRATE_DATABASE_URL: target.owner };
    const relations = async () => Number((await query<{ n: string }>(target.owner, "select count(*) as n from pg_class where relnamespace = 'public'::regnamespace"))[0].n);
    const cases: [string, (f: string) => Promise<void>, RegExp][] = [
      [
        "a changed decision in the tool calls",
        (f) => repack(backupFile, f, (n, d) => (n === "data/tool_calls.copy" ? Buffer.from(d.toString("utf8").replace("\tblocked\t", "\tallowed\t")) : d)),
        /tool_calls.copy does not match its SHA-256/,
      ],
      [
        "an audit row rewritten, with the manifest's hash and size recomputed",
        async (f) => {
          let patched: Buffer | null = null;
          await repack(backupFile, f, (n, d) => {
            if (n !== "data/audit_events.copy") return d;
            patched = Buffer.from(d.toString("utf8").replace("\ttest.backup\t", "\ttest.backuq\t"));
            return patched;
          });
          const hash = await sha256(patched!);
          await repack(f, f, (n, d) =>
            n === "manifest.json"
              ? editManifest(d, (m) => {
                  const t = m.tables.find((x) => x.name === "audit_events")!;
                  t.sha256 = hash;
                  t.bytes = patched!.length;
                })
              : d,
          );
        },
        /audit chain is broken at #\d+ \(content does not match/,
      ],
      [
        "audit rows dropped from the end, manifest adjusted",
        async (f) => {
          let patched: Buffer | null = null;
          await repack(backupFile, f, (n, d) => {
            if (n !== "data/audit_events.copy") return d;
            // The newest ten rows (COPY's order is the table's, not the ids').
            const rows = d.toString("utf8").split("\n").filter(Boolean);
            const ids = rows.map((l) => BigInt(l.split("\t")[0])).sort((a, b) => (a < b ? 1 : -1));
            patched = Buffer.from(rows.filter((l) => BigInt(l.split("\t")[0]) < ids[9]).join("\n") + "\n");
            return patched;
          });
          const hash = await sha256(patched!);
          await repack(f, f, (n, d) =>
            n === "manifest.json"
              ? editManifest(d, (m) => {
                  const t = m.tables.find((x) => x.name === "audit_events")!;
                  Object.assign(t, { sha256: hash, bytes: patched!.length, rows: t.rows - 10 });
                })
              : d,
          );
        },
        /audit trail has \d+ rows .* the manifest says/,
      ],
      [
        "a row count that disagrees",
        (f) =>
          repack(backupFile, f, (n, d) =>
            n === "manifest.json"
              ? editManifest(d, (m) => {
                  m.tables.find((x) => x.name === "users")!.rows += 1;
                })
              : d,
          ),
        /users.copy holds \d+ rows, the manifest says/,
      ],
      [
        "a table name that is SQL",
        (f) =>
          repack(backupFile, f, (n, d) =>
            n === "manifest.json"
              ? editManifest(d, (m) => {
                  m.tables[0].name = 'users"; drop table x; --';
                })
              : d,
          ),
        /not a valid Warden backup manifest/,
      ],
      [
        "a table the migrations do not make",
        (f) =>
          repack(backupFile, f, (n, d) =>
            n === "manifest.json"
              ? editManifest(d, (m) => {
                  m.tables[0].name = "pg_authid_copy";
                  (m.tables[0] as unknown as { file: string }).file = "data/pg_authid_copy.copy";
                })
              : d,
          ),
        /table pg_authid_copy that its migrations do not create/,
      ],
      ["a member missing", (f) => repack(backupFile, f, (n, d) => (n === "data/users.copy" ? null : d)), /expected data\/users.copy next/],
      [
        "an unknown migration",
        (f) =>
          repack(backupFile, f, (n, d) =>
            n === "manifest.json"
              ? editManifest(d, (m) => {
                  (m.migrations as { name: string }[]).push({ name: "20991231000000_future", checksum: "0".repeat(64) } as never);
                })
              : d,
          ),
        /migration 20991231000000_future, which this Warden does not have/,
      ],
      [
        "a truncated file",
        async (f) => fs.writeFileSync(f, fs.readFileSync(backupFile).subarray(0, Math.floor(fs.statSync(backupFile).size / 2))),
        /not a readable backup archive|truncated|unexpected end/i,
      ],
      ["not a backup at all", async (f) => fs.writeFileSync(f, "hello"), /not a readable backup archive/],
    ];
    // The first case through the command line (exit code, message), the others through the
    // function the command calls, to keep the file's run time modest.
    for (const [i, [label, make, message]] of cases.entries()) {
      const f = path.join(tmp, `tampered-${rid()}.tar.gz`);
      await make(f);
      if (i === 0) {
        const r = await warden(["restore", "--from", f], env);
        expect(r.code, label).toBe(1);
        expect(r.stderr, label).toMatch(/^error: restore refused: /m);
        expect(r.stderr, label).toMatch(message);
      } else {
        const err = await restoreBackup(target.owner, f).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, label).toBeInstanceOf(RestoreError);
        expect((err as Error).message, label).toMatch(message);
      }
      expect(await relations(), `${label}: the target is still empty`).toBe(0);
    }
    const ok = await warden(["restore", "--from", backupFile], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await tableCounts(target.owner)).toEqual(source);
  }, 600_000);
});
