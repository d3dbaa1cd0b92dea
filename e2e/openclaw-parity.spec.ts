/**
 * Parity with OpenClaw's defaults (issue 17 §5), on a real OpenClaw gateway with the Warden plugin
 * and NO `tools.toolSearch` setting: catalog tools are then called through Tool Search's
 * `tool_call` wrapper. A fake OpenAI-compatible model asks for exactly the calls each turn names;
 * the tools (e2e/openclaw-sidefx) append to files, so "ran" and "did not run" are real effects.
 *  - an approved tool through the wrapper runs and is stored once (as that tool, allowed);
 *  - an unapproved tool through the wrapper, and a hostile nested wrapper, do not run and are stored once, blocked;
 *  - calls failing OpenClaw's argument validation are stored as not run, with the policy's decision;
 *  - slow calls with a 1-second flush (decision and result travel apart) give exactly one row per call.
 */
import { execFile, type ChildProcess } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request as pwRequest } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { expect, makeToken, makeUser, rid, signIn, sql, test } from "./fixtures";
import { NODE24, OPENCLAW_BIN, gatewayEnv, pluginHash, sseChunk, stopProcess, type GatewayEnv, startGateway } from "./openclaw-gateway";
import { acquireGatewayLock } from "./gateway-lock";

const ROOT = path.join(__dirname, "..");
const PORT = 19260 + Math.floor(Math.random() * 8);
const FAKE_PORT = 19280 + Math.floor(Math.random() * 8);

test.describe.configure({ mode: "serial" });

type Call = { name: string; arguments: Record<string, unknown> };
let gw: ChildProcess | null = null;
let fakeModel: http.Server | null = null;
let tmp = "";
let log = "";

/** The fake model: a prompt "DO:<base64 JSON list of calls>END" asks for those calls, then it answers "done". */
function startFakeModel() {
  fakeModel = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = raw ? JSON.parse(raw) : {};
      const msgs: { role: string }[] = body.messages ?? [];
      const DO = /DO:([A-Za-z0-9+/=]+)END/;
      const idx = msgs.map((m) => m.role === "user" && DO.test(JSON.stringify(m))).lastIndexOf(true);
      const calls: Call[] = idx >= 0 ? JSON.parse(Buffer.from(DO.exec(JSON.stringify(msgs[idx]))![1], "base64").toString()) : [];
      const afterTool = msgs.slice(idx + 1).some((m) => m.role === "tool");
      const done = afterTool || !calls.length;
      const delta = done
        ? { role: "assistant", content: "done" }
        : { role: "assistant", tool_calls: calls.map((c, i) => ({ index: i, id: `call_${rid()}${rid()}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) };
      const chunk = sseChunk;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk(delta, null));
      res.write(chunk({}, done ? "stop" : "tool_calls"));
      res.end("data: [DONE]\n\n");
    });
  });
  return new Promise<void>((r) => fakeModel!.listen(FAKE_PORT, "127.0.0.1", () => r()));
}

function envOf(token: string): GatewayEnv {
  return gatewayEnv(tmp, token);
}

let env: ReturnType<typeof envOf>;
/** One real agent turn in which the model makes exactly these tool calls. */
async function turn(calls: Call[]) {
  const prompt = `DO:${Buffer.from(JSON.stringify(calls)).toString("base64")}END`;
  const r = await promisify(execFile)(NODE24, [OPENCLAW_BIN, "agent", "--agent", "main", "-m", prompt, "--json"], { env, timeout: 180_000 }).catch((e) => e as { stdout: string });
  return String(r.stdout);
}
const wrapped = (id: string, args: Record<string, unknown>): Call => ({ name: "tool_call", arguments: { id, args } });
const lines = (name: string) =>
  fs.existsSync(path.join(tmp, "fx", `${name}.txt`))
    ? fs
        .readFileSync(path.join(tmp, "fx", `${name}.txt`), "utf8")
        .split("\n")
        .filter(Boolean)
    : [];

type Row = { event_id: string; tool_name: string; decision: string; policy_decision: string | null; block_reason: string | null; text: string | null; result: unknown; error: string | null };
let gatewayId = "";
/** Warden's rows of this gateway whose params carry this marker text. */
async function rowsFor(marker: string): Promise<Row[]> {
  const { rows } = await sql().query<Row>(
    `select event_id, tool_name, decision::text, policy_decision::text, block_reason, params->>'text' as text, result, error
       from tool_calls where gateway_id = $1 and (params->>'text' like $2 or params::text like $3) order by occurred_at, event_id`,
    [gatewayId, `${marker}%`, `%${marker}%`],
  );
  return rows;
}

// One real gateway at a time across workers (e2e/gateway-lock.ts).
let releaseGatewayLock: (() => void) | null = null;
test.beforeAll(async () => {
  test.setTimeout(900_000);
  releaseGatewayLock = await acquireGatewayLock();
});

test.afterAll(async () => {
  await stopProcess(gw);
  fakeModel?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  releaseGatewayLock?.();
});

test("with OpenClaw's default Tool Search, Warden decides on the wrapped tool and stores each call once", async ({ baseURL, page }) => {
  test.setTimeout(420_000);
  expect(fs.existsSync(OPENCLAW_BIN), "OpenClaw is not installed: run node scripts/setup-openclaw.mjs (npm test does)").toBe(true);
  const admin = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("admin"))}` } });
  const lead = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("security_lead"))}` } });
  const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });

  const token = randomBytes(24).toString("hex");
  const reg = await (await admin.post("/api/v1/gateways", { data: { name: `oc-parity-${rid()}`, kind: "openclaw", environment: "ci" } })).json();
  gatewayId = reg.data.gateway.id;
  const signingSecret: string = reg.data.signingSecret;
  const agentRes = await admin.post("/api/v1/agents", { data: { name: `main-${rid()}`, owner: "ci", purpose: "OpenClaw parity e2e", gatewayId } });
  expect(agentRes.status()).toBe(201);
  const agent = (await agentRes.json()).data;
  await sql().query("update agents set external_id = 'main' where id = $1", [agent.id]);
  // fx_write is approved for the agent; fx_other and tool_call itself are not.
  const req = await operator.post("/api/v1/tool-requests", {
    data: {
      tool: { name: "fx_write", kind: "tool", source: "internal", publisher: "Warden e2e" },
      version: "0.0.1",
      contentHash: await pluginHash(path.join(ROOT, "e2e", "openclaw-sidefx")),
      permissions: {},
      justification: "Needed by the parity e2e agent",
      agentIds: [agent.id],
    },
  });
  expect(req.status(), await req.text()).toBe(201);
  const decision = await lead.post(`/api/v1/tool-requests/${(await req.json()).data.id}/decision`, {
    data: {
      outcome: "approve",
      reason: "Test tool writing a file",
      checklist: { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "none", permissionsNarrowed: true, credEgressFlagged: false },
    },
  });
  expect(decision.status(), await decision.text()).toBe(201);

  await startFakeModel();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-oc-parity-"));
  env = envOf(token);
  for (const d of [env.OPENCLAW_HOME, env.OPENCLAW_STATE_DIR, path.join(tmp, "fx")]) fs.mkdirSync(d, { recursive: true });
  // OpenClaw's defaults: no `tools` section at all (Tool Search on).
  fs.writeFileSync(
    env.OPENCLAW_CONFIG_PATH,
    JSON.stringify(
      {
        gateway: { mode: "local", bind: "loopback", port: PORT, auth: { mode: "token" } },
        logging: { file: path.join(tmp, "openclaw.log") },
        update: { checkOnStart: false },
        agents: { defaults: { model: { primary: "fake/fake-model" } } },
        models: {
          mode: "merge",
          providers: {
            fake: {
              baseUrl: `http://127.0.0.1:${FAKE_PORT}/v1`,
              apiKey: "sk-fake-local",
              api: "openai-completions",
              models: [{ id: "fake-model", name: "Fake", reasoning: false, input: ["text"], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128000, maxTokens: 4096 }],
            },
          },
        },
        plugins: {
          load: { paths: [path.join(ROOT, "connectors", "openclaw"), path.join(ROOT, "e2e", "openclaw-sidefx")] },
          entries: {
            warden: {
              enabled: true,
              hooks: { allowConversationAccess: true },
              config: { wardenUrl: baseURL, gatewayId, signingSecret, pollSeconds: 5, flushSeconds: 1, inventorySeconds: 3600, securityAudit: false },
            },
            sidefx: { enabled: true, config: { dir: path.join(tmp, "fx") } },
          },
        },
      },
      null,
      2,
    ),
  );
  expect(JSON.parse(fs.readFileSync(env.OPENCLAW_CONFIG_PATH, "utf8")).tools).toBeUndefined();
  gw = await startGateway({ port: PORT, env: env, onOutput: (b) => (log += b), log: () => log, readyMs: 90_000, policyMs: 30_000 });

  // 1. Approved tool through the wrapper (both id forms): it runs; one row each, as fx_write, allowed.
  const m = `ok-${rid()}`;
  await turn([wrapped("fx_write", { text: `${m}-a` }), wrapped("openclaw:sidefx:fx_write", { text: `${m}-b` })]);
  expect(
    lines("fx_write")
      .filter((l) => l.startsWith(m))
      .sort(),
  ).toEqual([`${m}-a`, `${m}-b`]);
  await expect
    .poll(async () => (await rowsFor(m)).map((r) => `${r.text}:${r.tool_name}:${r.decision}:${r.result !== null}`).sort(), { timeout: 30_000 })
    .toEqual([`${m}-a:fx_write:allowed:true`, `${m}-b:fx_write:allowed:true`]);

  // 2. Unapproved tool through the wrapper, and a hostile nested wrapper naming the approved tool:
  //    nothing written; one row each, blocked.
  const b = `no-${rid()}`;
  await turn([wrapped("fx_other", { text: `${b}-other` }), { name: "tool_call", arguments: { id: "tool_call", args: { id: "fx_write", args: { text: `${b}-nested` } } } }]);
  expect(lines("fx_other")).toEqual([]);
  expect(lines("fx_write").filter((l) => l.startsWith(b))).toEqual([]);
  await expect.poll(async () => (await rowsFor(b)).map((r) => `${r.tool_name}:${r.decision}`).sort(), { timeout: 30_000 }).toEqual(["fx_other:blocked", "tool_call:blocked"]);
  const other = (await rowsFor(b)).find((r) => r.tool_name === "fx_other")!;
  expect(other.block_reason).toContain("not approved");

  // 3. Failing OpenClaw's argument validation: the wrapped approved tool with a wrong type, and a
  //    direct unapproved tool with no arguments at all (only after_tool_call fires): not run.
  const v = `bad-${rid()}`;
  await turn([wrapped("fx_write", { text: 42, delayMs: `${v}` }), { name: "exec", arguments: { marker: v } }]);
  expect(lines("fx_write").filter((l) => l.includes(v))).toEqual([]);
  await expect
    .poll(async () => (await rowsFor(v)).map((r) => `${r.tool_name}:${r.decision}:${r.policy_decision}`).sort(), { timeout: 30_000, message: `log:\n${log.slice(-1500)}` })
    .toEqual(["exec:not_run:blocked", "fx_write:not_run:allowed"]);
  for (const r of await rowsFor(v)) expect(r.error).toMatch(/Invalid arguments|Validation failed/);

  // 4. Slow calls, 1-second flushes: the decision is sent before the result; still one row per call.
  const s = `slow-${rid()}`;
  const slow = Array.from({ length: 12 }, (_, i) => `${s}-${i}`);
  await turn(slow.slice(0, 6).map((text, i) => wrapped("fx_write", { text, delayMs: 1200 + i * 150 })));
  await turn(slow.slice(6).map((text, i) => wrapped("fx_write", { text, delayMs: 1200 + i * 150 })));
  expect(
    lines("fx_write")
      .filter((l) => l.startsWith(s))
      .sort(),
  ).toEqual([...slow].sort());
  await expect.poll(async () => (await rowsFor(s)).filter((r) => r.result !== null).length, { timeout: 45_000 }).toBe(12);
  const slowRows = await rowsFor(s);
  expect(slowRows.map((r) => r.text).sort()).toEqual([...slow].sort());
  expect(slowRows.every((r) => r.decision === "allowed" && r.tool_name === "fx_write" && r.event_id.endsWith(".decision"))).toBe(true);
  // The split really happened: rows stored (from their decision) before their call ended, then completed.
  const { rows: early } = await sql().query(
    "select count(*)::int as n from tool_calls where gateway_id = $1 and params->>'text' like $2 and ingested_at < occurred_at + duration_ms * interval '1 millisecond'",
    [gatewayId, `${s}%`],
  );
  expect(early[0].n).toBeGreaterThan(0);
  // Every call of this gateway is one row: no "<call>.result" row left beside its decision.
  const { rows: split } = await sql().query("select event_id from tool_calls where gateway_id = $1 and event_id like '%.result'", [gatewayId]);
  expect(split).toHaveLength(1); // only the exec call that OpenClaw refused before any decision
  // 5. The explorer shows a not-run call as such, with the policy's decision.
  await signIn(page, await makeUser("auditor"));
  await page.goto(`/tool-calls?gateway=${gatewayId}&decision=not_run`);
  const table = page.getByRole("table");
  await expect(table.getByText("not run")).toHaveCount(2);
  await expect(table.getByText("policy would have blocked it")).toHaveCount(1);
  await expect(table.getByText("policy allowed it")).toHaveCount(1);
  await expect(table.getByText("exec", { exact: true })).toBeVisible();
  // And the CSV export says the same.
  const csv = await (await admin.get(`/api/v1/tool-calls?gateway=${gatewayId}&decision=not_run&format=csv`)).text();
  const records = parse(csv, { columns: true }) as Record<string, string>[];
  expect(records.map((r) => `${r.toolName}:${r.decision}:${r.policyDecision}`).sort()).toEqual(["exec:not_run:blocked", "fx_write:not_run:allowed"]);
  for (const c of [admin, lead, operator]) await c.dispose();
});
