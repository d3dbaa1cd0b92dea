/**
 * One real, throwaway Postgres for the whole unit/integration run: the embedded server in a temp
 * folder (or TEST_DATABASE_URL's server), migrated once into a template database, as the owner,
 * with the app role's grants (scripts/lib/db-roles.mjs). Each test file then gets its own database
 * cloned from that template (test/per-file-db.ts), so files can run in parallel and a test that
 * tampers with the audit trail cannot disturb another. Lib code runs as the app role, as in
 * production, so the whole suite proves the grants are enough.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate, resolveDatabase } from "../scripts/lib/runtime.mjs";
import { ensureAppRole, urlWithUser } from "../scripts/lib/db-roles.mjs";

let stop: (() => Promise<void>) | null = null;
let tmp: string | null = null;

export default async function setup(project: TestProject) {
  let baseUrl = process.env.TEST_DATABASE_URL;
  let appUrl: string;
  let appRole: string;
  if (!baseUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-test-"));
    fs.chmodSync(tmp, 0o755);
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    const db = await resolveDatabase({ dir: tmp, reuse: false, database: "warden_template", log: () => {} });
    if (saved) process.env.DATABASE_URL = saved;
    stop = db.stop;
    baseUrl = db.ownerUrl;
    appUrl = db.url;
    appRole = db.appRole;
  } else {
    const serverUrl = baseUrl;
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query("drop database if exists warden_template with (force)");
    await admin.query("create database warden_template");
    await admin.end();
    baseUrl = baseUrl.replace(/\/[^/?]+(\?|$)/, "/warden_template$1");
    // The server's own test app role (its owner needs CREATEROLE).
    appRole = "warden_test_app";
    const password = process.env.TEST_APP_PASSWORD || "warden-test-app";
    await ensureAppRole(serverUrl, appRole, password);
    appUrl = urlWithUser(baseUrl, appRole, password);
  }
  await migrate(baseUrl, { appRole });
  project.provide("templateUrl", baseUrl);
  project.provide("appTemplateUrl", appUrl);
  return async () => {
    await stop?.();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateUrl: string;
    appTemplateUrl: string;
  }
}
