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
  // Closing the pool waits for every checked-out client. Background work a test started after
  // its last assertion (a post-commit kick, a debounced re-evaluation) can still hold one; once in
  // ~10 CI runs that wait outlasted the hook's 60 s and failed a file whose tests had all passed.
  // The database is dropped WITH (FORCE) below either way, which ends such connections.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([
    db.$disconnect().then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
  ]);
  clearTimeout(timer);
  if (!closed) console.warn(`[test] ${name}: the Prisma pool did not close within 10 s (a client was still checked out); dropping the database anyway`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
});
