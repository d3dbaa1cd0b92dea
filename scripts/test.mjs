#!/usr/bin/env node
// `npm test`: formatting (Prettier), typecheck, lint, unit + integration tests on a real throwaway Postgres, a
// production build, and Playwright end-to-end tests in Debian's Chromium. Ends with one line
// "tests: N passed, M failed". The unit tests' Node-sensitive part, the CLI and the benchmark's
// server also run on Node 24 (scripts/node24.mjs); `node scripts/test.mjs node24` runs the whole
// Vitest suite there.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execSync } from "node:child_process";
import { ROOT, bin, run } from "./lib/runtime.mjs";
import { NODE24, setupOpenClaw } from "./setup-openclaw.mjs";
import { NODE24_UNIT_FILES, node24Env } from "./node24.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const only = process.argv[2]; // optional: "unit", "e2e" or "node24"
const REPORTS = path.join(ROOT, ".reports");
const timings = [];

function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (os.userInfo().uid !== 0) {
    console.error(`Chromium not found at ${CHROMIUM}: install it with 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH) and run npm test again.`);
    process.exit(1);
  }
  console.log("[test] installing Debian's chromium (root, one time) …");
  execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null", { stdio: "inherit" });
}

async function step(name, cmd, args, env = {}) {
  const t = Date.now();
  console.log(`\n[test] ── ${name} ──`);
  const res = await run(cmd, args, { env: { ...process.env, ...env } });
  timings.push([name, ((Date.now() - t) / 1000).toFixed(1), res.code === 0 ? "ok" : "FAILED"]);
  return res.code === 0;
}

/** A JSON report of this run, or null when there is none (the step did not get that far). */
function report(file) {
  try {
    return JSON.parse(fs.readFileSync(path.join(REPORTS, file), "utf8"));
  } catch {
    return null;
  }
}

function count(file, kind) {
  const j = report(file);
  if (!j) return { passed: 0, failed: 0 };
  if (kind === "vitest") return { passed: j.numPassedTests ?? 0, failed: j.numFailedTests ?? 0 };
  const s = j.stats ?? {};
  return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0) };
}

/** "file › title: first error line" for each failed test of both reports, so CI's tail names them. */
function failures() {
  const out = [];
  for (const [file, label] of [
    ["unit.json", ""],
    ["unit-node24.json", "[Node 24] "],
  ]) {
    for (const f of report(file)?.testResults ?? []) {
      for (const t of f.assertionResults ?? []) {
        if (t.status === "failed") out.push(`${label}${path.relative(ROOT, f.name)} › ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
      }
      if (f.status === "failed" && !(f.assertionResults ?? []).some((t) => t.status === "failed")) out.push(`${label}${path.relative(ROOT, f.name)}: ${firstLine(f.message)}`);
    }
  }
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status === "unexpected" || t.status === "flaky") {
          const err = (t.results ?? []).map((r) => r.error?.message).find(Boolean);
          out.push(`${file ?? suite.file} › ${spec.title}: ${firstLine(err)}`);
        }
      }
    }
    for (const s of suite.suites ?? []) walk(s, file ?? suite.file);
  };
  for (const s of report("e2e.json")?.suites ?? []) walk(s, s.file);
  return out;
}

function firstLine(msg) {
  const clean = String(msg ?? "")
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return clean.slice(0, 3).join(" | ").slice(0, 400);
}

/** The vitest JSON report says the run succeeded (no failed test and no failed file). */
function vitestReportOk(file = "unit.json") {
  const j = report(file);
  return j?.success === true && (j.numFailedTestSuites ?? 0) === 0 && (j.numFailedTests ?? 0) === 0;
}

async function main() {
  // Fresh reports each run, so the summary counts only this run.
  fs.rmSync(REPORTS, { recursive: true, force: true });
  fs.mkdirSync(REPORTS, { recursive: true });
  let ok = true;
  const placeholderDb = { DATABASE_URL: process.env.DATABASE_URL || "postgresql://build:build@127.0.0.1:1/build" };
  if (!only) {
    // First: seconds, and a formatting slip should not wait for the suite to be reported.
    const formatted = await step("format (Prettier)", bin("prettier"), ["--check", "--log-level", "warn", "."]);
    if (!formatted) console.error("[test] Some files are not formatted (listed above): run `npm run format` and commit the result.");
    ok = formatted && ok;
    ok = (await step("typecheck", bin("tsc"), ["--noEmit"])) && ok;
    ok = (await step("lint", bin("eslint"), [".", "--max-warnings=0"])) && ok;
  }
  if (!only || only === "unit") {
    const passed = await step("unit + integration (vitest, real Postgres)", bin("vitest"), ["run", "--reporter=default", "--reporter=json", "--outputFile=.reports/unit.json"]);
    // Vitest can exit 0 while its report says a file failed (a hook timing out after every test
    // of the file passed): the report decides too.
    const reportOk = vitestReportOk();
    if (passed && !reportOk) timings[timings.length - 1][2] = "FAILED";
    ok = passed && reportOk && ok;
  }
  // Node 24 is installed with the OpenClaw test gateway (pinned, outside the app's dependencies).
  let openclaw = null;
  const installOpenClaw = async () => {
    if (openclaw) return openclaw;
    const t = Date.now();
    openclaw = await setupOpenClaw();
    timings.push(["OpenClaw test gateway and Node 24 install", ((Date.now() - t) / 1000).toFixed(1), "ok"]);
    return openclaw;
  };
  if (!only || only === "unit" || only === "node24") {
    await installOpenClaw();
    const files = only === "node24" ? [] : NODE24_UNIT_FILES;
    const name = only === "node24" ? "unit + integration on Node 24 (all)" : `unit + integration on Node 24 (${files.length} platform-sensitive files)`;
    const vitestJs = path.join(ROOT, "node_modules", "vitest", "vitest.mjs");
    const passed = await step(name, NODE24, [vitestJs, "run", ...files, "--reporter=default", "--reporter=json", "--outputFile=.reports/unit-node24.json"], node24Env());
    const reportOk = vitestReportOk("unit-node24.json");
    if (passed && !reportOk) timings[timings.length - 1][2] = "FAILED";
    ok = passed && reportOk && ok;
  }
  if (!only || only === "e2e") {
    ensureChromium();
    const built = await step("production build", bin("next"), ["build"], { ...placeholderDb, NEXT_TELEMETRY_DISABLED: "1" });
    ok = built && ok;
    // A real OpenClaw gateway for e2e/openclaw.spec.ts (Node 24 + openclaw, pinned, outside the app).
    await installOpenClaw();
    if (built) ok = (await step("end-to-end (Playwright, Chromium, real OpenClaw)", bin("playwright"), ["test"], { CHROMIUM_PATH: CHROMIUM, ...openclaw })) && ok;
    // Keeps the benchmark working (tiny size); it never fails on machine-dependent timings.
    // On Node 24: the bench and its production server (`next start`) run there.
    if (built)
      ok =
        (await step(
          "benchmark smoke on Node 24 (npm run bench -- --smoke)",
          bin("tsx"),
          ["--conditions=react-server", "bench/run.ts", "--smoke", "--out", ".reports/bench-smoke.json"],
          node24Env(),
        )) && ok;
  }
  const unit = count("unit.json", "vitest");
  const unit24 = count("unit-node24.json", "vitest");
  const e2e = count("e2e.json", "playwright");
  console.log("\n[test] summary");
  for (const [name, secs, state] of timings) console.log(`  ${state.padEnd(6)} ${name} (${secs} s)`);
  console.log(`  unit/integration: ${unit.passed} passed, ${unit.failed} failed; on Node 24: ${unit24.passed} passed, ${unit24.failed} failed; e2e: ${e2e.passed} passed, ${e2e.failed} failed`);
  for (const f of failures()) console.log(`  failed: ${f}`);
  const failedSteps = timings.filter((t) => t[2] !== "ok").length;
  const passed = unit.passed + unit24.passed + e2e.passed;
  const failed = unit.failed + unit24.failed + e2e.failed;
  console.log(`tests: ${passed} passed, ${failed + (failed === 0 ? failedSteps : 0)} failed`);
  process.exit(ok ? 0 : 1);
}

main();
