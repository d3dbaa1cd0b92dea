/**
 * Who asked, enforced on a real OpenClaw gateway (Node 24, openclaw pinned, fake OpenAI-compatible
 * model, the file a `write` creates is the call's real side effect), all on 127.0.0.1:
 *  - two people in Warden's directory, each with an OpenClaw sender identity, and a per-person rule
 *    "Bob × main × write → deny": the same request from Alice writes the file, from Bob it is blocked
 *    with the rule's reason and nothing is written;
 *  - the explorer API says who asked for each call (Alice / Bob; a sender nobody knows is "unmapped");
 *  - a delegated call (main spawns the worker sub-agent, which writes; or main sends the worker a
 *    message in its own session, and the worker writes) carries the originating person
 *    and the chain ["main", "worker"]; Bob cannot launder the write through the sub-agent (scope
 *    narrowing: the rule on main covers every agent down the chain);
 *  - deleting the rule takes effect at once: Bob's next write runs.
 *
 * How a turn gets a chosen sender, offline (checked on openclaw 2026.9.6 with a probe plugin that
 * logged before_tool_call's ctx.requester):
 *  - WS `chat.send` (e2e/openclaw-chat.mjs) gives {channel: "webchat", senderId: "gateway-client" (the
 *    connecting client's id), senderIsOwner: true}: no way to choose the sender. Neither `chat.send`
 *    nor the WS `agent` method has a sender parameter in their closed schemas (only channel/accountId
 *    style routing fields), and /hooks/agent starts hook turns without a sender.
 *  - The bundled A2A channel plugin (docs/channels/a2a.md) does it with no extra code: every
 *    configured peer has its own bearer token, and "each authenticated peer is also the sender
 *    identity used for normal OpenClaw channel ingress policy". A JSON-RPC `SendMessage` to
 *    POST /a2a/v1 on the gateway with peer P's token runs an agent turn of `main` whose requester is
 *    {channel: "a2a", accountId: "default", senderId: "<P>", senderIsOwner: false} (session key
 *    agent:main:a2a:default:direct:<P>:<contextId>). The request blocks until the turn is over.
 *  - A sub-agent spawned from such a turn (sessions_spawn, session agent:worker:subagent:<uuid>) gets
 *    {channel: "a2a", accountId: "default", senderIsOwner: false}: NO senderId. Who is behind it is
 *    only known through the plugin's own delegation provenance (sessions_spawn → subagent_spawned).
 *    A turn that sessions_send starts in another agent's session carries no requester at all.
 *  - The fake model answers each command once (a sub-agent's completion is announced back to the
 *    parent with the task text in it; answering that again loops forever).
 *  - A gateway with two agents needs `agents.ownership: "explicit"` (else a config reload is refused)
 *    and a binding of the A2A account to an agent (else the task fails: "a2a account default routing
 *    has no explicit owner"); bindings take effect at a restart, so they are in the starting config.
 */
import { type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { request as pwRequest } from "@playwright/test";
import { acquireGatewayLock } from "./gateway-lock";
import { expect, makeToken, makeUser, rid, sql, test, toolLock } from "./fixtures";
import { OPENCLAW_BIN, gatewayEnv, openclawBuildHash, sseChunk, startGateway, stopProcess, fakeModels, freePort } from "./openclaw-gateway";

const ROOT = path.join(__dirname, "..");

test.describe.configure({ mode: "serial" });

let gw: ChildProcess | null = null;
let model: http.Server | null = null;
let tmp = "";
let log = "";

/**
 * The fake model. The latest user message names a command: "please WRITE <name>" → a `write` of
 * <name>.txt; "please SPAWN <name>" → sessions_spawn of the worker with the task "please WRITE <name>";
 * "please SEND <name>" → sessions_send of "please WRITE <name>" to the worker's main session.
 * After the tool result, or for a command already answered once, it says "done".
 */
function startModel() {
  const answered = new Set<string>();
  const textOf = (m: { content?: unknown }) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""));
  model = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const msgs: { role: string; content?: unknown }[] = (raw ? JSON.parse(raw) : {}).messages ?? [];
      const COMMAND = /please (WRITE|SPAWN|SEND) ([a-z0-9-]+)/;
      const at = msgs.map((m) => m.role === "user" && COMMAND.test(textOf(m))).lastIndexOf(true);
      const cmd = at >= 0 ? COMMAND.exec(textOf(msgs[at])) : null;
      const afterTool = msgs.slice(at + 1).some((m) => m.role === "tool");
      const key = cmd ? `${cmd[1]} ${cmd[2]}` : "";
      const ask = Boolean(cmd) && !afterTool && !answered.has(key);
      if (ask) answered.add(key);
      const call =
        cmd?.[1] === "SPAWN"
          ? { name: "sessions_spawn", arguments: JSON.stringify({ task: `please WRITE ${cmd[2]}`, agentId: "worker" }) }
          : cmd?.[1] === "SEND"
            ? { name: "sessions_send", arguments: JSON.stringify({ agentId: "worker", message: `please WRITE ${cmd[2]}` }) }
            : { name: "write", arguments: JSON.stringify({ path: `${cmd?.[2]}.txt`, content: "written by the e2e agent" }) };
      const delta = ask ? { role: "assistant", tool_calls: [{ index: 0, id: `call_${rid()}`, type: "function", function: call }] } : { role: "assistant", content: "done" };
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sseChunk(delta, null));
      res.write(sseChunk({}, ask ? "tool_calls" : "stop"));
      res.end("data: [DONE]\n\n");
    });
  });
  return new Promise<number>((r) => model!.listen(0, "127.0.0.1", () => r((model!.address() as net.AddressInfo).port)));
}

// One real gateway at a time across workers (e2e/gateway-lock.ts).
let releaseGatewayLock: (() => void) | null = null;
test.beforeAll(async () => {
  test.setTimeout(900_000);
  releaseGatewayLock = await acquireGatewayLock();
});

const releaseLocks: (() => Promise<void>)[] = [];
test.afterAll(async () => {
  for (const release of releaseLocks) await release();
  await stopProcess(gw);
  model?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  releaseGatewayLock?.();
});

/** A tool call as the explorer API lists it; the who-asked fields are read through `whoAsked`. */
type Call = {
  id: string;
  agentId: string | null;
  toolName: string;
  decision: string;
  blockReason: string | null;
  params: { path?: string; task?: string } | null;
  [k: string]: unknown;
};
/** Who asked for a call, as the explorer API reports it (person, kind of requester, delegation chain). */
const whoAsked = (c: Call) => {
  const person = (c.person ?? null) as { id?: string; displayName?: string } | null;
  return {
    personId: (c.personId as string | null | undefined) ?? person?.id ?? null,
    personName: (c.personName as string | null | undefined) ?? person?.displayName ?? null,
    kind: (c.requesterKind as string | null | undefined) ?? null,
    chain: (c.chain as string[] | null | undefined) ?? [],
  };
};

test("a per-person rule: the same request from one sender runs, from another it is blocked; the explorer says who asked, down a delegation chain; revoking the rule takes effect at once", async ({
  baseURL,
}) => {
  test.setTimeout(720_000);
  // The approvals of write, sessions_spawn and sessions_send must not be revoked by the pinning spec while it runs.
  for (const tool of ["write", "sessions_spawn", "sessions_send"]) releaseLocks.push(await toolLock(tool, "shared"));
  expect(fs.existsSync(OPENCLAW_BIN), "OpenClaw is not installed: run node scripts/setup-openclaw.mjs (npm test does)").toBe(true);
  const ctx = async (role: "admin" | "security_lead") => {
    const user = await makeUser(role);
    return { user, api: await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(user)}` } }) };
  };
  const admin = await ctx("admin");
  const lead = await ctx("security_lead");

  // Warden: the gateway, its agents main and worker, write approved for both, sessions_spawn and sessions_send for main.
  const token = randomBytes(24).toString("hex");
  const reg = await (await admin.api.post("/api/v1/gateways", { data: { name: `oc-who-${rid()}`, kind: "openclaw", environment: "ci" } })).json();
  const gatewayId: string = reg.data.gateway.id;
  const agents: Record<"main" | "worker", string> = { main: "", worker: "" };
  for (const ext of ["main", "worker"] as const) {
    const res = await admin.api.post("/api/v1/agents", { data: { name: `who-${ext}-${rid()}`, owner: "ci", purpose: "OpenClaw who-asked e2e", gatewayId } });
    expect(res.status(), await res.text()).toBe(201);
    agents[ext] = (await res.json()).data.id;
    await sql().query("update agents set external_id = $2 where id = $1", [agents[ext], ext]);
  }
  const build = await openclawBuildHash();
  const approve = async (name: string, agentIds: string[], permissions: Record<string, boolean>) => {
    const req = await lead.api.post("/api/v1/tool-requests", {
      data: {
        tool: { name, kind: "tool", source: "builtin", publisher: "OpenClaw" },
        version: "2026.9.6",
        contentHash: build,
        permissions,
        justification: "The who-asked e2e agents use it",
        agentIds,
      },
    });
    expect(req.status(), await req.text()).toBe(201);
    const decided = await admin.api.post(`/api/v1/tool-requests/${(await req.json()).data.id}/decision`, {
      data: {
        outcome: "approve",
        reason: "Built-in tool of the pinned build",
        checklist: { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "bundled with the gateway", permissionsNarrowed: true, credEgressFlagged: false },
      },
    });
    expect(decided.status(), await decided.text()).toBe(201);
  };
  await approve("write", [agents.main, agents.worker], { fsWrite: true });
  await approve("sessions_spawn", [agents.main], {});
  await approve("sessions_send", [agents.main], {});
  // main may hand work to worker (an approved agent pair).
  const link = await lead.api.post("/api/v1/agent-links", { data: { fromAgentId: agents.main, toAgentId: agents.worker, reason: "main delegates file writes to worker" } });
  expect(link.status(), await link.text()).toBe(200);

  // The directory: Alice and Bob, each known by an A2A peer name (random: identities are unique
  // across the shared database). Carol's peer is configured on the gateway but is nobody in Warden.
  const peers = { alice: `alice-${rid()}`, bob: `bob-${rid()}`, carol: `carol-${rid()}` };
  const names = { alice: `Alice ${rid()}`, bob: `Bob ${rid()}` };
  const person = async (name: "alice" | "bob", senderId: string) => {
    const res = await admin.api.post("/api/v1/people", { data: { displayName: names[name], email: `${name}-${rid()}@e2e.local` } });
    expect(res.status(), await res.text()).toBe(201);
    const body = await res.json();
    const id: string = (body.data ?? body).id;
    const idRes = await admin.api.post(`/api/v1/people/${id}/identities`, { data: { channel: "a2a", accountId: "default", senderId } });
    expect(idRes.status(), await idRes.text()).toBe(201);
    return id;
  };
  const alice = await person("alice", peers.alice);
  const bob = await person("bob", peers.bob);

  // The real gateway, isolated in a temp dir, with the A2A channel: one bearer token per peer.
  const modelPort = await startModel();
  const gwPort = await freePort();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-oc-who-"));
  const ws = { main: path.join(tmp, "ws-main"), worker: path.join(tmp, "ws-worker") };
  const env = gatewayEnv(tmp, token);
  for (const d of [env.OPENCLAW_HOME, env.OPENCLAW_STATE_DIR, ws.main, ws.worker]) fs.mkdirSync(d, { recursive: true });
  const peerTokens = Object.fromEntries(Object.values(peers).map((p) => [p, randomBytes(24).toString("hex")]));
  fs.writeFileSync(
    env.OPENCLAW_CONFIG_PATH,
    JSON.stringify(
      {
        gateway: { mode: "local", bind: "loopback", port: gwPort, auth: { mode: "token" } },
        logging: { file: path.join(tmp, "openclaw.log") },
        update: { checkOnStart: false },
        agents: {
          ownership: "explicit",
          defaults: { model: { primary: "fake/fake-model" }, systemAgent: { agentId: "main" }, subagents: { allowAgents: ["worker"] } },
          entries: { main: { workspace: ws.main }, worker: { name: "Worker", workspace: ws.worker } },
        },
        // With two agents, A2A turns need an explicit owner (else the task fails: "no explicit owner").
        bindings: [{ agentId: "main", match: { channel: "a2a", accountId: "default" } }],
        tools: { toolSearch: false },
        channels: { a2a: { enabled: true, rateLimitPerMinute: 0, peers: Object.fromEntries(Object.entries(peerTokens).map(([p, t]) => [p, { token: t }])) } },
        models: fakeModels(modelPort),
        plugins: {
          load: { paths: [path.join(ROOT, "connectors", "openclaw")] },
          entries: {
            warden: {
              enabled: true,
              hooks: { allowConversationAccess: true },
              config: {
                wardenUrl: `http://127.0.0.1:${new URL(baseURL!).port}`,
                gatewayId,
                signingSecret: reg.data.signingSecret,
                pollSeconds: 5,
                flushSeconds: 1,
                inventorySeconds: 3600,
                securityAudit: false,
              },
            },
          },
        },
      },
      null,
      2,
    ),
  );
  gw = await startGateway({ port: gwPort, env, onOutput: (b) => (log += b), log: () => log, readyMs: 120_000, policyMs: 60_000 });
  // The A2A channel answers (its public Agent Card) once the gateway's channels have started.
  await expect
    .poll(async () => (await fetch(`http://127.0.0.1:${gwPort}/.well-known/agent-card.json`).catch(() => null))?.status ?? 0, { timeout: 60_000, message: "the A2A channel is up" })
    .toBe(200);
  // The plugin's first inventory (it runs `openclaw plugins list`, which holds the state lock) is done.
  await expect.poll(() => /warden: inventory pushed/.test(log), { timeout: 120_000, message: `inventory pushed; log:\n${log.slice(-1500)}` }).toBe(true);

  /**
   * Send one A2A task as `peer` (its bearer token is its identity); returns once the agent's turn is
   * over. While an `openclaw` CLI process of the Warden plugin (its inventory: `plugins list`) holds
   * the gateway's state lock, a turn fails before it starts ("another OpenClaw process owns
   * state-lifecycle"): that one is sent again.
   */
  const ask = async (peer: string, text: string) => {
    const until = Date.now() + 90_000;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${gwPort}/a2a/v1`, {
        method: "POST",
        headers: { authorization: `Bearer ${peerTokens[peer]}`, "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: rid(), method: "SendMessage", params: { message: { messageId: `m-${rid()}`, role: "ROLE_USER", parts: [{ text }] } } }),
        signal: AbortSignal.timeout(150_000),
      });
      const body = await res.text();
      expect(res.status, body).toBe(200);
      if (/TASK_STATE_FAILED/.test(body) && /another OpenClaw process owns/.test(body) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      expect(body, `the A2A task of ${peer} completed`).toContain("TASK_STATE_COMPLETED");
      return;
    }
  };
  const file = (agent: "main" | "worker", name: string) => path.join(ws[agent], `${name}.txt`);
  const writeCalls = async () => ((await (await admin.api.get(`/api/v1/tool-calls?gateway=${gatewayId}&tool=write&range=1h&pageSize=100`)).json()).data ?? []) as Call[];
  /** The recorded write of <name>.txt, once Warden has it. */
  const callOf = async (name: string) => {
    let found: Call | undefined;
    try {
      await expect.poll(async () => (found = (await writeCalls()).find((c) => c.params?.path === `${name}.txt`)) !== undefined, { timeout: 30_000 }).toBe(true);
    } catch {
      const recorded = (await writeCalls()).map((c) => `${c.params?.path} ${c.decision} ${JSON.stringify(whoAsked(c))}`).join("; ") || "none";
      const lines = log.split("\n").filter((l) => /warden|write|identity|requester|blocked/i.test(l));
      throw new Error(`${name}: the write was not recorded; recorded: ${recorded}; gateway log:\n${lines.slice(-25).join("\n")}`);
    }
    return found!;
  };
  const verified = () => (log.match(/policy v\S+ verified/g) ?? []).length;

  // The per-person rule, made while the gateway runs: it reaches the plugin in a new signed policy.
  const reason = `Bob may not write files through main (${rid()})`;
  let seen = verified();
  const ruleRes = await lead.api.post("/api/v1/identity-rules", { data: { subject: "person", personId: bob, agentId: agents.main, toolName: "write", effect: "deny", reason } });
  expect(ruleRes.status(), await ruleRes.text()).toBe(201);
  const ruleBody = await ruleRes.json();
  const ruleId: string = (ruleBody.data ?? ruleBody).id;
  await expect.poll(verified, { timeout: 30_000, message: `the plugin verified the policy with the rule; log:\n${log.slice(-1500)}` }).toBeGreaterThan(seen);

  // 1. The same request from Alice and from Bob: Alice's write runs, Bob's is blocked by the rule.
  const a = `alice-${rid()}`;
  await ask(peers.alice, `please WRITE ${a}`);
  await expect.poll(() => fs.existsSync(file("main", a)), { timeout: 15_000, message: `Alice's write ran; log:\n${log.slice(-1500)}` }).toBe(true);
  const b = `bob-${rid()}`;
  await ask(peers.bob, `please WRITE ${b}`);
  const callA = await callOf(a);
  const callB = await callOf(b);
  expect(fs.existsSync(file("main", b)), "Bob's write never ran").toBe(false);
  expect(callA).toMatchObject({ decision: "allowed", agentId: agents.main });
  expect(callB).toMatchObject({ decision: "blocked", agentId: agents.main });
  expect(callB.blockReason, "the block names the rule").toContain(reason);
  // Who asked, in the explorer: Alice for hers, Bob for his; both direct calls (no chain).
  expect(whoAsked(callA)).toEqual({ personId: alice, personName: names.alice, kind: "person", chain: [] });
  expect(whoAsked(callB)).toEqual({ personId: bob, personName: names.bob, kind: "person", chain: [] });
  // The explorer filters by the person who asked.
  const byBob = ((await (await admin.api.get(`/api/v1/tool-calls?gateway=${gatewayId}&person=${bob}&range=1h`)).json()).data ?? []) as Call[];
  expect(byBob.map((c) => c.id)).toEqual([callB.id]);

  // 2. A sender the gateway proves but Warden does not know: runs (no rule for them), recorded unmapped.
  const c = `carol-${rid()}`;
  await ask(peers.carol, `please WRITE ${c}`);
  await expect.poll(() => fs.existsSync(file("main", c)), { timeout: 15_000 }).toBe(true);
  expect(whoAsked(await callOf(c))).toEqual({ personId: null, personName: null, kind: "unmapped", chain: [] });

  // 3. Delegation: main spawns the worker, which writes. Alice's delegated write runs and is hers,
  // through main then worker; Bob's is blocked: the rule on main holds down the chain.
  const da = `alice-sub-${rid()}`;
  await ask(peers.alice, `please SPAWN ${da}`);
  await expect.poll(() => fs.existsSync(file("worker", da)), { timeout: 60_000, message: `the worker wrote for Alice; log:\n${log.slice(-1500)}` }).toBe(true);
  const callDa = await callOf(da);
  expect(callDa).toMatchObject({ decision: "allowed", agentId: agents.worker });
  expect(whoAsked(callDa)).toEqual({ personId: alice, personName: names.alice, kind: "person", chain: ["main", "worker"] });
  const db = `bob-sub-${rid()}`;
  await ask(peers.bob, `please SPAWN ${db}`);
  const callDb = await callOf(db);
  expect(callDb).toMatchObject({ decision: "blocked", agentId: agents.worker });
  expect(callDb.blockReason).toContain(reason);
  expect(whoAsked(callDb)).toEqual({ personId: bob, personName: names.bob, kind: "person", chain: ["main", "worker"] });
  expect(fs.existsSync(file("worker", db)), "Bob's delegated write never ran").toBe(false);

  // An agent-to-agent send is a delegation too: main writes into worker's own session for Alice.
  const sa = `alice-send-${rid()}`;
  await ask(peers.alice, `please SEND ${sa}`);
  await expect.poll(() => fs.existsSync(file("worker", sa)), { timeout: 60_000, message: `the worker wrote for Alice's send; log:\n${log.slice(-1500)}` }).toBe(true);
  const callSa = await callOf(sa);
  expect(callSa).toMatchObject({ decision: "allowed", agentId: agents.worker });
  expect(whoAsked(callSa)).toEqual({ personId: alice, personName: names.alice, kind: "person", chain: ["main", "worker"] });

  // 4. Revocation: the rule deleted, the next policy lets Bob's write run.
  seen = verified();
  const deletedAt = Date.now();
  const del = await lead.api.delete(`/api/v1/identity-rules/${ruleId}`);
  expect(del.status(), await del.text()).toBeLessThan(300);
  await expect.poll(verified, { timeout: 30_000, message: "the plugin verified the policy without the rule" }).toBeGreaterThan(seen);
  test.info().annotations.push({ type: "measured", description: `rule deleted in Warden → the gateway holds the policy without it: ${Date.now() - deletedAt} ms` });
  const b2 = `bob-again-${rid()}`;
  await ask(peers.bob, `please WRITE ${b2}`);
  await expect.poll(() => fs.existsSync(file("main", b2)), { timeout: 15_000, message: `Bob's write ran after the revocation; log:\n${log.slice(-1500)}` }).toBe(true);
  const callB2 = await callOf(b2);
  expect(callB2.decision).toBe("allowed");
  expect(whoAsked(callB2)).toEqual({ personId: bob, personName: names.bob, kind: "person", chain: [] });

  for (const c2 of [admin, lead]) await c2.api.dispose();
});
