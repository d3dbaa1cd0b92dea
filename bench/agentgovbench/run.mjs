#!/usr/bin/env node
// `npm run agentgovbench -- <snapshot>`: score Warden on AgentGovBench. Starts a Warden server of its
// own (the production build in .next, `next build` first) on a fresh embedded Postgres in a temp
// folder, bootstraps it, makes API tokens for an admin, an operator and a security lead, runs the
// benchmark's own CLI from the snapshot (a checkout of github.com/agentic-control-plane/agentgovbench
// anywhere outside this project) with warden_runner.py, writes bench/agentgovbench/results/latest.json
// and the scorecard section of docs/agentgovbench.md, then stops everything it started.
//
//   options: --port N (default $AGB_PORT or 3246)  --python PATH (default python3: needs pyyaml, requests, click)
//            --category NAME  --no-docs (leave docs/agentgovbench.md alone)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import * as prettier from "prettier";
import { ROOT, bin, migrate, nextStart, resolveDatabase, run } from "../../scripts/lib/runtime.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: "string" }, python: { type: "string" }, category: { type: "string" }, limit: { type: "string" }, "no-docs": { type: "boolean", default: false } },
});
const snapshot = positionals[0] && path.resolve(positionals[0]);
if (!snapshot || !fs.existsSync(path.join(snapshot, "benchmark", "cli.py"))) {
  console.error("usage: npm run agentgovbench -- <path to an AgentGovBench checkout> [--port N] [--python PATH] [--category NAME]");
  process.exit(2);
}
if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
  console.error("No production build: run `npx next build` first.");
  process.exit(2);
}
const here = path.join(ROOT, "bench", "agentgovbench");
const port = Number(values.port ?? process.env.AGB_PORT ?? 3246);
const python = values.python ?? process.env.AGB_PYTHON ?? "python3";
const log = (m) => console.log(`[agentgovbench] ${m}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-agb-"));
fs.chmodSync(dir, 0o755); // running as root, the embedded Postgres runs as "postgres" and must reach it
delete process.env.DATABASE_URL;
delete process.env.WARDEN_MIGRATE_DATABASE_URL;
const db = await resolveDatabase({ dir, reuse: false, log: () => {} });
let server = null;
const cleanup = async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
  }
  await db.stop();
  fs.rmSync(dir, { recursive: true, force: true });
};
try {
  await migrate(db.ownerUrl, { appRole: db.appRole });
  const secret = `agb-${Math.random().toString(36).slice(2)}-${Date.now()}-secret-secret`;
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    WARDEN_SECRET: secret,
    NEXTAUTH_SECRET: secret,
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    WARDEN_ADMIN_EMAIL: "agb-admin@agentgovbench.local",
    WARDEN_ADMIN_PASSWORD: `agb-admin-${Date.now()}`,
    NEXT_TELEMETRY_DISABLED: "1",
    WARDEN_DEMO_FLEET: "off",
    WARDEN_AUDIT_CHECKPOINT_FILE: path.join(dir, "audit-checkpoints.jsonl"),
  };
  const cli = async (args) => {
    const r = await run(bin("tsx"), ["--conditions=react-server", "scripts/cli.ts", ...args], { env, quiet: true });
    if (r.code !== 0) throw new Error(`warden ${args.join(" ")}: ${r.out}`);
    return r.out;
  };
  await cli(["bootstrap"]);
  const people = { admin: env.WARDEN_ADMIN_EMAIL, operator: "agb-operator@agentgovbench.local", lead: "agb-lead@agentgovbench.local" };
  await cli(["user", "create", "--email", people.operator, "--role", "operator", "--name", "AgentGovBench operator"]);
  await cli(["user", "create", "--email", people.lead, "--role", "security_lead", "--name", "AgentGovBench security lead"]);
  const token = async (email) =>
    (await cli(["token", "create", "--email", email, "--name", "agentgovbench", "--expires", "1"]))
      .split("\n")
      .map((l) => l.trim())
      .find((l) => /^\S{20,}$/.test(l));
  const tokens = { admin: await token(people.admin), operator: await token(people.operator), lead: await token(people.lead) };

  const srv = nextStart(["-p", String(port), "-H", "127.0.0.1"], env);
  server = spawn(srv.command, srv.args, { cwd: ROOT, env: srv.env, stdio: ["ignore", fs.openSync(path.join(dir, "server.log"), "a"), fs.openSync(path.join(dir, "server.log"), "a")] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the Warden server exited: ${fs.readFileSync(path.join(dir, "server.log"), "utf8").slice(-2000)}`);
    try {
      if ((await fetch(`${url}/api/health`)).status < 500) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error("the Warden server did not answer within 90 s");
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`Warden on ${url}; running the benchmark from ${snapshot}`);

  const out = path.join(dir, "results.json");
  const args = [
    path.join(here, "agb.py"),
    snapshot,
    "run",
    "--runner",
    "warden",
    "--out",
    out,
    "-v",
    ...(values.category ? ["--category", values.category] : []),
    ...(values.limit ? ["--limit", values.limit] : []),
  ];
  const code = await new Promise((resolve) => {
    const p = spawn(python, args, {
      cwd: here,
      stdio: "inherit",
      env: {
        ...process.env,
        WARDEN_URL: url,
        WARDEN_TOKEN: tokens.admin,
        WARDEN_OPERATOR_TOKEN: tokens.operator,
        WARDEN_LEAD_TOKEN: tokens.lead,
        AGB_NODE: process.execPath,
        PYTHONDONTWRITEBYTECODE: "1",
      },
    });
    p.on("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0 || !fs.existsSync(out)) throw new Error(`the benchmark exited with ${code}`);
  const result = JSON.parse(fs.readFileSync(out, "utf8"));
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["-C", snapshot, "log", "-1", "--format=%H %cs"], { encoding: "utf8" }).trim();
  } catch {
    // a snapshot without git metadata
  }
  const scorecard = {
    date: new Date().toISOString(),
    snapshot: commit,
    wardenCommit: execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim(),
    score: `${result.aggregate.total_passed}/${result.aggregate.total_scenarios}`,
    byCategory: result.aggregate.by_category,
    results: result.results.map((r) => ({
      id: r.scenario_id,
      category: r.category,
      passed: r.passed,
      failed: r.assertions.filter((a) => !a.passed).map((a) => ({ kind: a.kind, params: a.params, note: a.note, observed: a.observed })),
    })),
    runner: result.runner,
  };
  fs.mkdirSync(path.join(here, "results"), { recursive: true });
  fs.writeFileSync(path.join(here, "results", "latest.json"), await formatted(path.join(here, "results", "latest.json"), JSON.stringify(scorecard, null, 2) + "\n"));
  log(`score ${scorecard.score}; wrote bench/agentgovbench/results/latest.json`);
  if (!values["no-docs"] && !values.category && !values.limit) await writeDocs(scorecard);
} catch (err) {
  console.error(err?.stack ?? err);
  process.exitCode = 1;
} finally {
  if (process.env.AGB_KEEP_LOG) fs.copyFileSync(path.join(dir, "server.log"), process.env.AGB_KEEP_LOG);
  await cleanup();
}

/** The generated scorecard between the markers of docs/agentgovbench.md (the rest of the page is written by hand). */
/** Text as the project's Prettier config writes it (npm test checks the tree is formatted). */
async function formatted(file, text) {
  return prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
}

async function writeDocs(s) {
  const file = path.join(ROOT, "docs", "agentgovbench.md");
  const begin = "<!-- scorecard:begin (bench/agentgovbench/run.mjs writes this part) -->";
  const end = "<!-- scorecard:end -->";
  const rows = s.byCategory.map((c) => `| ${c.category} | ${c.passed}/${c.total} |`).join("\n");
  const failing = s.results.filter((r) => !r.passed);
  const fails = failing.length ? failing.map((r) => `- \`${r.id}\`: ${r.failed.map((a) => `${a.kind} ${JSON.stringify(a.params)}: ${a.note}`).join("; ")}`).join("\n") : "None.";
  const block = `${begin}\n**Score: ${s.score}** (measured ${s.date.slice(0, 16).replace("T", " ")} UTC, Warden ${s.wardenCommit}, AgentGovBench snapshot ${s.snapshot}).\n\n| Category | Passed |\n| --- | --- |\n${rows}\n| **total** | **${s.score}** |\n\nFailing scenarios (the harness's own notes):\n\n${fails}\n${end}`;
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : `# AgentGovBench\n\n${begin}\n${end}\n`;
  const next = text.includes(begin) ? text.replace(new RegExp(`${begin.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[\\s\\S]*?${end}`), () => block) : `${text}\n${block}\n`;
  fs.writeFileSync(file, await formatted(file, next));
  log("updated docs/agentgovbench.md");
}
