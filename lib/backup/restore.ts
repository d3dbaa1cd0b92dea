import { createHash } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import tarStream from "tar-stream";
import { GENESIS_HASH, chainHash } from "@/lib/signing/canonical";
import { describeSchema, type SchemaInfo } from "./catalog";
import { MANIFEST_NAME, MAX_MANIFEST_BYTES, ZBackupManifest, type TBackupManifest } from "./manifest";
import { applyMigrations, matchMigrations } from "./migrations";

/*
 * `npm run warden -- restore --from FILE`: the backup (backup.ts) back into an EMPTY database,
 * in one transaction, as the role that owns the schema:
 *  1. the manifest is read first and validated (zod; names must be plain identifiers), and its
 *     migrations must be this Warden's committed ones, file for file;
 *  2. the target must hold nothing in schema `public` (checked under a lock inside the
 *     transaction): a restore never overwrites or merges;
 *  3. the same migrations run, the day partitions are created, and every table's user triggers
 *     are disabled while its rows load (the rollups, agent links and policy caches are in the
 *     backup already: re-firing would count them twice); foreign keys stay checked; rows the
 *     migrations themselves inserted (default prices) are removed: the backup has every table whole;
 *  4. each data member is streamed into COPY FROM (tables and columns only as the migrations made
 *     them), and its size, line count, rows loaded and SHA-256 must match the manifest;
 *  5. sequences are set, triggers enabled, and the audit chain is walked (every row's hash
 *     recomputed) and must end at the manifest's head.
 * Only then does it commit. Any failure rolls everything back: the target stays empty.
 */

export class RestoreError extends Error {}

/** A member of the archive as tar-stream hands it over: its header and its content stream. */
type TarEntry = Readable & { header: tarStream.Header };

export type RestoreResult = { tables: number; rows: number; auditEvents: number; migrations: number; partitions: number; createdAt: string };

// Serialises restores into one database (the emptiness check and the load are one transaction).
const RESTORE_LOCK = 7_210_019;
// The advisory lock `prisma migrate deploy` holds on PostgreSQL while it migrates.
const PRISMA_MIGRATE_LOCK = 72_707_369;

async function readAll(stream: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += chunk.length;
    if (n > limit) throw new RestoreError(`${MANIFEST_NAME} is larger than ${limit} bytes: not a Warden backup`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

function parseManifest(raw: Buffer): TBackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new RestoreError(`${MANIFEST_NAME} is not JSON: not a Warden backup, or a damaged one`);
  }
  const parsed = ZBackupManifest.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(manifest)"}: ${i.message}`)
      .join("; ");
    throw new RestoreError(`${MANIFEST_NAME} is not a valid Warden backup manifest (${issues})`);
  }
  return parsed.data;
}

/** Refuse a target that holds anything in schema public (tables, sequences, views, types, functions). */
async function assertEmpty(client: pg.ClientBase): Promise<void> {
  const found = (
    await client.query<{ what: string }>(`
    select kind || ' ' || name as what from (
      select case relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'view' else 'table' end as kind, relname::text as name
        from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p', 'v', 'm', 'S', 'f')
      union all select 'type', typname::text from pg_type
        where typnamespace = 'public'::regnamespace and typtype in ('e', 'd', 'r', 'm', 'b') and typcategory <> 'A'
      union all select 'function', proname::text from pg_proc where pronamespace = 'public'::regnamespace
    ) x order by kind <> 'table', name limit 6`)
  ).rows.map((r) => r.what);
  if (found.length) {
    throw new RestoreError(
      `the target database is not empty (${found.slice(0, 5).join(", ")}${found.length > 5 ? ", …" : ""}): restore only into an empty one ` +
        "(a new WARDEN_DATA_DIR for the embedded database, or a newly created database); nothing was changed",
    );
  }
}

/** The manifest's tables, columns, sequences and order must be exactly what the migrations made. */
function checkAgainstSchema(m: TBackupManifest, schema: SchemaInfo): void {
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  for (const t of m.tables) {
    const known = tables.get(t.name);
    if (!known) throw new RestoreError(`the backup has a table ${t.name} that its migrations do not create`);
    const cols = new Set(known.columns);
    if (t.columns.length !== cols.size || t.columns.some((c) => !cols.has(c))) {
      throw new RestoreError(`the columns of ${t.name} in the backup (${t.columns.join(", ")}) are not the table's (${known.columns.join(", ")})`);
    }
  }
  const listed = new Set(m.tables.map((t) => t.name));
  const missing = [...tables.keys()].filter((t) => !listed.has(t));
  if (missing.length) throw new RestoreError(`the backup has no data for ${missing.join(", ")}`);
  const position = new Map(m.tables.map((t, i) => [t.name, i]));
  for (const [child, parents] of schema.references) {
    for (const p of parents) {
      if (position.get(p)! > position.get(child)!) throw new RestoreError(`the backup lists ${child} before ${p}, which it references`);
    }
  }
  const seqs = new Set(schema.sequences);
  const unknown = m.sequences.filter((s) => !seqs.has(s.name));
  if (unknown.length) throw new RestoreError(`the backup has a sequence ${unknown[0].name} that its migrations do not create`);
}

function partitionDay(name: string): string {
  const d = name.slice("tool_calls_".length);
  const iso = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
  const t = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== iso) throw new RestoreError(`the backup names a partition ${name} that is not a day`);
  return iso;
}

/** Stream one member into COPY FROM, returning what was read. */
async function copyTableIn(client: pg.Client, table: TBackupManifest["tables"][number], source: Readable) {
  const cols = table.columns.map((c) => client.escapeIdentifier(c)).join(", ");
  const sink = client.query(copyFrom(`COPY public.${client.escapeIdentifier(table.name)} (${cols}) FROM STDIN`));
  const hash = createHash("sha256");
  let bytes = 0;
  let lines = 0;
  await pipeline(
    source,
    async function* (src: AsyncIterable<Buffer>) {
      for await (const chunk of src) {
        bytes += chunk.length;
        if (bytes > table.bytes) throw new RestoreError(`${table.file} is longer than the manifest says`);
        hash.update(chunk);
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
        yield chunk;
      }
    },
    sink,
  );
  return { bytes, lines, rows: sink.rowCount, sha256: hash.digest("hex") };
}

/** Walk the audit chain inside the restore's transaction (the same hash `audit verify` computes). */
async function verifyChain(client: pg.ClientBase): Promise<{ rows: number; headId: string | null; headHash: string | null }> {
  let prev = GENESIS_HASH;
  let cursor = "0";
  let rows = 0;
  let headId: string | null = null;
  for (;;) {
    const batch = (
      await client.query(
        `select id::text as id, created_at, actor_type::text, actor_id, actor_label, role, action, outcome::text, target_type, target_id, before, after, ip, user_agent, prev_hash, hash
       from audit_events where audit_events.id > $1::bigint order by audit_events.id limit 2000`,
        [cursor],
      )
    ).rows;
    if (batch.length === 0) break;
    for (const r of batch) {
      if (r.prev_hash !== prev) throw new RestoreError(`the audit chain is broken at #${r.id} (previous hash does not match): the backup was altered`);
      const expected = chainHash(prev, {
        id: r.id,
        createdAt: r.created_at,
        actorType: r.actor_type,
        actorId: r.actor_id,
        actorLabel: r.actor_label,
        role: r.role,
        action: r.action,
        outcome: r.outcome,
        targetType: r.target_type,
        targetId: r.target_id,
        before: r.before ?? null,
        after: r.after ?? null,
        ip: r.ip,
        userAgent: r.user_agent,
      });
      if (expected !== r.hash) throw new RestoreError(`the audit chain is broken at #${r.id} (content does not match its hash): the backup was altered`);
      prev = r.hash;
      headId = r.id;
      rows++;
    }
    cursor = batch[batch.length - 1].id;
  }
  return { rows, headId, headHash: headId ? prev : null };
}

/**
 * Restore the backup `file` into the empty database at `ownerUrl` (the role that will own the
 * schema). Throws RestoreError (target unchanged) when the file is not a valid, intact Warden
 * backup of this Warden's migrations, or the target is not empty.
 */
export async function restoreBackup(ownerUrl: string, file: string): Promise<RestoreResult> {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new RestoreError(`no such file: ${file}`);
  }
  if (!st.isFile()) throw new RestoreError(`not a regular file: ${file}`);

  const input = fs.createReadStream(file);
  const extract = tarStream.extract();
  const feeding = pipeline(input, zlib.createGunzip(), extract);
  feeding.catch(() => {}); // its error also ends the iteration below
  const entries = extract[Symbol.asyncIterator]();
  const next = async (): Promise<TarEntry | null> => {
    try {
      const r = await entries.next();
      return r.done ? null : (r.value as unknown as TarEntry);
    } catch (err) {
      const cause =
        (await feeding.then(
          () => null,
          (e: unknown) => e,
        )) ?? err;
      throw new RestoreError(`${file} is not a readable backup archive (${cause instanceof Error ? cause.message : String(cause)})`);
    }
  };

  const client = new pg.Client({ connectionString: ownerUrl, application_name: "warden-restore" });
  client.on("error", () => {});
  try {
    const first = await next();
    if (!first || first.header.name !== MANIFEST_NAME || first.header.type !== "file") throw new RestoreError(`${file} is not a Warden backup (its first member is not ${MANIFEST_NAME})`);
    if (first.header.size > MAX_MANIFEST_BYTES) throw new RestoreError(`${MANIFEST_NAME} is larger than ${MAX_MANIFEST_BYTES} bytes: not a Warden backup`);
    const manifest = parseManifest(await readAll(first, MAX_MANIFEST_BYTES));
    let migrations;
    try {
      migrations = matchMigrations(manifest.migrations);
    } catch (err) {
      throw new RestoreError((err as Error).message);
    }
    const days = manifest.partitions.map(partitionDay);

    await client.connect();
    await client.query("BEGIN");
    try {
      await client.query("select pg_advisory_xact_lock($1)", [RESTORE_LOCK]);
      // Prisma's own migration lock too: a Warden starting on this database meanwhile waits, then
      // finds every migration applied, instead of racing the restore to create the schema.
      await client.query("select pg_advisory_xact_lock($1)", [PRISMA_MIGRATE_LOCK]);
      await assertEmpty(client);
      await applyMigrations(client, migrations);
      const schema = await describeSchema(client);
      checkAgainstSchema(manifest, schema);
      for (const day of days) await client.query("select warden_ensure_tool_call_partitions($1::date, $1::date)", [day]);
      const tables = manifest.tables.map((t) => `public.${client.escapeIdentifier(t.name)}`);
      for (const t of tables) await client.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
      // Some migrations insert rows (e.g. default model prices); the backup holds each table whole.
      await client.query(`TRUNCATE ${tables.join(", ")}`);

      for (const t of manifest.tables) {
        const entry = await next();
        if (!entry) throw new RestoreError(`the backup ends before ${t.file} (truncated)`);
        if (entry.header.name !== t.file || entry.header.type !== "file") throw new RestoreError(`expected ${t.file} next in the backup, found ${entry.header.name}`);
        if (entry.header.size !== t.bytes) throw new RestoreError(`${t.file} is ${entry.header.size} bytes, the manifest says ${t.bytes}`);
        let got;
        try {
          got = await copyTableIn(client, t, entry);
        } catch (err) {
          if (err instanceof RestoreError) throw err;
          throw new RestoreError(`the rows of ${t.name} could not be loaded (${(err as Error).message})`);
        }
        if (got.bytes !== t.bytes || got.sha256 !== t.sha256) throw new RestoreError(`${t.file} does not match its SHA-256 in the manifest: the backup was altered or damaged`);
        if (got.lines !== t.rows || got.rows !== t.rows) throw new RestoreError(`${t.file} holds ${got.rows} rows, the manifest says ${t.rows}`);
      }
      if (await next()) throw new RestoreError("the backup has members after the last table: not as written by Warden");
      await feeding.catch((err) => {
        throw new RestoreError(`${file} is not a readable backup archive (${(err as Error).message})`);
      });

      for (const s of manifest.sequences) {
        await client.query("select setval($1::regclass, $2::bigint, $3)", [`public.${client.escapeIdentifier(s.name)}`, s.lastValue, s.isCalled]);
      }
      for (const t of tables) await client.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
      const chain = await verifyChain(client);
      if (chain.rows !== manifest.audit.rows || chain.headId !== manifest.audit.headId || chain.headHash !== manifest.audit.headHash) {
        throw new RestoreError(`the audit trail has ${chain.rows} rows up to #${chain.headId ?? "-"}, the manifest says ${manifest.audit.rows} up to #${manifest.audit.headId ?? "-"}`);
      }
      await client.query("COMMIT");
      return {
        tables: manifest.tables.length,
        rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
        auditEvents: chain.rows,
        migrations: migrations.length,
        partitions: days.length,
        createdAt: manifest.createdAt,
      };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    }
  } finally {
    input.destroy();
    await client.end().catch(() => {});
  }
}
