/**
 * Per-call approvals on a real OpenClaw gateway (Node 24, openclaw pinned) with the Warden plugin:
 * an approval rule makes every `write` of the agent wait for a person. Agent turns are started the
 * way a chat client starts them (WebSocket chat.send, e2e/openclaw-chat.mjs), driven by a fake
 * OpenAI-compatible model that asks to write a file; the file is the call's real side effect.
 *  - a held call waits (no file) until a second user approves it in the console, then it runs;
 *  - a denied call never runs;
 *  - a call nobody decides times out (rule timeout 10 s) and never runs;
 *  - Warden unreachable while a call waits (the gateway reaches Warden through a TCP proxy the spec
 *    cuts) → the call is denied at the gateway; once Warden is back it learns the outcome.
 * All on 127.0.0.1.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { acquireGatewayLock } from "./gateway-lock";
import { expect, makeToken, makeUser, rid, signIn, sql, test, toolLock } from "./fixtures";
import { NODE24, OPENCLAW_BIN, gatewayEnv, openclawBuildHash, sseChunk, stopProcess, fakeModels, freePort } from "./openclaw-gateway";

const ROOT = path.join(__dirname, "..");

test.describe.configure({ mode: "serial" });

let gw: ChildProcess | null = null;
let model: http.Server | null = null;
let tmp = "";
let log = "";

/** The fake model: "please WRITE <name>" → a `write` of <name>.txt; after the tool result (or anything else) → "done". */
function startModel() {
  model = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const msgs: { role: string }[] = (raw ? JSON.parse(raw) : {}).messages ?? [];
      const at = msgs.map((m) => m.role === "user" && /please WRITE/.test(JSON.stringify(m))).lastIndexOf(true);
      const name = at >= 0 ? /please WRITE ([a-z0-9-]+)/.exec(JSON.stringify(msgs[at]))?.[1] : undefined;
      const afterTool = msgs.slice(at + 1).some((m) => m.role === "tool");
      const ask = name && !afterTool;
      const delta = ask
        ? {
            role: "assistant",
            tool_calls: [{ index: 0, id: `call_${rid()}`, type: "function", function: { name: "write", arguments: JSON.stringify({ path: `${name}.txt`, content: "written by the e2e agent" }) } }],
          }
        : { role: "assistant", content: "done" };
      const chunk = sseChunk;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk(delta, null));
      res.write(chunk({}, ask ? "tool_calls" : "stop"));
      res.end("data: [DONE]\n\n");
    });
  });
  return new Promise<number>((r) => model!.listen(0, "127.0.0.1", () => r((model!.address() as net.AddressInfo).port)));
}

/** A TCP proxy gateway → Warden that the spec can cut (Warden unreachable) and restore. */
function wardenProxy(target: number) {
  let server: net.Server | null = null;
  let port = 0;
  const sockets = new Set<net.Socket>();
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target, "127.0.0.1");
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  return { open, cut, port: () => port };
}
let proxy: ReturnType<typeof wardenProxy> | null = null;

// One real gateway at a time across workers (e2e/gateway-lock.ts).
let releaseGatewayLock: (() => void) | null = null;
test.beforeAll(async () => {
  test.setTimeout(900_000);
  releaseGatewayLock = await acquireGatewayLock();
});

let releaseLock: (() => Promise<void>) | null = null;
test.afterAll(async () => {
  await releaseLock?.();
  await stopProcess(gw);
  model?.close();
  await proxy?.cut();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  releaseGatewayLock?.();
});

type Approval = {
  id: string;
  status: string;
  gatewayId: string;
  toolName: string;
  params: { path?: string } | null;
  timeoutMs: number;
  decidedBy: string | null;
  outcome: string | null;
  waitedMs: number | null;
  outcomeDetail: string | null;
};

test("a call held for approval waits for a person; approved it runs, denied or timed out or Warden unreachable it never runs", async ({ baseURL, page }) => {
  test.setTimeout(720_000);
  // Its approval of write must not be revoked by the pinning spec while it runs.
  releaseLock = await toolLock("write", "shared");
  expect(fs.existsSync(OPENCLAW_BIN), "OpenClaw is not installed: run node scripts/setup-openclaw.mjs (npm test does)").toBe(true);
  const ctx = async (role: "admin" | "security_lead" | "operator") => {
    const user = await makeUser(role);
    return { user, api: await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(user)}` } }) };
  };
  const admin = await ctx("admin");
  const lead = await ctx("security_lead");
  // The person who approves in the console: another user than the one who made the rule.
  const approver = await ctx("security_lead");

  // Warden: the gateway, its agent "main", `write` approved for it, and a rule: every write waits for a person.
  const token = randomBytes(24).toString("hex");
  const reg = await (await admin.api.post("/api/v1/gateways", { data: { name: `oc-appr-${rid()}`, kind: "openclaw", environment: "ci" } })).json();
  const gatewayId: string = reg.data.gateway.id;
  const agentRes = await admin.api.post("/api/v1/agents", { data: { name: `writer-${rid()}`, owner: "ci", purpose: "OpenClaw approvals e2e", gatewayId } });
  expect(agentRes.status(), await agentRes.text()).toBe(201);
  const agent = (await agentRes.json()).data;
  await sql().query("update agents set external_id = 'main' where id = $1", [agent.id]);
  const req = await lead.api.post("/api/v1/tool-requests", {
    data: {
      tool: { name: "write", kind: "tool", source: "builtin", publisher: "OpenClaw" },
      version: "2026.9.6",
      contentHash: await openclawBuildHash(),
      permissions: { fsWrite: true },
      justification: "The e2e agent writes files",
      agentIds: [agent.id],
    },
  });
  expect(req.status(), await req.text()).toBe(201);
  const decided = await admin.api.post(`/api/v1/tool-requests/${(await req.json()).data.id}/decision`, {
    data: {
      outcome: "approve",
      reason: "Built-in file tool, each write approved per call",
      checklist: { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "bundled with the gateway", permissionsNarrowed: true, credEgressFlagged: false },
    },
  });
  expect(decided.status(), await decided.text()).toBe(201);
  const ruleRes = await lead.api.post("/api/v1/approval-rules", { data: { scope: "agent_tool", toolName: "write", agentId: agent.id, timeoutSeconds: 120, reason: "File writes need a person" } });
  expect(ruleRes.status(), await ruleRes.text()).toBe(201);
  const ruleId: string = (await ruleRes.json()).data.id;

  // The real gateway, isolated in a temp dir; it reaches Warden through the cuttable proxy.
  const modelPort = await startModel();
  proxy = wardenProxy(Number(new URL(baseURL!).port));
  await proxy.open();
  const gwPort = await freePort();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-oc-appr-"));
  const workspace = path.join(tmp, "ws");
  const env = gatewayEnv(tmp, token);
  for (const d of [env.OPENCLAW_HOME, env.OPENCLAW_STATE_DIR, workspace]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    env.OPENCLAW_CONFIG_PATH,
    JSON.stringify(
      {
        gateway: { mode: "local", bind: "loopback", port: gwPort, auth: { mode: "token" } },
        logging: { file: path.join(tmp, "openclaw.log") },
        update: { checkOnStart: false },
        agents: { defaults: { model: { primary: "fake/fake-model" }, workspace } },
        tools: { toolSearch: false },
        models: fakeModels(modelPort),
        plugins: {
          load: { paths: [path.join(ROOT, "connectors", "openclaw")] },
          entries: {
            warden: {
              enabled: true,
              hooks: { allowConversationAccess: true },
              config: {
                wardenUrl: `http://127.0.0.1:${proxy.port()}`,
                gatewayId,
                signingSecret: reg.data.signingSecret,
                pollSeconds: 5,
                flushSeconds: 1,
                inventorySeconds: 3600,
                securityAudit: false,
                approvalUnreachableSeconds: 5,
              },
            },
          },
        },
      },
      null,
      2,
    ),
  );
  gw = spawn(NODE24, [OPENCLAW_BIN, "gateway", "run", "--port", String(gwPort), "--bind", "loopback", "--allow-unconfigured"], { env, stdio: ["ignore", "pipe", "pipe"] });
  gw.stdout!.on("data", (b) => (log += b));
  gw.stderr!.on("data", (b) => (log += b));
  await expect
    .poll(() => /policy v\S+ verified/.test(log) && /approval route to the gateway connected/.test(log), { timeout: 120_000, intervals: [1000], message: `plugin ready; log:\n${log.slice(-2000)}` })
    .toBe(true);

  const file = (name: string) => path.join(workspace, `${name}.txt`);
  /** Start an agent turn that asks to write <name>.txt (returns at once; the run goes on in the gateway). */
  const turn = async (name: string) => {
    const { stdout } = await promisify(execFile)(NODE24, [path.join(__dirname, "openclaw-chat.mjs"), `ws://127.0.0.1:${gwPort}`, `appr-${name}`, `please WRITE ${name}`], { env, timeout: 40_000 });
    expect(stdout, stdout).toContain('"ok":true');
  };
  const approvals = async (api: APIRequestContext) => ((await (await api.get("/api/v1/approvals?status=all&limit=200")).json()).data ?? []) as Approval[];
  /** What Warden holds for this gateway, for failure messages: "<file> <status>/<outcome>". */
  const heldSummary = async () => {
    const held =
      (await approvals(approver.api))
        .filter((x) => x.gatewayId === gatewayId)
        .map((x) => `${x.params?.path ?? "?"} ${x.status}/${x.outcome ?? "-"}`)
        .join(", ") || "none";
    // The gateway's own record of its latest calls (a call blocked before it was held says why here).
    const calls = await sql().query("select tool_name, decision::text as decision, block_reason from tool_calls where gateway_id = $1 order by occurred_at desc limit 3", [gatewayId]);
    const recorded = calls.rows.map((r) => `${r.tool_name} ${r.decision}${r.block_reason ? ` (${String(r.block_reason).slice(0, 200)})` : ""}`).join("; ") || "none";
    return `${held}; latest calls recorded: ${recorded}`;
  };
  /** The held call of <name>, once Warden has it (pending, or in any state when `anyStatus`). */
  const heldCall = async (name: string, anyStatus = false) => {
    let found: Approval | undefined;
    const started = Date.now();
    try {
      await expect
        .poll(
          async () => {
            found = (await approvals(approver.api)).find((x) => x.gatewayId === gatewayId && x.params?.path === `${name}.txt`);
            return anyStatus ? Boolean(found) : found?.status === "pending";
          },
          { timeout: 90_000, intervals: [500] },
        )
        .toBe(true);
    } catch {
      // The first lines of this message are what the test summary shows: Warden's view, then the gateway's.
      const lines = log.split("\n").filter((l) => /warden|write|approval|denied|tools\]/i.test(l));
      throw new Error(
        `${name}: held call not reported to Warden${anyStatus ? "" : " as pending"} within ${Date.now() - started} ms; file written: ${fs.existsSync(file(name))}; Warden holds: ${await heldSummary()}; gateway log:\n${lines.slice(-25).join("\n")}`,
      );
    }
    return found!;
  };
  const outcome = async (id: string) => ((await (await approver.api.get(`/api/v1/approvals/${id}`)).json()).data ?? {}) as Approval;

  // 1. Held, then approved in the console by a second user: the write happens only after that.
  const a = `approved-${rid()}`;
  await turn(a);
  const heldA = await heldCall(a);
  expect(heldA).toMatchObject({ toolName: "write", timeoutMs: 120_000 });
  await new Promise((r) => setTimeout(r, 2000));
  expect(fs.existsSync(file(a)), "the held write has not run").toBe(false);
  await signIn(page, approver.user);
  await page.goto("/approvals");
  // The queue shows the held call with its frozen parameters; the second user allows it once.
  const card = page.locator(`article[data-approval-id="${heldA.id}"]`);
  await expect(card.getByLabel("Parameters")).toContainText(`${a}.txt`);
  await card.getByLabel(/^Reason/).fill("Checked the path: fine");
  const clickedAt = Date.now();
  await card.getByRole("button", { name: "Allow once" }).click();
  await expect(page.getByRole("status")).toBeVisible();
  await expect.poll(() => fs.existsSync(file(a)), { timeout: 45_000, intervals: [100], message: `approved write ran; log:\n${log.slice(-1500)}` }).toBe(true);
  test.info().annotations.push({ type: "measured", description: `console "Allow once" click → the file written on the gateway: ${Date.now() - clickedAt} ms` });
  await expect.poll(async () => (await outcome(heldA.id)).outcome, { timeout: 30_000 }).toBe("ran");
  const doneA = await outcome(heldA.id);
  expect(doneA.decidedBy).toContain(approver.user.email);
  expect(doneA.waitedMs).toBeGreaterThan(1000);

  // 2. Denied: the write never happens.
  const b = `denied-${rid()}`;
  await turn(b);
  const heldB = await heldCall(b);
  const deny = await approver.api.post(`/api/v1/approvals/${heldB.id}/decision`, { data: { decision: "deny", reason: "Not this file" } });
  expect(deny.status(), await deny.text()).toBe(200);
  await expect.poll(async () => (await outcome(heldB.id)).outcome, { timeout: 45_000, message: `denied reported; log:\n${log.slice(-1500)}` }).toBe("denied");
  await new Promise((r) => setTimeout(r, 1500));
  expect(fs.existsSync(file(b)), "the denied write never ran").toBe(false);

  // 3. Nobody decides: with a 10 s rule timeout the call is denied at the gateway, never runs.
  const verified = () => (log.match(/policy v\S+ verified/g) ?? []).length;
  let seen = verified();
  expect((await lead.api.patch(`/api/v1/approval-rules/${ruleId}`, { data: { timeoutSeconds: 10 } })).status()).toBe(200);
  await expect.poll(verified, { timeout: 30_000, message: "the plugin took the new rule timeout" }).toBeGreaterThan(seen);
  const c = `timeout-${rid()}`;
  await turn(c);
  // Only its existence matters here: on a loaded machine Warden may already count it expired when first read.
  const heldC = await heldCall(c, true);
  expect(heldC.timeoutMs).toBe(10_000);
  await expect.poll(async () => (await outcome(heldC.id)).outcome, { timeout: 45_000, message: `timed out reported; log:\n${log.slice(-1500)}` }).toBe("timed_out");
  expect((await outcome(heldC.id)).waitedMs).toBeGreaterThanOrEqual(9_000);
  expect(fs.existsSync(file(c)), "the timed-out write never ran").toBe(false);

  // 4. Warden unreachable while a call waits: denied at the gateway (fail closed).
  seen = verified();
  expect((await lead.api.patch(`/api/v1/approval-rules/${ruleId}`, { data: { timeoutSeconds: 120 } })).status()).toBe(200);
  await expect.poll(verified, { timeout: 30_000, message: "the plugin took the new rule timeout" }).toBeGreaterThan(seen);
  const d = `offline-${rid()}`;
  await turn(d);
  const heldD = await heldCall(d);
  await proxy!.cut();
  const cutAt = Date.now();
  await expect
    .poll(() => /Warden unreachable for \d+ s with 1 call\(s\) waiting for approval: denying them/.test(log), {
      timeout: 45_000,
      intervals: [100],
      message: `denied while Warden unreachable; log:\n${log.slice(-1500)}`,
    })
    .toBe(true);
  test.info().annotations.push({ type: "measured", description: `Warden cut off → the waiting call denied at the gateway: ${Date.now() - cutAt} ms (approvalUnreachableSeconds 5)` });
  // An approval given in Warden meanwhile cannot reach the gateway; once Warden is reachable again
  // the call has already been denied: the late approval never runs it.
  await approver.api.post(`/api/v1/approvals/${heldD.id}/decision`, { data: { decision: "allow_once", reason: "Too late" } });
  await proxy!.open();
  await expect.poll(async () => (await outcome(heldD.id)).outcome, { timeout: 60_000, message: `unreachable outcome reported; log:\n${log.slice(-1500)}` }).toBe("denied");
  expect((await outcome(heldD.id)).outcomeDetail).toMatch(/unreachable/i);
  await new Promise((r) => setTimeout(r, 8000));
  expect(fs.existsSync(file(d)), "the write never ran").toBe(false);

  // The explorer has the calls (the approved write allowed, the three others blocked), each with
  // its approval: who decided, what happened, how long the agent waited.
  type Call = { id: string; occurredAt: string };
  const calls = async (decision: string) => ((await (await approver.api.get(`/api/v1/tool-calls?gateway=${gatewayId}&tool=write&decision=${decision}&range=1h`)).json()).data ?? []) as Call[];
  const approvalsOf = async (c: Call) => ((await (await approver.api.get(`/api/v1/tool-calls/${c.id}?at=${encodeURIComponent(c.occurredAt)}`)).json()).approvals ?? []) as Approval[];
  const byApproval = async (decision: string) => {
    const out: Record<string, string | null> = {};
    for (const c of await calls(decision)) for (const ap of await approvalsOf(c)) out[ap.id] = ap.outcome;
    return out;
  };
  await expect.poll(() => byApproval("allowed"), { timeout: 30_000 }).toEqual({ [heldA.id]: "ran" });
  await expect.poll(() => byApproval("blocked"), { timeout: 30_000 }).toEqual({ [heldB.id]: "denied", [heldC.id]: "timed_out", [heldD.id]: "denied" });
  for (const c2 of [admin, lead, approver]) await c2.api.dispose();
});
