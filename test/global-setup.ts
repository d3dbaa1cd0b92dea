/**
 * One real, throwaway Postgres for the whole unit/integration run: the embedded server in a temp
 * folder (or TEST_DATABASE_URL's server), migrated once into a template database. Each test file
 * then gets its own database cloned from that template (test/per-file-db.ts), so files can run in
 * parallel and a test that tampers with the audit trail cannot disturb another.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
// @ts-expect-error -- plain ESM helper shared with the launcher
import { migrate, resolveDatabase } from "../scripts/lib/runtime.mjs";

let stop: (() => Promise<void>) | null = null;
let tmp: string | null = null;

export default async function setup(project: TestProject) {
  let baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-test-"));
    fs.chmodSync(tmp, 0o755);
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    const db = await resolveDatabase({ dir: tmp, reuse: false, database: "warden_template", log: () => {} });
    if (saved) process.env.DATABASE_URL = saved;
    stop = db.stop;
    baseUrl = db.url as string;
  } else {
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query("drop database if exists warden_template with (force)");
    await admin.query("create database warden_template");
    await admin.end();
    baseUrl = baseUrl.replace(/\/[^/?]+(\?|$)/, "/warden_template$1");
  }
  await migrate(baseUrl);
  project.provide("templateUrl", baseUrl);
  return async () => {
    await stop?.();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateUrl: string;
  }
}
