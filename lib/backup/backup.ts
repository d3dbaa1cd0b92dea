import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import tarStream from "tar-stream";
import { describeSchema, loadOrder } from "./catalog";
import { BACKUP_FORMAT, BACKUP_VERSION, MANIFEST_NAME, ZBackupManifest, type TBackupManifest, type TBackupTable } from "./manifest";
import { appliedMigrations } from "./migrations";

/*
 * `npm run warden -- backup`: a logical backup taken through Postgres' COPY protocol, because
 * Postgres' own pg_dump is not something Warden can rely on: the embedded Postgres ships only
 * initdb, pg_ctl and postgres, and a distribution's pg_dump refuses a newer server (Debian 12's
 * v15 cannot dump the embedded v17). COPY is the server's own export of its rows, on any version
 * and over the connection Warden already has.
 *
 * Consistency: every table is read in one REPEATABLE READ, READ ONLY transaction, i.e. one
 * snapshot of the whole database, while Warden keeps running (readers and writers are not
 * blocked). The archive (tar, gzipped) holds `manifest.json` first — format version, the applied
 * migrations, per-table columns, row counts, sizes and SHA-256, the sequences, the day partitions,
 * the audit trail's head — then one COPY text file per table. The schema itself is not in it: the
 * restore recreates it by running the same migrations.
 */

export type BackupResult = { file: string; bytes: number; sha256: string; tables: number; rows: number; auditEvents: number; migrations: number };

const NEWLINE = 0x0a;

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/** The default file name: warden-backup-<UTC time>.tar.gz in the current folder. */
export function defaultBackupName(now = new Date()): string {
  return `warden-backup-${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}.tar.gz`;
}

/** Spool one table's rows (COPY text format) into `file`, returning its size, rows and SHA-256. */
async function copyTableOut(client: pg.Client, table: { name: string; columns: string[] }, file: string) {
  const cols = table.columns.map((c) => client.escapeIdentifier(c)).join(", ");
  const stream = client.query(copyTo(`COPY (SELECT ${cols} FROM public.${client.escapeIdentifier(table.name)}) TO STDOUT`));
  const hash = createHash("sha256");
  let bytes = 0;
  let rows = 0;
  await pipeline(
    stream,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        bytes += chunk.length;
        rows += countNewlines(chunk);
        yield chunk;
      }
    },
    fs.createWriteStream(file, { flags: "wx", mode: 0o600 }),
  );
  if (stream.rowCount !== rows) throw new Error(`COPY of ${table.name} sent ${stream.rowCount} rows but ${rows} lines`);
  return { bytes, rows, sha256: hash.digest("hex") };
}

/** Append one member to the archive, streamed from a file or given in memory. */
function addEntry(pack: tarStream.Pack, name: string, size: number, content: Buffer | string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const header = { name, size, mode: 0o600, mtime: new Date(), type: "file" as const, uname: "warden", gname: "warden" };
    if (typeof content !== "string") {
      pack.entry(header, content, (err) => (err ? reject(err) : resolve()));
      return;
    }
    const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    pipeline(fs.createReadStream(content), entry).catch(reject);
  });
}

/**
 * Back up the database at `ownerUrl` (the role that owns the schema: it alone reads Prisma's
 * ledger) into `out`, a new file (never overwritten) created with mode 0600.
 */
export async function createBackup(ownerUrl: string, out: string): Promise<BackupResult> {
  out = path.resolve(out);
  if (fs.existsSync(out)) throw new Error(`${out} already exists: choose another --out (a backup never overwrites a file)`);
  const dir = path.dirname(out);
  if (!fs.existsSync(dir)) throw new Error(`no such folder: ${dir}`);
  // The rows are spooled beside the output (the archive needs each member's size before its content).
  const spool = fs.mkdtempSync(path.join(dir, ".warden-backup-"));
  // Also when the process is ended mid-backup (Ctrl-C): no copy of the rows is left behind.
  const removeSpool = () => fs.rmSync(spool, { recursive: true, force: true });
  process.once("exit", removeSpool);
  const partial = path.join(spool, "archive.partial");
  const client = new pg.Client({ connectionString: ownerUrl, application_name: "warden-backup" });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const migrations = await appliedMigrations(client);
    if (migrations.length === 0) throw new Error("this database has no applied Warden migrations: nothing to back up");
    const schema = await describeSchema(client);
    const byName = new Map(schema.tables.map((t) => [t.name, t]));
    const tables: TBackupTable[] = [];
    for (const name of loadOrder(schema)) {
      const t = byName.get(name)!;
      const file = `data/${name}.copy`;
      const res = await copyTableOut(client, t, path.join(spool, `${name}.copy`));
      tables.push({ name, file, columns: t.columns, ...res });
    }
    const sequences = [];
    for (const name of schema.sequences) {
      const r = (await client.query(`select last_value::text as v, is_called from public.${client.escapeIdentifier(name)}`)).rows[0];
      sequences.push({ name, lastValue: r.v as string, isCalled: r.is_called as boolean });
    }
    const head = (await client.query("select a.id::text as id, a.hash from audit_events a order by a.id desc limit 1")).rows[0];
    const postgres = (await client.query("show server_version")).rows[0].server_version as string;
    await client.query("COMMIT");
    const manifest: TBackupManifest = ZBackupManifest.parse({
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      postgres,
      migrations,
      tables,
      sequences,
      partitions: schema.partitions,
      audit: { rows: tables.find((t) => t.name === "audit_events")?.rows ?? 0, headId: head?.id ?? null, headHash: head?.hash ?? null },
    });

    const pack = tarStream.pack();
    const hash = createHash("sha256");
    let bytes = 0;
    const written = pipeline(
      pack,
      zlib.createGzip({ level: 6 }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
      fs.createWriteStream(partial, { flags: "wx", mode: 0o600 }),
    );
    written.catch(() => {}); // awaited below; a failure also fails the entry being written
    const json = Buffer.from(JSON.stringify(manifest, null, 2) + "\n", "utf8");
    await addEntry(pack, MANIFEST_NAME, json.length, json);
    for (const t of tables) await addEntry(pack, t.file, t.bytes, path.join(spool, `${t.name}.copy`));
    pack.finalize();
    await written;
    const fd = fs.openSync(partial, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.chmodSync(partial, 0o600);
    // link() fails if `out` appeared meanwhile: never replace a file.
    fs.linkSync(partial, out);
    return {
      file: out,
      bytes,
      sha256: hash.digest("hex"),
      tables: tables.length,
      rows: tables.reduce((n, t) => n + t.rows, 0),
      auditEvents: manifest.audit.rows,
      migrations: migrations.length,
    };
  } finally {
    await client.end().catch(() => {});
    removeSpool();
    process.off("exit", removeSpool);
  }
}
