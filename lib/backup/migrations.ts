import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import { ROOT } from "@/scripts/lib/runtime.mjs";
import { LEDGER } from "./catalog";

/*
 * The committed migrations (prisma/migrations/<name>/migration.sql) and Prisma's ledger of the
 * applied ones. A restore recreates the backed-up database's schema by running the same
 * migrations it had, inside the restore's own transaction (so a failed restore leaves the target
 * as empty as it found it), and records them in the ledger as `prisma migrate deploy` does:
 * the migration's name and the SHA-256 of its file. Later migrations then run as usual.
 */

export type LocalMigration = { name: string; checksum: string; sql: string };

export const MIGRATIONS_DIR = path.join(ROOT, "prisma", "migrations");

/** The committed migrations, in the order Prisma applies them (by name). */
export function localMigrations(dir = MIGRATIONS_DIR): LocalMigration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, checksum: createHash("sha256").update(sql).digest("hex"), sql };
    });
}

/** The migrations Prisma's ledger lists as applied (finished, not rolled back), in order. */
export async function appliedMigrations(client: pg.ClientBase): Promise<{ name: string; checksum: string }[]> {
  const present = (await client.query("select to_regclass($1) is not null as p", [`public.${LEDGER}`])).rows[0].p;
  if (!present) return [];
  return (
    await client.query<{ name: string; checksum: string }>(`select migration_name as name, checksum from ${LEDGER} where finished_at is not null and rolled_back_at is null order by migration_name`)
  ).rows;
}

/**
 * Check that `wanted` (a backup's migrations) is the start of this Warden's committed migrations,
 * file for file, and return those local migrations. A backup from a newer Warden, or one whose
 * migrations differ from the committed ones, is refused.
 */
export function matchMigrations(wanted: { name: string; checksum: string }[], local = localMigrations()): LocalMigration[] {
  const byName = new Map(local.map((m) => [m.name, m]));
  wanted.forEach((w, i) => {
    const m = byName.get(w.name);
    if (!m) throw new Error(`the backup was made by a Warden with migration ${w.name}, which this Warden does not have: restore it with that version (or a newer one)`);
    if (m.checksum !== w.checksum) throw new Error(`migration ${w.name} in the backup differs from this Warden's (checksum ${w.checksum.slice(0, 12)}… vs ${m.checksum.slice(0, 12)}…)`);
    if (local[i]?.name !== w.name) throw new Error(`the backup's migrations are not this Warden's in order (expected ${local[i]?.name ?? "none"} at position ${i + 1}, found ${w.name})`);
  });
  return local.slice(0, wanted.length);
}

/** Run `migrations` in the caller's transaction and record them in Prisma's ledger (created if absent). */
export async function applyMigrations(client: pg.ClientBase, migrations: LocalMigration[]): Promise<void> {
  // The ledger exactly as `prisma migrate deploy` creates it on PostgreSQL.
  await client.query(`CREATE TABLE IF NOT EXISTS "${LEDGER}" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`);
  for (const m of migrations) {
    // One multi-statement simple query, as the schema engine sends it (prisma.config.ts).
    await client.query(m.sql);
    await client.query(`insert into "${LEDGER}" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) values ($1, $2, clock_timestamp(), $3, clock_timestamp(), 1)`, [
      randomUUID(),
      m.checksum,
      m.name,
    ]);
  }
}
