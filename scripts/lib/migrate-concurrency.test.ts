import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "./runtime.mjs";
import { urlWithUser } from "./db-roles.mjs";

// Two replicas started together (docker compose up with two app services) each migrate the same,
// empty database at the same moment: both must succeed, and the result must be one complete schema.
const owner = process.env.TEST_OWNER_DATABASE_URL!;
const name = `warden_mc_${randomBytes(5).toString("hex")}`;
const role = `warden_app_mc_${randomBytes(4).toString("hex")}`;
const serverUrl = (db: string) => {
  const u = new URL(owner);
  u.pathname = `/${db}`;
  return u.toString();
};

async function onServer(sql: string) {
  const c = new pg.Client({ connectionString: serverUrl("postgres") });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`drop role if exists ${role}`);
});

describe("migrate() under concurrency", () => {
  it("two replicas migrating one empty database at once both succeed, and the schema is whole", async () => {
    await onServer(`create database ${name}`);
    const ownerUrl = serverUrl(name);
    const appUrl = urlWithUser(ownerUrl, role, randomBytes(12).toString("hex"));
    // Both create the missing app role, apply every migration and grant it its rights.
    const results = await Promise.allSettled([migrate(ownerUrl, { appUrl }), migrate(ownerUrl, { appUrl })]);
    expect(results.map((r) => (r.status === "rejected" ? String(r.reason).slice(0, 300) : "ok"))).toEqual(["ok", "ok"]);

    const dirs = fs.readdirSync(path.join(__dirname, "..", "..", "prisma", "migrations")).filter((d) => /^\d{14}_/.test(d));
    const c = new pg.Client({ connectionString: ownerUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: number; done: number; names: number }>(
        "select count(*)::int as n, count(finished_at)::int as done, count(distinct migration_name)::int as names from _prisma_migrations where rolled_back_at is null",
      );
      expect(rows[0]).toEqual({ n: dirs.length, done: dirs.length, names: dirs.length });
    } finally {
      await c.end();
    }
    // The app role signs in and has its rights (the grants ran to the end).
    const app = new pg.Client({ connectionString: appUrl });
    await app.connect();
    try {
      const { rows } = await app.query<{ ok: boolean }>("select has_table_privilege('audit_events', 'insert') and not has_table_privilege('audit_events', 'update') as ok");
      expect(rows[0].ok).toBe(true);
    } finally {
      await app.end();
    }
  }, 240_000);
});
