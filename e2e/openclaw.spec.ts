/**
 * Against a real OpenClaw gateway (Node 24, openclaw pinned; installed by scripts/setup-openclaw.mjs)
 * with the Warden plugin from connectors/openclaw: an unapproved tool call is blocked on the
 * gateway and shows up in Warden as blocked; after approving it in Warden and the policy refresh,
 * the same call goes through and shows up as allowed; the inventory appears. Tool calls come both
 * from `POST /tools/invoke` and from a real agent turn driven by a fake OpenAI-compatible model
 * (it asks for the tool once, then answers), so the agent loop is proven enforced and recorded too.
 * Hash pinning: built-in tools are pinned to the hash of the installed OpenClaw build (a `write`
 * approved only for another build does not write its file). All on 127.0.0.1.
 */
import { execFile, type ChildProcess } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { acquireGatewayLock } from "./gateway-lock";
import { expect, makeToken, makeUser, rid, sql, test, toolLock } from "./fixtures";
import { NODE24, OPENCLAW_BIN, gatewayEnv, openclawBuildHash, sseChunk, stopProcess, type GatewayEnv, startGateway } from "./openclaw-gateway";

const ROOT = path.join(__dirname, "..");
const PORT = 18990 + Math.floor(Math.random() * 8);
const TOOL = "session_status";
const PROMPT = "check the session status";

test.describe.configure({ mode: "serial" });

let gw: ChildProcess | null = null;
let fakeModel: http.Server | null = null;
const FAKE_PORT = 18880 + Math.floor(Math.random() * 9);

/** A fake OpenAI-compatible model (streaming): the first turn asks for the tool, then it answers "done". */
function startFakeModel() {
  fakeModel = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = raw ? JSON.parse(raw) : {};
      // Only this turn counts (the session keeps earlier turns): look after our latest prompt.
      const msgs: { role: string; content?: unknown }[] = body.messages ?? [];
      // "pin-write <path>": one `write` of that file (the hash-pinning test), then "done".
      const lastUser = [...msgs].reverse().find((m) => m.role === "user" && JSON.stringify(m.content ?? "").includes("pin-write "));
      const pin = /pin-write (\S+\.txt)/.exec(JSON.stringify(lastUser?.content ?? ""));
      if (pin) {
        const done = msgs.slice(msgs.lastIndexOf(lastUser!) + 1).some((m) => m.role === "tool");
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(
          sseChunk(
            done
              ? { role: "assistant", content: "done" }
              : { role: "assistant", tool_calls: [{ index: 0, id: `call_${rid()}`, type: "function", function: { name: "write", arguments: JSON.stringify({ path: pin[1], content: "pinned" }) } }] },
            null,
          ),
        );
        res.write(sseChunk({}, done ? "stop" : "tool_calls"));
        res.end("data: [DONE]\n\n");
        return;
      }
      // (A tool result can quote the prompt — session_status does — so only user messages count.)
      const prompt = msgs.map((m) => m.role === "user" && JSON.stringify(m).includes(PROMPT)).lastIndexOf(true);
      const afterTool = msgs.slice(prompt + 1).some((m) => m.role === "tool");
      const delta = afterTool
        ? { role: "assistant", content: "done" }
        : { role: "assistant", tool_calls: [{ index: 0, id: `call_${rid()}`, type: "function", function: { name: TOOL, arguments: "{}" } }] };
      const chunk = sseChunk;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk(delta, null));
      res.write(chunk({}, afterTool ? "stop" : "tool_calls"));
      res.end("data: [DONE]\n\n");
    });
  });
  return new Promise<void>((r) => fakeModel!.listen(FAKE_PORT, "127.0.0.1", () => r()));
}
let tmp = "";
let log = "";
/** What the first test set up, for the containment test that runs after it on the same gateway. */
let shared: { token: string; gatewayId: string; gatewayName: string; agentId: string; agentName: string } | null = null;

// One real gateway at a time across workers (e2e/gateway-lock.ts).
let releaseGatewayLock: (() => void) | null = null;
test.beforeAll(async () => {
  test.setTimeout(900_000);
  releaseGatewayLock = await acquireGatewayLock();
});

const releaseLocks: (() => Promise<void>)[] = [];
test.afterAll(async () => {
  for (const r of releaseLocks) await r();
  await stopProcess(gw);
  fakeModel?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  releaseGatewayLock?.();
});

/** The isolated environment of the test gateway (state dirs under the temp folder). */
function envOf(token: string): GatewayEnv {
  return gatewayEnv(tmp, token);
}

/** One real agent turn through the gateway; returns its JSON output (the fake model asks for the tool). */
async function agentTurn(env: NodeJS.ProcessEnv, message = PROMPT) {
  const r = await promisify(execFile)(NODE24, [OPENCLAW_BIN, "agent", "--agent", "main", "-m", message, "--json"], { env, timeout: 120_000 }).catch((e) => e as { stdout: string });
  return String(r.stdout);
}

/** Run an assertion; on failure, add the gateway's latest log to its message. */
async function withLog(assertion: () => Promise<unknown>) {
  try {
    await assertion();
  } catch (err) {
    throw new Error(`${(err as Error).message}\ngateway log:\n${log.slice(-3000)}`);
  }
}

async function invoke(token: string) {
  const res = await fetch(`http://127.0.0.1:${PORT}/tools/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ tool: TOOL, args: {}, agentId: "main" }),
  });
  return { status: res.status, body: await res.text() };
}

async function calls(api: APIRequestContext, gatewayId: string, decision: "allowed" | "blocked") {
  const res = await api.get(`/api/v1/tool-calls?gateway=${gatewayId}&tool=${TOOL}&decision=${decision}&range=1h`);
  return ((await res.json()).data ?? []) as { toolName: string; decision: string; blockReason: string | null }[];
}

test("the plugin enforces Warden's allowlist on a real OpenClaw gateway", async ({ baseURL }) => {
  test.setTimeout(600_000);
  // Its approval of session_status must hold through the suspend test (the push spec revokes others').
  releaseLocks.push(await toolLock(TOOL, "shared"));
  expect(fs.existsSync(OPENCLAW_BIN), `OpenClaw is not installed: run node scripts/setup-openclaw.mjs (npm test does)`).toBe(true);
  const admin = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("admin"))}` } });
  const lead = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("security_lead"))}` } });

  // Register the gateway in Warden and its agent "main".
  // The gateway's token is chosen up front: Warden also gets it as the admin-WebSocket credential
  // (the second containment path; a token has admin scope on loopback).
  const token = randomBytes(24).toString("hex");
  const gatewayName = `oc-${rid()}`;
  const reg = await (await admin.post("/api/v1/gateways", { data: { name: gatewayName, kind: "openclaw", environment: "ci", adminWsUrl: `ws://127.0.0.1:${PORT}`, adminToken: token } })).json();
  const gatewayId: string = reg.data.gateway.id;
  const signingSecret: string = reg.data.signingSecret;
  const agentRes = await admin.post("/api/v1/agents", { data: { name: `main-${rid()}`, owner: "ci", purpose: "OpenClaw e2e", gatewayId } });
  expect(agentRes.status()).toBe(201);
  const agent = (await agentRes.json()).data;
  // The gateway's own agent id is "main": that is the agent's external id.
  await sql().query("update agents set external_id = 'main' where id = $1", [agent.id]);

  // A real gateway, isolated in a temp dir, with the plugin loaded from the repo.
  await startFakeModel();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-oc-e2e-"));
  const env = envOf(token);
  for (const d of [env.OPENCLAW_HOME, env.OPENCLAW_STATE_DIR]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    env.OPENCLAW_CONFIG_PATH,
    JSON.stringify(
      {
        gateway: { mode: "local", bind: "loopback", port: PORT, auth: { mode: "token" } },
        logging: { file: path.join(tmp, "openclaw.log") },
        update: { checkOnStart: false },
        agents: { defaults: { model: { primary: "fake/fake-model" } } },
        // Direct tool schemas (no tool-search indirection), so the fake model can name the tool.
        tools: { toolSearch: false },
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
          entries: {
            warden: {
              enabled: true,
              hooks: { allowConversationAccess: true },
              config: { wardenUrl: baseURL, gatewayId, signingSecret, pollSeconds: 5, flushSeconds: 1, inventorySeconds: 60, securityAudit: false },
            },
          },
        },
      },
      null,
      2,
    ),
  );
  gw = await startGateway({ port: PORT, env: env, onOutput: (b) => (log += b), log: () => log, readyMs: 90_000, policyMs: 30_000 });

  // Not approved: blocked on the gateway, and recorded in Warden as blocked.
  const blocked = await invoke(token);
  expect(blocked.status, blocked.body).toBe(403);
  expect(blocked.body).toContain("tool_call_blocked");
  expect(blocked.body).toContain("Warden");
  await expect.poll(async () => (await calls(admin, gatewayId, "blocked")).length, { timeout: 30_000 }).toBeGreaterThan(0);
  // The same through a real agent turn: the model asks for the tool, the plugin blocks it (no effect).
  const blockedBefore = (await calls(admin, gatewayId, "blocked")).length;
  const turn = await agentTurn(env);
  expect(turn).toContain('"failures": 1');
  await expect.poll(async () => (await calls(admin, gatewayId, "blocked")).length, { timeout: 30_000, message: "agent-loop call recorded as blocked" }).toBeGreaterThan(blockedBefore);

  // Approve it in Warden: request (operator) → review (security lead).
  const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
  const req = await operator.post("/api/v1/tool-requests", {
    data: {
      tool: { name: TOOL, kind: "tool", source: "builtin", publisher: "OpenClaw" },
      version: "2026.9.6",
      contentHash: await openclawBuildHash(),
      permissions: {},
      justification: "Needed by the OpenClaw e2e agent",
      agentIds: [agent.id],
    },
  });
  expect(req.status(), await req.text()).toBe(201);
  const decision = await lead.post(`/api/v1/tool-requests/${(await req.json()).data.id}/decision`, {
    data: {
      outcome: "approve",
      reason: "Built-in status tool, read-only",
      checklist: { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "bundled with the gateway", permissionsNarrowed: true, credEgressFlagged: false },
    },
  });
  expect(decision.status(), await decision.text()).toBe(201);

  // After the policy refresh, the same call goes through and is recorded as allowed.
  await expect.poll(async () => (await invoke(token)).status, { timeout: 45_000, intervals: [2000], message: "allowed after approval" }).toBe(200);
  await expect.poll(async () => (await calls(admin, gatewayId, "allowed")).length, { timeout: 30_000 }).toBeGreaterThan(0);
  // And through the agent loop, where after_tool_call also reports the result.
  const allowedBefore = (await calls(admin, gatewayId, "allowed")).length;
  expect(await agentTurn(env)).toContain('"failures": 0');
  await expect.poll(async () => (await calls(admin, gatewayId, "allowed")).length, { timeout: 30_000, message: "agent-loop call recorded as allowed" }).toBeGreaterThan(allowedBefore);

  // The inventory reached Warden.
  await expect
    .poll(
      async () => {
        const g = await (await admin.get(`/api/v1/gateways/${gatewayId}`)).json();
        return g.data?.inventory != null;
      },
      { timeout: 60_000, intervals: [2000], message: `inventory pushed; log:\n${log.slice(-1500)}` },
    )
    .toBe(true);
  for (const c of [admin, lead, operator]) await c.dispose();
  shared = { token, gatewayId, gatewayName, agentId: agent.id, agentName: agent.name };
});

test("suspending the agent blocks its next tool call on the real gateway; releasing restores it", async ({ baseURL }) => {
  test.setTimeout(300_000);
  expect(shared, "the enforcement test above set up the gateway").not.toBeNull();
  const { token, gatewayName, agentId } = shared!;
  const op = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
  expect((await invoke(token)).status).toBe(200); // approved by the test above

  const res = await op.post("/api/v1/containment", { data: { scope: "agent", target: agentId, action: "suspend_agent", reason: "e2e: rogue agent" } });
  expect(res.status(), await res.text()).toBe(201);
  const { id } = (await res.json()).data;
  const states = async () =>
    (
      (await (await op.get(`/api/v1/containment/${id}`)).json()).data.deliveries as {
        gatewayName: string;
        kind: string;
        state: string;
        wsState: string | null;
        error: string | null;
        wsError: string | null;
      }[]
    ).filter((d) => d.gatewayName === gatewayName);
  // Both paths apply it: the plugin through the connector long-poll, and Warden over the admin WebSocket
  // (a loaded gateway can answer config.patch late; that path is retried after 30 s).
  await expect
    .poll(async () => (await states()).map((d) => `${d.kind}:${d.state}:${d.wsState}`), { timeout: 90_000, intervals: [1000], message: `log:\n${log.slice(-1500)}` })
    .toEqual(["apply:applied:applied"]);
  const blocked = await invoke(token);
  expect(blocked.status, blocked.body).not.toBe(200);
  // And through a real agent turn: the model asks for the tool, the suspended agent may not use it.
  expect(await agentTurn(envOf(token))).toContain('"failures": 1');

  const rel = await op.post(`/api/v1/containment/${id}/release`, { data: { reason: "e2e: owner confirmed, back to normal" } });
  expect(rel.status(), await rel.text()).toBe(200);
  await expect
    .poll(async () => (await states()).filter((d) => d.kind === "release").map((d) => `${d.state}:${d.wsState}`), { timeout: 90_000, intervals: [1000], message: `log:\n${log.slice(-1500)}` })
    .toEqual(["applied:applied"]);
  await expect.poll(async () => (await invoke(token)).status, { timeout: 30_000, intervals: [1000], message: "allowed again after release" }).toBe(200);
  await op.dispose();
});

test("hash pinning: a built-in tool approved only for another build is blocked; approved for this build it runs; events carry version and hash", async ({ baseURL }) => {
  test.setTimeout(720_000);
  expect(shared, "the enforcement test above set up the gateway").not.toBeNull();
  for (const r of releaseLocks.splice(0)) await r();
  // It revokes others' approvals of write: no spec relying on one may run meanwhile.
  releaseLocks.push(await toolLock("write", "exclusive"));
  const { token, gatewayId, agentId } = shared!;
  const build = await openclawBuildHash();
  // The plugin hashed the installed OpenClaw build (once, off the hot path) and learnt from the
  // inventory that `write` is a built-in tool.
  await expect.poll(() => log.includes(`OpenClaw 2026.9.6 build hash ${build}`), { timeout: 60_000, message: `plugin knows the build hash; log:\n${log.slice(-1500)}` }).toBe(true);
  // The plugin maps a call to its artefact from its last inventory collection (an unknown artefact is
  // allowed without a hash): `warden.inventory.push` collects and pushes now, and the pushed
  // inventory pins `write` to the build.
  const pushed = await promisify(execFile)(NODE24, [OPENCLAW_BIN, "gateway", "call", "warden.inventory.push", "--json", "--timeout", "150000", "--params", "{}"], {
    env: envOf(token),
    timeout: 170_000,
  });
  expect(JSON.parse(pushed.stdout.slice(pushed.stdout.indexOf("{")))).toMatchObject({ pushed: true });
  const { rows } = await sql().query<{ inventory: { tools: { name: string; version?: string; hash?: string }[] } }>("select inventory from gateways where id = $1", [gatewayId]);
  expect(rows[0].inventory.tools.find((t) => t.name === "write")).toMatchObject({ version: "2026.9.6", hash: build });
  const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
  const lead = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("security_lead"))}` } });
  // A tool's approved versions are fleet-wide trust decisions: another spec's approval of `write` for
  // this very build (e.g. the conditions spec's) would make "approved only for another build" untrue.
  const { rows: others } = await sql().query<{ id: string }>(
    "select d.id from trust_decisions d join tool_versions v on v.id = d.tool_version_id join tools t on t.id = v.tool_id where t.name = 'write' and d.revoked_at is null and d.outcome <> 'reject'",
  );
  for (const o of others) expect((await lead.post(`/api/v1/trust-decisions/${o.id}/revoke`, { data: { reason: "e2e pinning spec: only its own approvals of write count" } })).status()).toBe(200);
  const approveWrite = async (version: string, contentHash: string) => {
    const req = await operator.post("/api/v1/tool-requests", {
      data: {
        tool: { name: "write", kind: "tool", source: "builtin", publisher: "OpenClaw" },
        version,
        contentHash,
        permissions: { fsWrite: true },
        justification: "Pinning e2e: the agent writes one file",
        agentIds: [agentId],
      },
    });
    expect(req.status(), await req.text()).toBe(201);
    const d = await lead.post(`/api/v1/tool-requests/${(await req.json()).data.id}/decision`, {
      data: {
        outcome: "approve",
        reason: "Pinned to one build of the gateway",
        checklist: { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "bundled with the gateway", permissionsNarrowed: true, credEgressFlagged: false },
      },
    });
    expect(d.status(), await d.text()).toBe(201);
  };
  const target = path.join(tmp, `pinned-${rid()}.txt`);
  // `write` is not offered over POST /tools/invoke: a real agent turn asks for it.
  const write = () => agentTurn(envOf(token), `pin-write ${target}`);
  const events = async (decision: string) =>
    (
      await sql().query<{ tool_version: string | null; tool_hash: string | null; block_reason: string | null }>(
        "select tool_version, tool_hash, block_reason from tool_calls where gateway_id = $1 and tool_name = 'write' and decision = $2 order by occurred_at desc",
        [gatewayId, decision],
      )
    ).rows;

  // Approved only for another build (the hash of something else): blocked, the file is not written.
  const other = createHash("sha256").update(`another build ${rid()}`).digest("hex");
  await approveWrite(`2026.9.5-${rid()}`, other);
  await withLog(() =>
    expect
      .poll(
        async () => {
          await write();
          return (await events("blocked")).find((e) => e.block_reason?.includes("not an approved version")) ?? null;
        },
        { timeout: 150_000, intervals: [2000], message: "blocked as an unapproved build" },
      )
      .toMatchObject({ tool_version: "2026.9.6", tool_hash: build }),
  );
  expect(fs.existsSync(target)).toBe(false);

  // Approved for this build: it runs, and the stored call carries the build's version and hash.
  await approveWrite("2026.9.6", build);
  await withLog(() =>
    expect
      .poll(
        async () => {
          await write();
          return fs.existsSync(target);
        },
        { timeout: 150_000, intervals: [2000], message: "written once this build is approved" },
      )
      .toBe(true),
  );
  expect(fs.readFileSync(target, "utf8")).toBe("pinned");
  await expect
    .poll(async () => (await events("allowed"))[0], { timeout: 30_000, message: "the allowed call stored with the build's version and hash" })
    .toMatchObject({ tool_version: "2026.9.6", tool_hash: build });

  for (const c of [operator, lead]) await c.dispose();
});
