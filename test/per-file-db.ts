import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";

// A fresh database per test file, cloned from the migrated template (fast: a file copy). Lib code
// connects as the app role (DATABASE_URL); a test that must act as the owner (tamper with the audit
// trail behind its triggers, inspect grants) uses TEST_OWNER_DATABASE_URL.
const templateUrl = inject("templateUrl");
const appTemplateUrl = inject("appTemplateUrl");
const name = `warden_t_${randomBytes(6).toString("hex")}`;
const adminUrl = templateUrl.replace(/\/warden_template(\?|$)/, "/postgres$1");
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name} template warden_template`);
await admin.end();
process.env.DATABASE_URL = appTemplateUrl.replace(/\/warden_template(\?|$)/, `/${name}$1`);
process.env.TEST_OWNER_DATABASE_URL = templateUrl.replace(/\/warden_template(\?|$)/, `/${name}$1`);
process.env.WARDEN_SECRET ??= "test-secret-test-secret-test-secret";
// Tests never append audit checkpoints to a real file (one that needs it points this at a temp file).
process.env.WARDEN_AUDIT_CHECKPOINT_FILE = "off";

afterAll(async () => {
  const { db } = await import("@/lib/db");
  const { backgroundIdle } = await import("@/lib/background");
  // Closing the pool waits for every checked-out client, and a client whose transaction the close
  // cut off is never released. In CI the close of lib/spend/breaker-fleet.test.ts (whose last test
  // contains the fleet) sometimes outlasted the hook's 60 s after all its tests had passed — most
  // likely the admin-WebSocket kick that follows a containment's commit, still starting then.
  // Wait for such post-commit work first, and never more than 10 s for the close; the database
  // is dropped WITH (FORCE) below either way.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([
    backgroundIdle()
      .then(() => db.$disconnect())
      .then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
  ]);
  clearTimeout(timer);
  if (!closed) console.warn(`[test] ${name}: the Prisma pool did not close within 10 s (a client was still checked out); dropping the database anyway`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
});
