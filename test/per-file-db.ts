import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";

// A fresh database per test file, cloned from the migrated template (fast: a file copy).
const templateUrl = inject("templateUrl");
const name = `warden_t_${randomBytes(6).toString("hex")}`;
const adminUrl = templateUrl.replace(/\/warden_template(\?|$)/, "/postgres$1");
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name} template warden_template`);
await admin.end();
process.env.DATABASE_URL = templateUrl.replace(/\/warden_template(\?|$)/, `/${name}$1`);
process.env.WARDEN_SECRET ??= "test-secret-test-secret-test-secret";

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db.$disconnect();
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
});
