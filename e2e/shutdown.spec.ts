/**
 * Graceful shutdown of a production server (lib/shutdown.ts). A second Warden server on the e2e
 * database has a gateway long-polling on a keep-alive connection and a client connected without a
 * request; SIGTERM must end the poll at once (Connection: close), close the silent connection, and
 * the process must exit on its own. Before, Node kept that connection open
 * and served the gateway's next poll on it, and the process ran until it was killed.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { signedHeaders } from "../lib/connector/signature";
import { expect, test } from "./fixtures";
import { registerSimGateway } from "./sim-gateway";

const ROOT = path.join(__dirname, "..");

type Answer = { status: number; connection: string | undefined; body: string; at: number };

function get(port: number, agent: http.Agent, pathname: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: pathname, agent, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, at: Date.now() }));
      })
      .on("error", reject);
  });
}

test("SIGTERM: a parked long-poll answers at once with Connection: close, and the server exits on its own", async ({ baseURL }) => {
  test.setTimeout(120_000);
  const gw = await registerSimGateway(baseURL!);
  const { appDatabaseUrl, secret } = JSON.parse(fs.readFileSync(path.join(ROOT, ".warden-e2e", "e2e.json"), "utf8")) as { appDatabaseUrl: string; secret: string };
  // runtime.mjs is plain ESM: imported at run time (Playwright's transform would turn it into CommonJS).
  const { anyFreePort, nextStart } = (await import(path.join(ROOT, "scripts", "lib", "runtime.mjs"))) as typeof import("../scripts/lib/runtime.mjs");
  const port = await anyFreePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-shutdown-"));
  const env = {
    ...process.env,
    DATABASE_URL: appDatabaseUrl,
    WARDEN_SECRET: secret,
    NEXTAUTH_SECRET: secret,
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXT_TELEMETRY_DISABLED: "1",
    WARDEN_SCHEDULER: "off",
    // Its own data folder: its start-up must not touch the main e2e server's evidence exports.
    WARDEN_DATA_DIR: dataDir,
    // A long deadline, so exiting early proves the graceful path, not the deadline's forced close.
    WARDEN_SHUTDOWN_TIMEOUT_SECONDS: "40",
  };
  // Started exactly as production starts it (keep-alive, Node options).
  const server = nextStart(["-p", String(port), "-H", "127.0.0.1"], env);
  const child = spawn(server.command, server.args, { cwd: ROOT, env: server.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c) => (output += String(c)));
  child.stderr.on("data", (c) => (output += String(c)));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once("exit", (code) => resolve({ code, at: Date.now() })));

  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    // On failure, say what the server printed (it is started by the spec, so its output is not in the report otherwise).
    await expect
      .poll(async () => (await get(port, agent, "/api/health").catch(() => null))?.status ?? 0, { timeout: 60_000 })
      .toBe(200)
      .catch((err: Error) => {
        throw new Error(`${err.message}\n--- the second server's output ---\n${output.slice(-4000)}`);
      });

    // Park a 25 s long-poll on the same keep-alive connection. (A fleet-wide kill switch from
    // another spec may answer a poll early: then poll again.)
    const poll = () => get(port, agent, "/api/v1/connector/commands?wait=25", { ...signedHeaders(gw.secret, ""), "x-warden-gateway": gw.id });
    let parked = poll();
    let early: Answer | null = null;
    for (let i = 0; i < 5; i++) {
      early = await Promise.race([parked, new Promise<null>((r) => setTimeout(() => r(null), 1_500))]);
      if (!early) break;
      expect(early.status, early.body).toBe(200);
      parked = poll();
    }
    expect(early, "the long-poll is parked").toBeNull();

    // A connection that has not sent a request yet (Node counts it as active, not idle).
    const silent = net.connect(port, "127.0.0.1");
    const silentClosed = new Promise<void>((r) => silent.once("close", () => r()));
    silent.on("error", () => {});
    await new Promise<void>((r) => silent.once("connect", () => r()));

    const signalledAt = Date.now();
    child.kill("SIGTERM");
    const answer = await parked;
    expect(answer.status).toBe(200);
    expect(Array.isArray((JSON.parse(answer.body) as { commands: unknown[] }).commands)).toBe(true);
    expect(answer.connection).toBe("close");
    // The poll had 25 s to go; it answered as the shutdown began.
    expect(answer.at - signalledAt).toBeLessThan(10_000);

    await silentClosed;
    const { code, at } = await exited;
    // Without lib/shutdown.ts the server was still running 60 s later (65 s keep-alive); with it,
    // it exits on its own, well before the 40 s deadline would force the connections closed.
    expect(at - signalledAt).toBeLessThan(20_000);
    expect(code === 143 || code === 0, `exit code ${code}`).toBe(true);
    expect(output).toContain("warden: SIGTERM: finishing requests in flight");
    expect(output).not.toContain("shutdown deadline reached");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
