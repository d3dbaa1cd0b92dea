/**
 * The live demo fleet, as a newcomer meets it: `npm start` (scripts/warden.mjs start) on a fresh
 * data folder of this spec's own (its own embedded Postgres and port; the shared e2e server runs
 * with WARDEN_DEMO_FLEET=off), the demo seeded, and the simulated gateways talking to the server.
 * Calls keep arriving in the explorer, and a kill switch tried in the console is applied by the
 * demo gateways within seconds, blocks the tool's calls, and is released cleanly (no escalation).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";

const ROOT = path.join(__dirname, "..");
const ADMIN = { email: "demo-admin@e2e.local", password: "demo-admin-password-e2e" };

test.describe.configure({ mode: "serial" });

let child: ChildProcess | null = null;
let dataDir = "";
let baseURL = "";
let output = "";

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-demo-e2e-"));
  // Readable by the embedded Postgres's own user when the tests run as root (as the e2e server's folder is).
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  baseURL = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WARDEN_DATA_DIR: dataDir,
    WARDEN_DB_PORT: String(await freePort()),
    PORT: String(port),
    HOST: "127.0.0.1",
    // The console's origin (signed-in changes from any other origin are refused).
    WARDEN_URL: baseURL,
    WARDEN_NO_BUILD: "1",
    WARDEN_ADMIN_EMAIL: ADMIN.email,
    WARDEN_ADMIN_PASSWORD: ADMIN.password,
    WARDEN_SECRET: "demo-e2e-secret-demo-e2e-secret-0123",
    // A livelier trickle than the default 4 a minute, so the spec need not wait long.
    WARDEN_DEMO_FLEET_CALLS_PER_MINUTE: "60",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  for (const k of ["DATABASE_URL", "WARDEN_MIGRATE_DATABASE_URL", "NEXTAUTH_URL", "WARDEN_DEMO_FLEET", "WARDEN_SEED"]) delete env[k];
  child = spawn(process.execPath, ["scripts/warden.mjs", "start"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: false });
  child.stdout!.on("data", (c) => (output += c));
  child.stderr!.on("data", (c) => (output += c));
  await expect
    .poll(
      async () => {
        if (child?.exitCode !== null) throw new Error(`npm start exited:\n${output.slice(-3000)}`);
        return (await fetch(`${baseURL}/api/health`).catch(() => null))?.status ?? 0;
      },
      { timeout: 200_000, intervals: [500] },
    )
    .toBe(200);
  expect(output).toContain("demo fleet seeded");
});

test.afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    // The server (and the simulator in it) stops on SIGTERM within its shutdown deadline.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  // The secrets the demo gateways sign with never reach the server's output.
  expect(output).not.toMatch(/whsec_/);
});

async function signIn(page: Page) {
  await page.goto(`${baseURL}/login`);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`^${baseURL}/$`));
}

type Call = { id: string; occurredAt: string; agentName: string; toolName: string; decision: string; blockReason: string | null };
const callsSince = async (page: Page, since: number, tool?: string): Promise<Call[]> => {
  const res = await page.request.get(`${baseURL}/api/v1/tool-calls?range=1h&pageSize=100${tool ? `&tool=${tool}` : ""}`);
  expect(res.status()).toBe(200);
  return ((await res.json()).data as Call[]).filter((c) => Date.parse(c.occurredAt) > since);
};

test("the demo fleet is alive: new calls arrive in the explorer while you watch", async ({ page }) => {
  await signIn(page);
  // The demo gateways report in: both seen within the last minute.
  await page.goto(`${baseURL}/gateways`);
  await expect(page.getByText("prod-gateway-eu").first()).toBeVisible();
  await page.goto(`${baseURL}/tool-calls?range=1h`);
  const table = page.getByRole("table", { name: /Tool calls/ });
  const firstRow = table.locator("tbody tr").first();
  await expect(firstRow).toBeVisible();
  const before = await firstRow.innerText();
  const t0 = Date.now();
  // Within a poll: the newest row changes (a live tail shows it without the reload).
  await expect
    .poll(
      async () => {
        await page.reload();
        return firstRow.innerText();
      },
      { timeout: 60_000, intervals: [3_000] },
    )
    .not.toBe(before);
  // … because calls made since arrived.
  await expect.poll(async () => (await callsSince(page, t0 - 1_000)).length, { timeout: 30_000 }).toBeGreaterThan(0);
  const fresh = await callsSince(page, t0 - 1_000);
  // Allowed and blocked by the real policy: every blocked call says why.
  for (const c of fresh) if (c.decision === "blocked") expect(c.blockReason).toMatch(/^Warden: /);
});

test("a kill switch tried in the console is applied within seconds, blocks the tool, and is released cleanly", async ({ page }) => {
  await signIn(page);
  await page.goto(`${baseURL}/containment`);
  // The form answers (hydrated) before it is filled in.
  await page.getByRole("button", { name: "Review blast radius" }).click();
  await expect(page.getByText("Choose what to contain.")).toBeVisible();
  await page.getByLabel("Scope").selectOption("tool");
  await page.getByLabel("Target").selectOption("web_search");
  await page.getByLabel(/^Reason/).fill("trying the kill switch on the demo fleet");
  await page.getByRole("button", { name: "Review blast radius" }).click();
  const card = page.getByRole("region", { name: "Blast radius" });
  await card.getByLabel('Type "web_search" to confirm').fill("web_search");
  const clicked = Date.now();
  await card.getByRole("button", { name: "Contain now" }).click();
  await expect(page).toHaveURL(/\/containment\/[0-9a-f-]{36}$/);

  const applies = page.locator('[data-testid$="-apply"]');
  await expect(applies.first()).toBeVisible();
  const gateways = await applies.count();
  expect(gateways).toBeGreaterThan(0);
  for (let i = 0; i < gateways; i++) await expect(applies.nth(i)).toHaveText("applied", { timeout: 10_000 });
  const appliedMs = Date.now() - clicked;
  console.log(`demo fleet: kill switch applied on ${gateways} gateway(s) ${appliedMs} ms after "Contain now" (page refreshes every 2 s)`);
  expect(appliedMs).toBeLessThan(10_000);

  // The demo agents' web_search calls are now blocked by the gateways themselves.
  const after = Date.now();
  await expect.poll(async () => (await callsSince(page, after, "web_search")).map((c) => c.decision), { timeout: 45_000, intervals: [1_000] }).toContain("blocked");
  expect((await callsSince(page, after + 1_000, "web_search")).every((c) => c.decision === "blocked" && /denied/.test(c.blockReason ?? ""))).toBe(true);

  await page.getByRole("button", { name: "Release" }).click();
  await page.getByLabel("Reason (recorded in the audit trail)").fill("done trying the kill switch");
  const releasing = Date.now();
  await page.getByRole("button", { name: "Release on every gateway" }).click();
  const releases = page.locator('[data-testid$="-release"]');
  await expect(releases.first()).toBeVisible();
  for (let i = 0; i < (await releases.count()); i++) await expect(releases.nth(i)).toHaveText("applied", { timeout: 10_000 });
  console.log(`demo fleet: release applied ${Date.now() - releasing} ms after "Release on every gateway"`);
  // Released cleanly: no escalation, and web_search runs again.
  await expect(page.getByRole("alert").filter({ hasText: "Escalated" })).toHaveCount(0);
  const released = Date.now() + 1_000;
  await expect.poll(async () => (await callsSince(page, released, "web_search")).map((c) => c.decision), { timeout: 45_000, intervals: [1_000] }).toContain("allowed");
});
