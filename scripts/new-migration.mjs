#!/usr/bin/env node
// Create a new migration from the change to prisma/schema.prisma since the last migration.
// `prisma migrate dev` fails with driver adapters (prisma/orm#27403), so: diff the schema kept
// beside the previous migration against the current one, write migration.sql, and keep a copy
// of the schema beside it for next time. Apply with `npm run db:migrate`.
// Usage: npm run db:new-migration -- <name>
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, bin, resolveDatabase, run } from "./lib/runtime.mjs";

const name = (process.argv[2] || "").toLowerCase().replace(/[^a-z0-9_]+/g, "_");
if (!name) {
  console.error("usage: npm run db:new-migration -- <name>");
  process.exit(2);
}
const migrationsDir = path.join(ROOT, "prisma", "migrations");
fs.mkdirSync(migrationsDir, { recursive: true });
const previous = fs
  .readdirSync(migrationsDir)
  .filter((d) => fs.existsSync(path.join(migrationsDir, d, "schema.prisma")))
  .sort()
  .pop();
const from = previous ? ["--from-schema-datamodel", path.join(migrationsDir, previous, "schema.prisma")] : ["--from-empty"];

// The JS schema engine needs a live connection even to diff two files: use a throwaway database.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-diff-"));
fs.chmodSync(tmp, 0o755);
delete process.env.DATABASE_URL;
const db = await resolveDatabase({ dir: tmp, reuse: false, log: () => {} });
try {
  const res = await run(bin("prisma"), ["migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"], {
    env: { ...process.env, DATABASE_URL: db.ownerUrl },
    quiet: true,
  });
  if (res.code !== 0) throw new Error(res.out);
  const sql = res.out
    .split("\n")
    .filter((l) => !l.startsWith("Loaded Prisma config") && !l.startsWith("npm warn"))
    .join("\n")
    .trim();
  if (!sql || /^-- This is an empty migration/.test(sql)) {
    console.log("No schema changes since the last migration.");
  } else {
    const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "migration.sql"), sql + "\n");
    fs.copyFileSync(path.join(ROOT, "prisma", "schema.prisma"), path.join(dir, "schema.prisma"));
    console.log(`Created ${path.relative(ROOT, dir)}/migration.sql — review it, then run npm run db:migrate`);
  }
} finally {
  await db.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
