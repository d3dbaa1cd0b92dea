#!/usr/bin/env node
// The server Playwright tests run against: a production build (`next build` first) on a fresh
// embedded Postgres in .warden-e2e/, migrated (as the owner) and bootstrapped with the demo fleet.
// The server runs as the app role, like `npm start`, so every spec exercises its grants. It writes
// the owner's database URL (databaseUrl: specs seed and tamper with their own rows) and the app's
// (appDatabaseUrl) to .warden-e2e/e2e.json.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { ROOT, bin, migrate, nextStart, resolveDatabase, run } from "./lib/runtime.mjs";

const dir = path.join(ROOT, ".warden-e2e");
const port = Number(process.env.E2E_PORT || 3100);
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
fs.chmodSync(dir, 0o755);

delete process.env.DATABASE_URL;
delete process.env.WARDEN_MIGRATE_DATABASE_URL;
const db = await resolveDatabase({ dir, reuse: false, log: () => {} });
await migrate(db.ownerUrl, { appRole: db.appRole });
const secret = "e2e-secret-e2e-secret-e2e-secret-0123";
const env = {
  ...process.env,
  DATABASE_URL: db.url,
  WARDEN_SECRET: secret,
  NEXTAUTH_SECRET: secret,
  NEXTAUTH_URL: `http://127.0.0.1:${port}`,
  WARDEN_ADMIN_EMAIL: "root-admin@e2e.local",
  WARDEN_ADMIN_PASSWORD: "e2e-root-admin-password",
  NEXT_TELEMETRY_DISABLED: "1",
  // Escalate unacknowledged containment commands quickly so the escalation spec finishes fast.
  WARDEN_CONTAINMENT_ACK_TIMEOUT_SECONDS: "6",
  // Webhook receivers in specs listen on 127.0.0.1 over http (test only).
  WARDEN_WEBHOOK_ALLOW_PRIVATE: "1",
  WARDEN_WEBHOOK_ALLOW_HTTP: "1",
  // Specs may slow down or fail one dashboard card through a cookie on their own browser (lib/faults, test only).
  WARDEN_TEST_FAULTS: "1",
  // Audit checkpoints of this run's database, wiped with it (the default would sit in the project root).
  WARDEN_AUDIT_CHECKPOINT_FILE: path.join(dir, "audit-checkpoints.jsonl"),
  // The OpenClaw e2e gateway listens on 127.0.0.1 (its admin WebSocket is a kill switch path).
  WARDEN_GATEWAY_ALLOW_LOOPBACK: "1",
  // No live demo fleet: other specs count the demo's calls and commands (e2e/demo-fleet.spec.ts runs its own server with it on).
  WARDEN_DEMO_FLEET: "off",
};
const boot = await run(bin("tsx"), ["--conditions=react-server", "scripts/cli.ts", "bootstrap"], { env, quiet: true });
if (boot.code !== 0) {
  console.error(boot.out);
  await db.stop();
  process.exit(1);
}
// What another replica of this server needs besides the database URL and the secret (written
// above): the settings this script adds, without the ones naming this server (e2e/replicas.spec.ts).
const settings = Object.fromEntries(
  Object.entries(env).filter(([k, v]) => process.env[k] !== v && !["DATABASE_URL", "WARDEN_SECRET", "NEXTAUTH_SECRET", "NEXTAUTH_URL", "WARDEN_ADMIN_PASSWORD"].includes(k)),
);
fs.writeFileSync(path.join(dir, "e2e.json"), JSON.stringify({ databaseUrl: db.ownerUrl, appDatabaseUrl: db.url, baseURL: `http://127.0.0.1:${port}`, secret, settings }));
const server = nextStart(["-p", String(port), "-H", "127.0.0.1"], env);
const child = spawn(server.command, server.args, { cwd: ROOT, env: server.env, stdio: "inherit" });
const stop = () => child.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
child.on("exit", async (code) => {
  await db.stop();
  process.exit(code ?? 0);
});
