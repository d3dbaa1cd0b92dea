/**
 * The README's start command on a fresh data folder: embedded Postgres, migrations, first admin,
 * demo fleet, server — then health is ok and the printed admin can sign in. It prints little
 * (no Next.js banner before the credentials), and it listens only where HOST says.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { expect, test } from "./fixtures";

/** Whether a TCP connection to host:port is accepted. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.once("connect", () => (sock.destroy(), resolve(true)));
    sock.once("error", () => resolve(false));
    sock.setTimeout(3000, () => (sock.destroy(), resolve(false)));
  });
}

/** One address of this machine that is not loopback (IPv4), if it has one. */
const outsideAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

test("npm start on a fresh data folder prints working admin credentials", async ({ page }) => {
  test.setTimeout(240_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-quickstart-"));
  fs.chmodSync(dataDir, 0o755);
  const port = 3190;
  // HOST: loopback only (docs/operations.md); WARDEN_URL stays http://localhost:<port>.
  const env = { ...process.env, WARDEN_DATA_DIR: dataDir, PORT: String(port), WARDEN_DB_PORT: "54399", HOST: "127.0.0.1" } as NodeJS.ProcessEnv;
  delete env.DATABASE_URL;
  delete env.WARDEN_ADMIN_PASSWORD;
  delete env.WARDEN_ADMIN_EMAIL;
  const child = spawn("npm", ["start"], { cwd: path.join(__dirname, ".."), env, detached: true });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    await expect.poll(() => /admin password: (\S+)/.test(out), { timeout: 200_000, intervals: [1000] }).toBe(true);
    const email = out.match(/admin email:\s+(\S+)/)![1];
    const password = out.match(/admin password: (\S+)/)![1];
    expect(out).toContain(`http://localhost:${port}/login`);
    expect(out).toContain("demo fleet seeded");
    expect(out).toContain(`data folder:    ${dataDir}`);
    // Short: a few [warden] lines, then the box. No Next.js banner or build route table.
    const beforeBox = out.slice(0, out.indexOf("Warden is running"));
    expect(beforeBox).not.toMatch(/Next\.js|Local:|Route \(app\)|Starting/);
    expect(beforeBox.split("\n").filter((l) => l.trim()).length, beforeBox).toBeLessThanOrEqual(6);

    // Listening on loopback only: this machine's other address refuses the connection.
    expect(await connects("127.0.0.1", port)).toBe(true);
    if (outsideAddress) expect(await connects(outsideAddress, port), `${outsideAddress}:${port}`).toBe(false);
    else test.info().annotations.push({ type: "note", description: "no non-loopback IPv4 address here: HOST's refusal not checked" });
    // The generated secret is kept in the data folder, readable by its owner only.
    expect(fs.statSync(path.join(dataDir, "secret")).mode & 0o777).toBe(0o600);

    const health = await page.request.get(`http://127.0.0.1:${port}/api/health`);
    expect(await health.json()).toMatchObject({ status: "ok", db: "ok" });
    await page.goto(`http://127.0.0.1:${port}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.getByRole("link", { name: /Agents\s*4/ })).toBeVisible();

    // The server signs in as the app role, whose generated credentials sit beside the owner's in
    // db.json (mode 600); only the owner's connection below is not the app's.
    const creds = JSON.parse(fs.readFileSync(path.join(dataDir, "db.json"), "utf8"));
    expect(fs.statSync(path.join(dataDir, "db.json")).mode & 0o777).toBe(0o600);
    expect(creds.app.user).toBe("warden_app");
    const owner = new pg.Client({ host: "127.0.0.1", port: 54399, user: creds.user, password: creds.password, database: "warden" });
    await owner.connect();
    try {
      const users = await owner.query("select distinct usename::text as u from pg_stat_activity where datname = 'warden' and pid <> pg_backend_pid()");
      expect(users.rows.map((r) => r.u)).toEqual(["warden_app"]);
      const role = await owner.query("select rolsuper, pg_has_role('warden_app', $1, 'MEMBER') as member from pg_roles where rolname = 'warden_app'", [creds.user]);
      expect(role.rows[0]).toEqual({ rolsuper: false, member: false });
    } finally {
      await owner.end();
    }
  } finally {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* already gone */
    }
    await new Promise((r) => setTimeout(r, 3000));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
