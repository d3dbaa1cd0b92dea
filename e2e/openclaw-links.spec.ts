/**
 * Agents talking to agents on a real OpenClaw gateway (issue 18 §3): three agents (alpha, beta,
 * gamma; alpha may spawn any agent per OpenClaw's own config), the Warden plugin, and a fake model
 * that makes alpha call `sessions_send` / `sessions_spawn` (through Tool Search's `tool_call`
 * wrapper: with OpenClaw's defaults they are catalog tools). The effect is real: a message that got through starts a run of the target
 * agent, whose prompt reaches the fake model.
 *  - no approved pair: the plugin blocks both calls (the target never runs), Warden stores them
 *    with their target, draws alpha → beta and alpha → gamma, and raises one finding per pair;
 *  - a security lead approves alpha → beta: the refreshed policy lists beta as alpha's peer, the
 *    next send to beta goes through (beta runs), a send to gamma is still blocked.
 */
import { execFile, type ChildProcess } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request as pwRequest } from "@playwright/test";
import { expect, makeToken, makeUser, rid, sql, test } from "./fixtures";
import { NODE24, OPENCLAW_BIN, gatewayEnv, sseChunk, stopProcess, type GatewayEnv, startGateway } from "./openclaw-gateway";
import { acquireGatewayLock } from "./gateway-lock";

const ROOT = path.join(__dirname, "..");
const PORT = 19300 + Math.floor(Math.random() * 8);
const FAKE_PORT = 19320 + Math.floor(Math.random() * 8);

test.describe.configure({ mode: "serial" });

type Call = { name: string; arguments: Record<string, unknown> };
let gw: ChildProcess | null = null;
let fakeModel: http.Server | null = null;
let tmp = "";
let log = "";
/** The text of the user messages of every model request (a target agent's run shows up here). */
const userTexts: string[] = [];

/** The fake model: a prompt "DO:<base64 JSON list of calls>END" asks for those calls, then it answers "done". */
function startFakeModel() {
  fakeModel = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = raw ? JSON.parse(raw) : {};
      const msgs: { role: string; content?: unknown }[] = body.messages ?? [];
      for (const m of msgs) if (m.role === "user") userTexts.push(JSON.stringify(m.content ?? ""));
      const DO = /DO:([A-Za-z0-9+/=]+)END/;
      const idx = msgs.map((m) => m.role === "user" && DO.test(JSON.stringify(m))).lastIndexOf(true);
      const calls: Call[] = idx >= 0 ? JSON.parse(Buffer.from(DO.exec(JSON.stringify(msgs[idx]))![1], "base64").toString()) : [];
      const afterTool = msgs.slice(idx + 1).some((m) => m.role === "tool");
      const done = afterTool || !calls.length;
      const delta = done
        ? { role: "assistant", content: "done" }
        : { role: "assistant", tool_calls: calls.map((c, i) => ({ index: i, id: `call_${rid()}${rid()}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) };
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sseChunk(delta, null));
      res.write(sseChunk({}, done ? "stop" : "tool_calls"));
      res.end("data: [DONE]\n\n");
    });
  });
  return new Promise<void>((r) => fakeModel!.listen(FAKE_PORT, "127.0.0.1", () => r()));
}

let env: GatewayEnv;
/** One real turn of agent alpha in which the model makes exactly these tool calls. */
async function turn(calls: Call[]) {
  const prompt = `DO:${Buffer.from(JSON.stringify(calls)).toString("base64")}END`;
  const r = await promisify(execFile)(NODE24, [OPENCLAW_BIN, "agent", "--agent", "alpha", "-m", prompt, "--json"], { env, timeout: 180_000 }).catch((e) => e as { stdout: string });
  return String(r.stdout);
}
/** With OpenClaw's default Tool Search, the session tools are catalog tools called through `tool_call`. */
const wrapped = (id: string, args: Record<string, unknown>): Call => ({ name: "tool_call", arguments: { id, args } });
const reached = (marker: string) => userTexts.some((t) => t.includes(marker));

type Row = { tool_name: string; decision: string; block_reason: string | null; target_agent_id: string | null };
let gatewayId = "";
async function rowsFor(marker: string): Promise<Row[]> {
  const { rows } = await sql().query<Row>(
    "select tool_name, decision::text, block_reason, target_agent_id from tool_calls where gateway_id = $1 and params::text like $2 order by occurred_at, event_id",
    [gatewayId, `%${marker}%`],
  );
  return rows;
}

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

test("a call to another agent outside the approved pairs is blocked and drawn; an approved pair goes through", async ({ baseURL }) => {
  test.setTimeout(480_000);
  expect(fs.existsSync(OPENCLAW_BIN), "OpenClaw is not installed: run node scripts/setup-openclaw.mjs (npm test does)").toBe(true);
  const adminUser = await makeUser("admin");
  const admin = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(adminUser)}` } });
  const lead = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("security_lead"))}` } });

  const token = randomBytes(24).toString("hex");
  const reg = await (await admin.post("/api/v1/gateways", { data: { name: `oc-links-${rid()}`, kind: "openclaw", environment: "ci" } })).json();
  gatewayId = reg.data.gateway.id;
  const signingSecret: string = reg.data.signingSecret;
  const ids: Record<string, string> = {};
  for (const ext of ["alpha", "beta", "gamma"]) {
    const res = await admin.post("/api/v1/agents", { data: { name: `${ext}-${rid()}`, owner: "ci", purpose: "OpenClaw agent links e2e", gatewayId } });
    expect(res.status(), await res.text()).toBe(201);
    ids[ext] = (await res.json()).data.id;
    await sql().query("update agents set external_id = $2 where id = $1", [ids[ext], ext]);
  }
  // alpha may use the session tools (a time-boxed exception: any build of them), so only the peer rule decides.
  for (const tool of ["sessions_send", "sessions_spawn"]) {
    const { rows } = await sql().query<{ id: string }>(
      "insert into tools (id, name, kind, source, publisher, updated_at) values (gen_random_uuid(), $1, 'tool', 'builtin', 'OpenClaw', now()) on conflict (name) do update set updated_at = now() returning id",
      [tool],
    );
    await sql().query(
      "insert into grants (id, agent_id, tool_id, kind, reason, expires_at, granted_by_id) values (gen_random_uuid(), $1, $2, 'exception', 'agent links e2e', now() + interval '1 day', $3)",
      [ids.alpha, rows[0].id, adminUser.id],
    );
  }

  await startFakeModel();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-oc-links-"));
  env = gatewayEnv(tmp, token);
  for (const d of [env.OPENCLAW_HOME, env.OPENCLAW_STATE_DIR]) fs.mkdirSync(d, { recursive: true });
  const agent = (id: string) => ({ workspace: path.join(tmp, `ws-${id}`), subagents: { allowAgents: ["*"] } });
  fs.writeFileSync(
    env.OPENCLAW_CONFIG_PATH,
    JSON.stringify(
      {
        gateway: { mode: "local", bind: "loopback", port: PORT, auth: { mode: "token" } },
        logging: { file: path.join(tmp, "openclaw.log") },
        update: { checkOnStart: false },
        agents: { defaults: { model: { primary: "fake/fake-model" } }, entries: { alpha: agent("alpha"), beta: agent("beta"), gamma: agent("gamma") } },
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
          load: { paths: [path.join(ROOT, "connectors", "openclaw")] },
          entries: { warden: { enabled: true, config: { wardenUrl: baseURL, gatewayId, signingSecret, pollSeconds: 5, flushSeconds: 1, inventorySeconds: 3600, securityAudit: false } } },
        },
      },
      null,
      2,
    ),
  );
  gw = await startGateway({ port: PORT, env: env, onOutput: (b) => (log += b), log: () => log, readyMs: 90_000, policyMs: 30_000 });

  // 1. No approved pair: a send to beta and (through the Tool Search wrapper) a spawn of gamma are
  //    blocked by the plugin; neither target runs.
  const m1 = `to-beta-${rid()}`;
  const m2 = `to-gamma-${rid()}`;
  await turn([wrapped("sessions_send", { agentId: "beta", message: m1, timeoutSeconds: 0 }), wrapped("sessions_spawn", { agentId: "gamma", task: m2 })]);
  await expect
    .poll(async () => [...(await rowsFor(m1)), ...(await rowsFor(m2))].map((r) => `${r.tool_name}:${r.decision}:${r.target_agent_id}`).sort(), {
      timeout: 30_000,
      message: `log:\n${log.slice(-2000)}`,
    })
    .toEqual(["sessions_send:blocked:beta", "sessions_spawn:blocked:gamma"]);
  expect((await rowsFor(m1))[0].block_reason).toContain('may not reach agent "beta"');
  await new Promise((r) => setTimeout(r, 3000));
  expect(reached(m1), "beta must not have run").toBe(false);
  expect(reached(m2), "gamma must not have run").toBe(false);
  const edges = await sql().query("select target_external_id as t, calls, blocked from agent_links where gateway_id = $1 and source_key = $2 order by 1", [gatewayId, ids.alpha]);
  expect(edges.rows).toEqual([
    { t: "beta", calls: 1, blocked: 1 },
    { t: "gamma", calls: 1, blocked: 1 },
  ]);
  expect((await admin.post("/api/v1/findings/compute", { data: { sinceHours: 1 } })).status()).toBe(200);
  const found = await sql().query("select detail->>'targetAgentId' as t, status::text from findings where kind = 'agent_link' and agent_id = $1 order by 1", [ids.alpha]);
  expect(found.rows).toEqual([
    { t: "beta", status: "open" },
    { t: "gamma", status: "open" },
  ]);

  // 2. A security lead approves alpha → beta: the pushed policy lists beta as alpha's peer.
  const ok = await lead.post("/api/v1/agent-links", { data: { fromAgentId: ids.alpha, toAgentId: ids.beta, reason: "alpha hands work to beta" } });
  expect(ok.status(), await ok.text()).toBe(200);
  const policyFile = path.join(env.OPENCLAW_STATE_DIR, "warden", "policy.json");
  await expect
    .poll(
      () => {
        try {
          return JSON.parse(fs.readFileSync(policyFile, "utf8")).signed.policy.agents.find((a: { id: string }) => a.id === "alpha")?.peers;
        } catch {
          return null;
        }
      },
      { timeout: 60_000, message: "the refreshed policy reached the gateway" },
    )
    .toEqual(["beta"]);

  // 3. The send to beta goes through (beta runs on it); a send to gamma's session is still blocked.
  const m3 = `ok-beta-${rid()}`;
  const m4 = `still-gamma-${rid()}`;
  await turn([wrapped("sessions_send", { agentId: "beta", message: m3, timeoutSeconds: 0 }), wrapped("sessions_send", { sessionKey: "agent:gamma:main", message: m4, timeoutSeconds: 0 })]);
  await expect
    .poll(async () => [...(await rowsFor(m3)), ...(await rowsFor(m4))].map((r) => `${r.decision}:${r.target_agent_id}`).sort(), { timeout: 30_000 })
    .toEqual(["allowed:beta", "blocked:gamma"]);
  await expect.poll(() => reached(m3), { timeout: 60_000, message: `beta ran on the message; log:\n${log.slice(-2000)}` }).toBe(true);
  expect(reached(m4)).toBe(false);
  const after = await sql().query("select target_external_id as t, calls, blocked from agent_links where gateway_id = $1 and source_key = $2 order by 1", [gatewayId, ids.alpha]);
  expect(after.rows).toEqual([
    { t: "beta", calls: 2, blocked: 1 },
    { t: "gamma", calls: 2, blocked: 2 },
  ]);
  for (const c of [admin, lead]) await c.dispose();
});
