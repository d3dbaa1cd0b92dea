#!/usr/bin/env node
// The launcher behind `npm start`, `npm run dev` and `npm run db:migrate`.
// With no DATABASE_URL it runs the embedded Postgres in .warden/ (or WARDEN_DATA_DIR), applies
// migrations, creates the first admin and the demo fleet on the first run, builds if needed,
// serves Warden and prints where to sign in.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { ROOT, appRoleWarning, bin, dataDir, defaultUrl, ensureSecret, listenHost, migrate, nextStart, resolveDatabase, run, withDatabaseLock } from "./lib/runtime.mjs";

const command = process.argv[2] ?? "start";
const port = Number(process.env.PORT || 3000);
const log = (m) => console.log(`[warden] ${m}`);

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "generated" || entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Build when there is no production build, or the sources changed since it was made. */
function needsBuild() {
  const id = path.join(ROOT, ".next", "BUILD_ID");
  if (!fs.existsSync(id)) return true;
  const built = fs.statSync(id).mtimeMs;
  const sources = ["app", "components", "lib", "public"].map((d) => newestMtime(path.join(ROOT, d)));
  const files = ["proxy.ts", "next.config.ts", "package-lock.json", "prisma/schema.prisma"].map((f) => (fs.existsSync(path.join(ROOT, f)) ? fs.statSync(path.join(ROOT, f)).mtimeMs : 0));
  return Math.max(...sources, ...files) > built;
}

async function main() {
  if (!["start", "dev", "migrate"].includes(command)) {
    console.error("usage: node scripts/warden.mjs start|dev|migrate");
    process.exit(2);
  }
  const t0 = Date.now();
  let host;
  let db;
  try {
    host = listenHost();
    db = await resolveDatabase({ log });
  } catch (err) {
    console.error(`[warden] ${err.message}`);
    process.exit(1);
  }
  if (!db.embedded) log(`using DATABASE_URL${process.env.WARDEN_MIGRATE_DATABASE_URL ? " (migrations: WARDEN_MIGRATE_DATABASE_URL)" : ""}`);
  const stopAll = async (code = 0) => {
    await db.stop().catch(() => {});
    process.exit(code);
  };
  try {
    // As the owner; the app role then gets its grants on what the migrations made.
    await migrate(db.ownerUrl, { appRole: db.appRole, appUrl: db.url });
    if (command === "migrate") {
      log("migrations applied");
      return stopAll(0);
    }
    const warning = await appRoleWarning(db.url);
    if (warning) log(`WARNING: ${warning}`);
    const usesDataDir = db.embedded || !process.env.WARDEN_SECRET;
    const secret = ensureSecret();
    const url = process.env.WARDEN_URL || process.env.NEXTAUTH_URL || defaultUrl(host, port);
    // The server (and first-run setup) runs as the app role and never sees the owner's credentials.
    const appEnv = { ...process.env };
    delete appEnv.WARDEN_MIGRATE_DATABASE_URL;
    const env = {
      ...appEnv,
      DATABASE_URL: db.url,
      WARDEN_SECRET: secret,
      NEXTAUTH_SECRET: secret,
      // One public URL for next-auth (cookies, callbacks) and the cross-site check (lib/http/same-origin.ts).
      NEXTAUTH_URL: url,
      WARDEN_URL: url,
      PORT: String(port),
      WARDEN_VERSION: JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version,
    };
    // One replica at a time (several starting together would each create "the first admin").
    const boot = await withDatabaseLock(db.ownerUrl, "warden.bootstrap", () => run(bin("tsx"), ["--conditions=react-server", "scripts/cli.ts", "bootstrap"], { env, quiet: true }));
    if (boot.code !== 0) throw new Error(`first-run setup failed:\n${boot.out}`);
    const result = JSON.parse(boot.out.trim().split("\n").pop());
    if (result.seeded) log("demo fleet seeded (set WARDEN_SEED=none to skip it on a fresh install)");

    if (command === "start" && !process.env.WARDEN_NO_BUILD && needsBuild()) {
      log("building the app (first start only, 1-2 min) …");
      // Quiet: the build's route table would push the sign-in details off the screen.
      const b = await run(bin("next"), ["build"], { env: { ...env, NEXT_TELEMETRY_DISABLED: "1" }, quiet: true });
      if (b.code !== 0) throw new Error(`next build failed:\n${b.out.split("\n").slice(-60).join("\n")}`);
    }

    const listen = ["-p", String(port), ...(host ? ["-H", host] : [])];
    const server = command === "dev" ? { command: bin("next"), args: ["dev", ...listen], env } : nextStart(listen, env);
    const child = spawn(server.command, server.args, {
      cwd: ROOT,
      env: { ...server.env, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    // Next's start banner is held back (printed only if the server exits before it is ready); the
    // box below says what a newcomer needs. Everything the server logs after that passes through.
    let announced = false;
    let banner = "";
    child.stdout.on("data", (chunk) => {
      if (announced) return void process.stdout.write(chunk);
      banner += chunk;
      if (!/Ready in|started server/i.test(banner)) return;
      announced = true;
      const password = result.adminPassword
        ? `  admin password: ${result.adminPassword}   (shown once — keep it safe)`
        : result.createdAdmin
          ? "  admin password: the WARDEN_ADMIN_PASSWORD you set"
          : "  admin password: printed on the first run (lost it? npm run warden -- user reset-password --email …)";
      const lines = [
        "",
        "──────────────────────────────────────────────────────────",
        `  Warden is running: ${url}/login   (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        result.adminEmail ? `  admin email:    ${result.adminEmail}` : "",
        password,
        usesDataDir ? `  data folder:    ${dataDir()}` : "",
        host ? `  listening on:   ${host}:${port} (HOST)` : "",
        "──────────────────────────────────────────────────────────",
        "",
      ].filter((l, i, all) => l || i === 0 || i === all.length - 1);
      console.log(lines.join("\n"));
    });
    const shutdown = () => child.kill("SIGTERM");
    process.on("SIGINT", shutdown);
    process.on("SIGTERM", shutdown);
    child.on("exit", (code) => {
      if (!announced && banner) process.stdout.write(banner);
      stopAll(code ?? 0);
    });
  } catch (err) {
    console.error(`[warden] ${err.message}`);
    await stopAll(1);
  }
}

main();
