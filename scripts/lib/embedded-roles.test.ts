/**
 * The embedded default sets the roles up by itself: on a fresh data folder and on one from before
 * the app role existed (db.json with only the superuser's credentials).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { expect, it } from "vitest";
import { migrate, resolveDatabase } from "./runtime.mjs";
import { ensureAppRole, roleOfUrl } from "./db-roles.mjs";

async function query(url: string, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

it("creates the app role with its own generated password in db.json (mode 600), also for an older data folder, and the server's URL is the app's", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-roles-"));
  fs.chmodSync(dir, 0o755);
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  try {
    let db = await resolveDatabase({ dir, reuse: false, log: () => {} });
    try {
      const creds = JSON.parse(fs.readFileSync(path.join(dir, "db.json"), "utf8"));
      expect(fs.statSync(path.join(dir, "db.json")).mode & 0o777).toBe(0o600);
      expect(creds.app.user).toBe("warden_app");
      expect(creds.app.password).toMatch(/^\S{20,}$/);
      expect(creds.app.password).not.toBe(creds.password);
      expect(roleOfUrl(db.url)).toBe("warden_app");
      expect(roleOfUrl(db.ownerUrl)).toBe(creds.user);
      // An older data folder: db.json without the app's credentials and no app role yet.
      await query(db.ownerUrl, "drop role warden_app");
      fs.writeFileSync(path.join(dir, "db.json"), JSON.stringify({ user: creds.user, password: creds.password }));
    } finally {
      await db.stop();
    }
    db = await resolveDatabase({ dir, reuse: false, log: () => {} });
    try {
      const upgraded = JSON.parse(fs.readFileSync(path.join(dir, "db.json"), "utf8"));
      expect(upgraded.app.user).toBe("warden_app");
      expect(fs.statSync(path.join(dir, "db.json")).mode & 0o777).toBe(0o600);
      await migrate(db.ownerUrl, { appRole: db.appRole });
      const me = await query(db.url, "select current_user as u, rolsuper from pg_roles where rolname = current_user");
      expect(me.rows[0]).toEqual({ u: "warden_app", rolsuper: false });
      await query(db.url, "insert into settings (key, value, updated_at) values ('roles-test', '{}'::jsonb, now())");
      await expect(query(db.url, "alter table audit_events disable trigger all")).rejects.toThrow(/must be owner/);

      // A role tampered with (superuser, member of the owner) is put back by the next start.
      await query(db.ownerUrl, `alter role warden_app superuser createrole`);
      await query(db.ownerUrl, `grant "${roleOfUrl(db.ownerUrl)}" to warden_app`);
      await ensureAppRole(db.ownerUrl, "warden_app", upgraded.app.password);
      const fixed = await query(db.ownerUrl, `select rolsuper, rolcreaterole, pg_has_role('warden_app', $1, 'MEMBER') as member from pg_roles where rolname = 'warden_app'`, [roleOfUrl(db.ownerUrl)]);
      expect(fixed.rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, member: false });
    } finally {
      await db.stop();
    }
  } finally {
    if (saved) process.env.DATABASE_URL = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
