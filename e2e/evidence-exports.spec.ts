/**
 * Evidence exports in a real browser and across a real server restart. The console flow: an
 * auditor starts an export, watches it finish and downloads a bundle that verifies. SIGTERM: a
 * second Warden server (a "replica" on the e2e database) receives SIGTERM in the middle of an
 * export; it hands the export back at once, and after its restart the export completes and
 * downloads from it. The archive is in the database, so which replica finishes it does not matter.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { verifyEvidenceBundle, formatReport } from "../lib/evidence/verify";
import { expect, makeToken, makeUser, rid, signIn, sql, test } from "./fixtures";
import { registerSimGateway } from "./sim-gateway";

const ROOT = path.join(__dirname, "..");

/** A gateway of its own (registered through the API) with five tool calls in the last hour: a small, private window. */
async function gatewayWithCalls(baseURL: string): Promise<{ id: string; name: string }> {
  const { id, name } = await registerSimGateway(baseURL, `evidence-gw-${rid()}`);
  await sql().query(
    `insert into tool_calls (occurred_at, gateway_id, event_id, agent_name, tool_name, decision, egress_hosts)
     select now() - (i * interval '1 minute'), $1::uuid, 'ev-' || $2 || '-' || i, 'a', 'web_fetch', 'allowed', '{}' from generate_series(1, 5) as i`,
    [id, rid()],
  );
  return { id, name };
}

test("console: an auditor exports evidence, sees it finish, and the downloaded bundle verifies", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const auditor = await makeUser("auditor");
  const gw = await gatewayWithCalls(baseURL!);
  await signIn(page, auditor);
  await page.goto("/audit/evidence");
  await expect(page.getByRole("heading", { name: "Evidence exports" })).toBeVisible();
  await page.getByRole("group", { name: "Gateways" }).getByLabel(gw.name).check();
  await page.getByRole("button", { name: "Export signed evidence" }).click();
  await expect(page.getByText("Export started.")).toBeVisible();

  // Its row (other specs export too): by this auditor, built by whichever replica claimed it.
  const row = page.getByRole("row").filter({ hasText: auditor.email });
  await expect(row.getByRole("link", { name: "Download" })).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "Download" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^warden-evidence_.*\.tar\.gz$/);
  const file = path.join(os.tmpdir(), `e2e-evidence-${rid()}.tar.gz`);
  await download.saveAs(file);
  try {
    const key = await (await fetch(`${baseURL}/api/v1/evidence/public-key?format=pem`)).text();
    const report = await verifyEvidenceBundle(file, { publicKeyPem: key });
    expect(report, formatReport(report)).toMatchObject({ ok: true, signature: "ok" });
    expect((report.manifest?.filters as { gatewayIds: string[] }).gatewayIds).toEqual([gw.id]);
    const { rows } = await sql().query("select state::text, attempts, size_bytes::int as size from evidence_exports where id = $1", [report.manifest!.exportId]);
    expect(rows[0]).toMatchObject({ state: "done", attempts: 1, size: fs.statSync(file).size });
    const audited = await sql().query("select count(*)::int as n from audit_events where action = 'evidence.download' and target_id = $1 and actor_label = $2", [
      report.manifest!.exportId,
      auditor.email,
    ]);
    expect(audited.rows[0].n).toBe(1);
  } finally {
    fs.rmSync(file, { force: true });
  }
});

test("SIGTERM during an export: the replica hands it back at once; after the restart it completes and downloads", async ({ baseURL }) => {
  test.setTimeout(240_000);
  const auditor = await makeUser("auditor");
  const token = await makeToken(auditor);
  const gw = await gatewayWithCalls(baseURL!);
  const { appDatabaseUrl, secret } = JSON.parse(fs.readFileSync(path.join(ROOT, ".warden-e2e", "e2e.json"), "utf8")) as { appDatabaseUrl: string; secret: string };
  const { anyFreePort, nextStart } = (await import(path.join(ROOT, "scripts", "lib", "runtime.mjs"))) as typeof import("../scripts/lib/runtime.mjs");
  const port = await anyFreePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-export-sigterm-"));
  const replica = `sigterm-replica-${rid()}`;
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: appDatabaseUrl,
    WARDEN_SECRET: secret,
    NEXTAUTH_SECRET: secret,
    NEXTAUTH_URL: base,
    NEXT_TELEMETRY_DISABLED: "1",
    WARDEN_SCHEDULER: "off",
    WARDEN_DATA_DIR: dataDir,
    WARDEN_REPLICA_ID: replica,
    // The same checkpoint file as the main e2e server (replicas share their configuration).
    WARDEN_AUDIT_CHECKPOINT_FILE: path.join(ROOT, ".warden-e2e", "audit-checkpoints.jsonl"),
    // Each build step waits 2 s, so the signal lands mid-export.
    WARDEN_EXPORT_STEP_DELAY_MS: "2000",
    WARDEN_SHUTDOWN_TIMEOUT_SECONDS: "20",
  };
  let output = "";
  const start = (): { child: ChildProcess; exited: Promise<number | null> } => {
    const server = nextStart(["-p", String(port), "-H", "127.0.0.1"], env);
    const child = spawn(server.command, server.args, { cwd: ROOT, env: server.env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (c) => (output += String(c)));
    child.stderr!.on("data", (c) => (output += String(c)));
    return { child, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
  };
  const healthy = () =>
    expect
      .poll(async () => (await fetch(`${base}/api/health`).catch(() => null))?.status ?? 0, { timeout: 90_000 })
      .toBe(200)
      .catch((err: Error) => {
        throw new Error(`${err.message}\n--- the replica's output ---\n${output.slice(-4000)}`);
      });
  const api = (p: string, init: RequestInit = {}) => fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers } });
  const exportRow = async (id: string) =>
    (await sql().query("select state::text, step, lease_owner, attempts from evidence_exports where id = $1", [id])).rows[0] as {
      state: string;
      step: string;
      lease_owner: string | null;
      attempts: number;
    };

  const first = start();
  let second: ReturnType<typeof start> | null = null;
  try {
    await healthy();
    const res = await api("/api/v1/evidence/exports", {
      method: "POST",
      body: JSON.stringify({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(), gatewayIds: [gw.id] }),
    });
    expect(res.status).toBe(202);
    const { data } = (await res.json()) as { data: { id: string } };
    // Claimed by this replica (its post-commit kick) and past its first step: mid-export.
    await expect
      .poll(
        async () => {
          const r = await exportRow(data.id);
          return r.lease_owner === replica && r.state === "running" && !["queued", "counting"].includes(r.step);
        },
        { timeout: 60_000 },
      )
      .toBe(true);

    const signalledAt = Date.now();
    first.child.kill("SIGTERM");
    // Handed back at once: queued again, this attempt not counted (or, if another replica was
    // quicker, already claimed by it). Without the hand-back it would stay this replica's until its lease ran out.
    await expect
      .poll(async () => (await exportRow(data.id)).lease_owner === replica, { timeout: 5_000, intervals: [100] })
      .toBe(false)
      .catch(async (err: Error) => {
        await Promise.race([first.exited, new Promise((r) => setTimeout(r, 10_000))]);
        throw new Error(`${err.message}\n--- the replica's output ---\n${output.slice(-4000)}`);
      });
    const code = await first.exited;
    expect(code === 143 || code === 0, `exit code ${code}`).toBe(true);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(output).toContain("handed 1 evidence export(s) back to the queue");
    const afterStop = await exportRow(data.id);
    expect(afterStop.state === "queued" || afterStop.lease_owner !== replica).toBe(true);

    // Restarted (no slowdown this time): the export completes — built by this replica or by the
    // main e2e server, whichever claimed it first — and downloads from the restarted one.
    env.WARDEN_EXPORT_STEP_DELAY_MS = "0";
    second = start();
    await healthy();
    await expect.poll(async () => (await (await api(`/api/v1/evidence/exports/${data.id}`)).json()).data?.state, { timeout: 60_000 }).toBe("done");
    const status = (await (await api(`/api/v1/evidence/exports/${data.id}`)).json()).data;
    expect(status).toMatchObject({ state: "done", attempts: 1, error: null });
    const dl = await api(`/api/v1/evidence/exports/${data.id}/download`);
    expect(dl.status).toBe(200);
    const file = path.join(dataDir, "bundle.tar.gz");
    fs.writeFileSync(file, Buffer.from(await dl.arrayBuffer()));
    const key = await (await fetch(`${base}/api/v1/evidence/public-key?format=pem`)).text();
    const report = await verifyEvidenceBundle(file, { publicKeyPem: key });
    expect(report, formatReport(report)).toMatchObject({ ok: true, signature: "ok" });
    expect(report.manifest?.exportId).toBe(data.id);
    // One successful export event: the interrupted attempt recorded nothing.
    const audited = await sql().query("select outcome::text, count(*)::int as n from audit_events where action = 'evidence.export' and target_id = $1 group by 1", [data.id]);
    expect(audited.rows).toEqual([{ outcome: "success", n: 1 }]);
  } finally {
    for (const p of [first, second]) if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
