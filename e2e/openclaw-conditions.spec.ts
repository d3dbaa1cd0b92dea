/**
 * Conditions, SSRF and time bounds enforced by the Warden plugin on a real OpenClaw gateway (Node 24,
 * openclaw pinned, fake OpenAI-compatible model, real tool side effects), all on 127.0.0.1:
 * - `write` approved with a path-prefix condition: a write outside the prefix is blocked and the
 *   file does not exist; one inside runs and the file exists.
 * - `web_fetch` to 169.254.169.254 or to a local listener is blocked with the SSRF reason and no
 *   request reaches the listener (OpenClaw's own private-network guard is switched off here, so the
 *   block is the plugin's); the egress host is on the recorded calls; an approved data flow for
 *   exactly 127.0.0.1 lets the call through to the listener.
 * - An exception beside an approved version ends while Warden is unreachable (the plugin talks to
 *   Warden through a proxy the test cuts): the plugin's clock blocks the tool, no poll involved.
 */
import { execFile, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { Socket } from "node:net";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { expect, makeToken, makeUser, rid, sql, test, toolLock } from "./fixtures";
import { NODE24, OPENCLAW_BIN, gatewayEnv, openclawBuildHash, sseChunk, stopProcess, type GatewayEnv, startGateway } from "./openclaw-gateway";
import { acquireGatewayLock } from "./gateway-lock";

const ROOT = path.join(__dirname, "..");
const PORT = 19010 + Math.floor(Math.random() * 8);
const FAKE_PORT = 18900 + Math.floor(Math.random() * 9);
const MARK = "WARDEN-COND-E2E";

test.describe.configure({ mode: "serial" });

let gw: ChildProcess | null = null;
const servers: http.Server[] = [];
let tmp = "";
let log = "";

/** A fake model: the prompt names the tool call to make (`MARK <tool> <json args>`), then it answers "done". */
function startFakeModel() {
  const textOf = (m: { content?: unknown }) => (typeof m.content === "string" ? m.content : Array.isArray(m.content) ? m.content.map((p: { text?: string }) => p?.text ?? "").join("") : "");
  const s = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const msgs: { role: string; content?: unknown }[] = (raw ? JSON.parse(raw) : {}).messages ?? [];
      const last = msgs.map((m) => m.role === "user" && textOf(m).includes(MARK)).lastIndexOf(true);
      const m = last >= 0 ? new RegExp(`${MARK} (\\S+) (\\{.*\\})`, "s").exec(textOf(msgs[last])) : null;
      const afterTool = msgs.slice(last + 1).some((x) => x.role === "tool");
      const delta =
        afterTool || !m ? { role: "assistant", content: "done" } : { role: "assistant", tool_calls: [{ index: 0, id: `call_${rid()}`, type: "function", function: { name: m[1], arguments: m[2] } }] };
      const chunk = sseChunk;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk(delta, null));
      res.write(chunk({}, "tool_calls" in delta ? "tool_calls" : "stop"));
      res.end("data: [DONE]\n\n");
    });
  });
  servers.push(s);
  return new Promise<void>((r) => s.listen(FAKE_PORT, "127.0.0.1", () => r()));
}

/** A local listener standing for an internal service: counts every request that reaches it. */
const internalHits: string[] = [];
function startInternal(): Promise<number> {
  const s = http.createServer((req, res) => {
    internalHits.push(req.url ?? "");
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("internal secret");
  });
  servers.push(s);
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));
}

/** Warden as the plugin sees it: a pass-through proxy the test can cut (Warden unreachable). */
const proxy = { cut: false, sockets: new Set<Socket>() };
function startProxy(target: string): Promise<number> {
  const t = new URL(target);
  const s = http.createServer((req, res) => {
    if (proxy.cut) return req.socket.destroy();
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  s.on("connection", (sock) => {
    proxy.sockets.add(sock);
    sock.on("close", () => proxy.sockets.delete(sock));
  });
  servers.push(s);
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));
}

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
  for (const sock of proxy.sockets) sock.destroy();
  for (const s of servers) s.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  releaseGatewayLock?.();
});

function envOf(token: string): GatewayEnv {
  return gatewayEnv(tmp, token);
}

/** One agent turn in which the fake model calls `tool` with `args`. */
async function agentCalls(env: NodeJS.ProcessEnv, tool: string, args: object) {
  const r = await promisify(execFile)(NODE24, [OPENCLAW_BIN, "agent", "--agent", "main", "-m", `${MARK} ${tool} ${JSON.stringify(args)}`, "--json"], { env, timeout: 120_000 }).catch(
    (e) => e as { stdout: string },
  );
  return String(r.stdout);
}

async function invoke(token: string, tool: string, args: object) {
  const res = await fetch(`http://127.0.0.1:${PORT}/tools/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ tool, args, agentId: "main" }),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: await res.text() };
}

type Call = { toolName: string; decision: string; blockReason: string | null; egressHosts: string[]; params: unknown };
async function calls(api: APIRequestContext, gatewayId: string, tool: string) {
  const res = await api.get(`/api/v1/tool-calls?gateway=${gatewayId}&tool=${tool}&range=1h`);
  return ((await res.json()).data ?? []) as Call[];
}

const CHECKS = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "bundled with the gateway", permissionsNarrowed: true, credEgressFlagged: false };

/** Request (operator) and decide (security lead) a built-in tool; returns the decision response. */
async function approve(operator: APIRequestContext, lead: APIRequestContext, tool: string, agentIds: string[], conditions?: object) {
  const req = await operator.post("/api/v1/tool-requests", {
    data: {
      tool: { name: tool, kind: "tool", source: "builtin", publisher: "OpenClaw" },
      version: `2026.9.6-${rid()}`,
      contentHash: await openclawBuildHash(),
      permissions: { fsWrite: tool === "write", egressHosts: [] },
      justification: `Needed by the conditions e2e agent (${tool})`,
      agentIds,
    },
  });
  expect(req.status(), await req.text()).toBe(201);
  const res = await lead.post(`/api/v1/tool-requests/${(await req.json()).data.id}/decision`, {
    data: { outcome: conditions ? "approve_with_conditions" : "approve", reason: "Reviewed for the conditions e2e", checklist: CHECKS, ...(conditions ? { conditions } : {}) },
  });
  expect(res.status(), await res.text()).toBe(201);
}

let ctx: { token: string; gatewayId: string; agentId: string; env: NodeJS.ProcessEnv; internalPort: number; admin: APIRequestContext; lead: APIRequestContext; operator: APIRequestContext } | null =
  null;

test("setup: a real gateway whose plugin reaches Warden through a proxy", async ({ baseURL }) => {
  test.setTimeout(180_000);
  expect(fs.existsSync(OPENCLAW_BIN), "OpenClaw is not installed: run node scripts/setup-openclaw.mjs").toBe(true);
  const admin = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("admin"))}` } });
  const lead = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("security_lead"))}` } });
  const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
  const token = randomBytes(24).toString("hex");
  const reg = await (await admin.post("/api/v1/gateways", { data: { name: `oc-cond-${rid()}`, kind: "openclaw", environment: "ci" } })).json();
  const gatewayId: string = reg.data.gateway.id;
  const agentRes = await admin.post("/api/v1/agents", { data: { name: `main-${rid()}`, owner: "ci", purpose: "OpenClaw conditions e2e", gatewayId } });
  expect(agentRes.status()).toBe(201);
  const agent = (await agentRes.json()).data;
  await sql().query("update agents set external_id = 'main' where id = $1", [agent.id]);

  await startFakeModel();
  const internalPort = await startInternal();
  const proxyPort = await startProxy(baseURL!);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-oc-cond-"));
  const env = envOf(token);
  for (const d of [env.OPENCLAW_HOME, env.OPENCLAW_STATE_DIR, path.join(tmp, "workspace"), path.join(tmp, "allowed"), path.join(tmp, "outside")]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    env.OPENCLAW_CONFIG_PATH,
    JSON.stringify(
      {
        gateway: { mode: "local", bind: "loopback", port: PORT, auth: { mode: "token" } },
        logging: { file: path.join(tmp, "openclaw.log") },
        update: { checkOnStart: false },
        agents: { defaults: { model: { primary: "fake/fake-model" }, workspace: path.join(tmp, "workspace") } },
        // OpenClaw's own private-network guard is off, so what blocks a local URL here is the plugin.
        tools: { toolSearch: false, profile: "coding", web: { fetch: { ssrfPolicy: { dangerouslyAllowPrivateNetwork: true } } } },
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
              config: { wardenUrl: `http://127.0.0.1:${proxyPort}`, gatewayId, signingSecret: reg.data.signingSecret, pollSeconds: 5, flushSeconds: 1, inventorySeconds: 3600, securityAudit: false },
            },
          },
        },
      },
      null,
      2,
    ),
  );
  gw = await startGateway({ port: PORT, env: env, onOutput: (b) => (log += b), log: () => log, readyMs: 90_000, policyMs: 30_000 });
  ctx = { token, gatewayId, agentId: agent.id, env, internalPort, admin, lead, operator };
});

test("write approved with a path prefix: outside is blocked and the file does not exist; inside runs", async () => {
  test.setTimeout(480_000);
  releaseLocks.push(await toolLock("write", "shared"));
  const { env, lead, operator, admin, gatewayId, agentId } = ctx!;
  const allowed = path.join(tmp, "allowed");
  await approve(operator, lead, "write", [agentId], { fsWrite: true, egressHosts: [], pathPrefixes: [`${allowed}/`] });
  // Wait for the policy carrying the condition (the plugin polls every 5 s).
  const outside = path.join(tmp, "outside", "stolen.txt");
  const escape = path.join(allowed, "..", "outside", "escape.txt");
  const inside = path.join(allowed, "report.txt");
  await expect
    .poll(
      async () => {
        await agentCalls(env, "write", { path: inside, content: "inside the prefix" });
        return fs.existsSync(inside);
      },
      { timeout: 90_000, intervals: [3000], message: `write inside the prefix runs; log:\n${log.slice(-1500)}` },
    )
    .toBe(true);
  expect(fs.readFileSync(inside, "utf8")).toBe("inside the prefix");

  await agentCalls(env, "write", { path: outside, content: "outside the prefix" });
  await agentCalls(env, "write", { path: escape, content: "dot-dot escape" });
  expect(fs.existsSync(outside)).toBe(false);
  expect(fs.existsSync(path.join(tmp, "outside", "escape.txt"))).toBe(false);
  await expect
    .poll(async () => (await calls(admin, gatewayId, "write")).filter((c) => c.decision === "blocked" && /condition "path prefixes" of tool "write"/.test(c.blockReason ?? "")).length, {
      timeout: 30_000,
      message: "blocked writes recorded with the condition named",
    })
    .toBeGreaterThanOrEqual(2);
});

test("web_fetch to a metadata address or a local listener is blocked before the request leaves; egress hosts recorded; a data flow lets it through", async () => {
  test.setTimeout(240_000);
  const { token, lead, operator, admin, gatewayId, agentId, internalPort } = ctx!;
  await approve(operator, lead, "web_fetch", [agentId]);
  const local = `http://127.0.0.1:${internalPort}/latest/meta-data`;
  // Wait until web_fetch is approved at the gateway: the call is then blocked by the SSRF check, not by the allowlist.
  await expect.poll(async () => (await invoke(token, "web_fetch", { url: local })).body, { timeout: 60_000, intervals: [2000] }).toContain("SSRF");
  for (const url of ["http://169.254.169.254/latest/meta-data/", "http://0x7f.0.0.1:" + internalPort + "/", `http://[::ffff:127.0.0.1]:${internalPort}/`, `http://localhost:${internalPort}/`]) {
    const r = await invoke(token, "web_fetch", { url });
    expect(r.status, `${url}: ${r.body}`).not.toBe(200);
    expect(r.body, url).toContain("SSRF");
  }
  expect(internalHits, "no request reached the local listener").toEqual([]);
  await expect
    .poll(async () => (await calls(admin, gatewayId, "web_fetch")).filter((c) => c.decision === "blocked").flatMap((c) => c.egressHosts), {
      timeout: 30_000,
      message: "egress hosts on the recorded calls",
    })
    .toEqual(expect.arrayContaining(["169.254.169.254", "127.0.0.1", "::ffff:7f00:1", "localhost"]));

  // An approved data flow naming exactly 127.0.0.1 is the explicit approval: the call now reaches it.
  const flow = await lead.post("/api/v1/data-flows", {
    data: { agentId, service: "internal metadata stub", host: "127.0.0.1", dataSent: "nothing", dataReceived: "a test page", classification: "internal" },
  });
  expect(flow.status(), await flow.text()).toBe(201);
  const decided = await lead.post(`/api/v1/data-flows/${(await flow.json()).data.id}/decision`, { data: { status: "approved", reason: "test listener" } });
  expect(decided.status(), await decided.text()).toBe(200);
  await expect
    .poll(
      async () => {
        await invoke(token, "web_fetch", { url: `${local}?after-flow` });
        return internalHits.length;
      },
      { timeout: 60_000, intervals: [2000], message: `the call reaches the listener once the flow is approved; log:\n${log.slice(-1500)}` },
    )
    .toBeGreaterThan(0);
  // Still blocked: a different private address than the one the flow names.
  expect((await invoke(token, "web_fetch", { url: "http://169.254.169.254/" })).body).toContain("SSRF");
  await expect.poll(async () => (await calls(admin, gatewayId, "web_fetch")).filter((c) => c.decision === "allowed").flatMap((c) => c.egressHosts), { timeout: 30_000 }).toContain("127.0.0.1");
});

test("an exception beside an approved version ends by the plugin's clock while Warden is unreachable", async () => {
  test.setTimeout(420_000);
  releaseLocks.push(await toolLock("session_status", "shared"));
  const { token, lead, operator, agentId } = ctx!;
  // session_status is approved, but not for this agent: only the exception lets it use it.
  await approve(operator, lead, "session_status", []);
  const toolId = (await sql().query("select id from tools where name = 'session_status'")).rows[0].id as string;
  const end = new Date(Date.now() + 25_000);
  const ex = await lead.post(`/api/v1/agents/${agentId}/grants`, { data: { toolId, kind: "exception", reason: "e2e: a short exception window", expiresAt: end.toISOString() } });
  expect(ex.status(), await ex.text()).toBe(201);
  await expect.poll(async () => (await invoke(token, "session_status", {})).status, { timeout: 20_000, intervals: [1000], message: "allowed during the exception" }).toBe(200);

  // Warden becomes unreachable: no poll can bring the end of the exception to the gateway.
  proxy.cut = true;
  for (const sock of proxy.sockets) sock.destroy();
  const verifiedBefore = (log.match(/policy v\S+ verified/g) ?? []).length;
  expect((await invoke(token, "session_status", {})).status).toBe(200);
  await new Promise((r) => setTimeout(r, Math.max(0, end.getTime() - Date.now()) + 500));
  const after = await invoke(token, "session_status", {});
  expect(after.status, after.body).not.toBe(200);
  expect(after.body).toContain("ended at");
  expect((log.match(/policy v\S+ verified/g) ?? []).length, "no policy arrived meanwhile").toBe(verifiedBefore);
  proxy.cut = false;
});
