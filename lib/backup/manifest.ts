import { z } from "zod";

/*
 * The manifest of a Warden backup (the first member of the archive, `manifest.json`). A restore
 * reads a file that may have been altered, so everything in it is checked before use: names are
 * plain identifiers (and must then also exist in the schema the migrations create), sizes and
 * counts are bounded, and each data file's size, row count and SHA-256 are compared with what
 * was read.
 */

export const BACKUP_FORMAT = "warden-backup";
export const BACKUP_VERSION = 1;
export const MANIFEST_NAME = "manifest.json";
/** The manifest is small (names, counts, hashes); anything bigger is not one of ours. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "not a plain lower-case identifier");
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ZBackupTable = z
  .strictObject({
    name: identifier,
    /** The member holding the table's rows in COPY text format: always `data/<name>.copy`. */
    file: z.string(),
    columns: z.array(identifier).min(1).max(400),
    rows: count,
    bytes: count,
    sha256,
  })
  .refine((t) => t.file === `data/${t.name}.copy`, { message: "file must be data/<name>.copy", path: ["file"] })
  .refine((t) => new Set(t.columns).size === t.columns.length, { message: "duplicate column", path: ["columns"] });

export const ZBackupManifest = z
  .strictObject({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(BACKUP_VERSION),
    createdAt: z.iso.datetime(),
    postgres: z.string().max(200),
    /** The migrations applied to the database backed up, in order (Prisma's ledger): name and checksum. */
    migrations: z
      .array(z.strictObject({ name: z.string().regex(/^\d{14}_[a-z0-9_]{1,200}$/), checksum: sha256 }))
      .min(1)
      .max(10_000),
    /** Every table, parents before the tables whose foreign keys point at them (the restore order). */
    tables: z.array(ZBackupTable).min(1).max(1000),
    sequences: z.array(z.strictObject({ name: identifier, lastValue: z.string().regex(/^-?\d{1,20}$/), isCalled: z.boolean() })).max(1000),
    /** The day partitions of tool_calls (their rows are in tool_calls' data file). */
    partitions: z.array(z.string().regex(/^tool_calls_\d{8}$/)).max(100_000),
    /** Rows of the audit trail and the hash of its newest row (what `audit verify` should then find). */
    audit: z.strictObject({
      rows: count,
      headId: z
        .string()
        .regex(/^\d{1,20}$/)
        .nullable(),
      headHash: sha256.nullable(),
    }),
  })
  .refine((m) => new Set(m.tables.map((t) => t.name)).size === m.tables.length, { message: "duplicate table", path: ["tables"] })
  .refine((m) => new Set(m.migrations.map((x) => x.name)).size === m.migrations.length, { message: "duplicate migration", path: ["migrations"] });

export type TBackupManifest = z.infer<typeof ZBackupManifest>;
export type TBackupTable = z.infer<typeof ZBackupTable>;
