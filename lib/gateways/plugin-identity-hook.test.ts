// The OpenClaw plugin's before_tool_call path with the policy's `identity` section, in process: the
// plugin is registered against a test double of OpenClaw's plugin API and the hooks are called the
// way OpenClaw 2026.9.6 calls them (ctx.requester, subagent_spawned with ctx.requesterSessionKey).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import plugin from "../../connectors/openclaw/index.js";
import { canonicalJson } from "../../connectors/openclaw/lib/crypto.js";
import { requesterKey } from "../../connectors/openclaw/lib/requester.js";

type Hook = (event: Record<string, unknown>, ctx: Record<string, unknown>) => unknown;
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const alice = { channel: "telegram", senderId: "111" };
const bob = { channel: "telegram", senderId: "222" };
const ALICE = randomUUID();
const BOB = randomUUID();
const people = { [requesterKey(alice)!]: { person: ALICE, groups: [] }, [requesterKey(bob)!]: { person: BOB, groups: [] } };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const agent = (id: string, tools: string[]) => ({ id, wardenId: randomUUID(), name: id, status: "active", tools: tools.map((name) => ({ name })) });
const AGENTS = [agent("orchestrator", ["read", "exec", "sessions_spawn", "sessions_send"]), agent("worker", ["read", "exec", "write"]), agent("helper", ["read", "exec"])];

/** Register the plugin with a signed policy on disk; returns its hooks and the spooled events. */
function start(identity?: unknown, wardenUrl = "http://127.0.0.1:9") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-identity-"));
  dirs.push(dir);
  const gatewayId = randomUUID();
  const policy = {
    schema: "warden.policy/v1",
    gatewayId,
    version: "1",
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    agents: AGENTS,
    ...(identity ? { identity } : {}),
  };
  const signed = { policy, algorithm: "Ed25519", keyId: "k1", signature: sign(null, Buffer.from(canonicalJson(policy)), privateKey).toString("base64") };
  fs.writeFileSync(path.join(dir, "policy.json"), JSON.stringify({ signed }));
  const hooks = new Map<string, Hook>();
  const quiet = { info() {}, warn() {}, error() {} };
  plugin.register({
    id: "warden",
    registrationMode: "setup",
    logger: quiet,
    config: {},
    runtime: {},
    pluginConfig: {
      wardenUrl,
      gatewayId,
      signingSecret: `whsec_${Buffer.from("s".repeat(32)).toString("base64")}`,
      wardenPublicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
      spoolDir: dir,
      gatewayUrl: "ws://127.0.0.1:9",
    },
    on: (name: string, fn: Hook) => hooks.set(name, fn),
  });
  let n = 0;
  const call = async (agentId: string, toolName: string, opts: { requester?: unknown; sessionKey?: string; params?: Record<string, unknown> } = {}) => {
    const toolCallId = `c${++n}`;
    const sessionKey = opts.sessionKey ?? `agent:${agentId}:main`;
    const res = (await hooks.get("before_tool_call")!(
      { toolName, params: opts.params ?? {}, toolCallId, runId: "r1" },
      { agentId, sessionKey, toolName, toolCallId, runId: "r1", ...(opts.requester ? { requester: opts.requester } : {}) },
    )) as { block?: boolean; blockReason?: string } | undefined;
    const events = fs
      .readFileSync(path.join(dir, "spool", "current.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    return { blocked: res?.block === true, reason: res?.blockReason, event: events.find((e) => e.eventId === `${toolCallId}@r1.decision`) };
  };
  const spawned = (parentSessionKey: string, childSessionKey: string, childAgent: string) =>
    hooks.get("subagent_spawned")!(
      { childSessionKey, agentId: childAgent, mode: "run", threadRequested: false, runId: "r2", requester: { channel: "telegram" } },
      { requesterSessionKey: parentSessionKey, childSessionKey, runId: "r2" },
    );
  return { call, spawned, dir };
}

describe("before_tool_call with identity rules", () => {
  it("without an identity section behaves as before, and reports who asked", async () => {
    const p = start();
    const r = await p.call("orchestrator", "exec", { requester: { ...alice, senderIsOwner: false, roleIds: ["r1"] } });
    expect(r).toMatchObject({ blocked: false, event: { decision: "allowed", requester: { ...alice, senderIsOwner: false, roleIds: ["r1"] }, tier: "interactive" } });
    expect(r.event.chain).toBeUndefined();
    expect((await p.call("orchestrator", "write", { requester: alice })).blocked).toBe(true); // the allowlist still decides
    const none = await p.call("orchestrator", "read");
    expect(none.event.requester).toBeUndefined();
  });

  it("blocks a person's call by their rule and lets another person's through", async () => {
    const p = start({ people, rules: [{ id: "deny-alice", subject: "person", subjectId: ALICE, tool: "exec", effect: "deny", reason: "Alice may not run commands" }], rateLimits: [] });
    const a = await p.call("orchestrator", "exec", { requester: alice });
    expect(a).toMatchObject({ blocked: true, reason: expect.stringContaining("Alice may not run commands"), event: { decision: "blocked", requester: alice } });
    expect((await p.call("orchestrator", "exec", { requester: bob })).blocked).toBe(false);
    // An allow rule never widens the allowlist.
    const q = start({ people, rules: [{ id: "allow-all", subject: "anyone", effect: "allow", reason: "ok" }], rateLimits: [] });
    expect((await q.call("orchestrator", "write", { requester: alice })).blocked).toBe(true);
  });

  it("carries the originating person down a spawn: the sub-agent's calls are hers, with the chain", async () => {
    const p = start({ people, rules: [{ id: "deny-alice", subject: "person", subjectId: ALICE, tool: "exec", effect: "deny", reason: "no exec for Alice" }], rateLimits: [] });
    expect((await p.call("orchestrator", "sessions_spawn", { requester: alice, params: { task: "t", agentId: "worker" } })).blocked).toBe(false);
    const child = "agent:worker:subagent:7f1c";
    p.spawned("agent:orchestrator:main", child, "worker");
    // The child's own requester (a channel without sender, or even another person) does not replace hers.
    for (const own of [undefined, { channel: "telegram" }, bob]) {
      const r = await p.call("worker", "exec", { sessionKey: child, requester: own });
      expect(r, JSON.stringify(own)).toMatchObject({
        blocked: true,
        reason: expect.stringContaining("no exec for Alice"),
        event: { requester: alice, chain: ["orchestrator", "worker"], tier: "subagent" },
      });
    }
    expect(await p.call("worker", "read", { sessionKey: child })).toMatchObject({ blocked: false, event: { requester: alice, chain: ["orchestrator", "worker"], tier: "subagent" } });
    // OpenClaw announces a spawn after launching the child: a first call that comes earlier waits for it.
    const late = "agent:worker:subagent:late";
    const early = p.call("worker", "exec", { sessionKey: late });
    setTimeout(() => p.spawned("agent:orchestrator:main", late, "worker"), 150);
    expect(await early).toMatchObject({ blocked: true, event: { requester: alice, chain: ["orchestrator", "worker"], tier: "subagent" } });
    // A grandchild: the chain grows, the person stays.
    const grand = "agent:helper:subagent:99aa";
    p.spawned(child, grand, "helper");
    expect(await p.call("helper", "read", { sessionKey: grand })).toMatchObject({ event: { requester: alice, chain: ["orchestrator", "worker", "helper"] } });
    // Bob's spawn: his sub-agent may exec.
    p.spawned("agent:orchestrator:bob-session", "agent:worker:subagent:b0b", "worker");
    await p.call("orchestrator", "read", { sessionKey: "agent:orchestrator:bob-session", requester: bob });
    p.spawned("agent:orchestrator:bob-session", "agent:worker:subagent:b0b2", "worker");
    expect((await p.call("worker", "exec", { sessionKey: "agent:worker:subagent:b0b2" })).event).toMatchObject({ decision: "allowed", requester: bob });
    // The provenance survives a reload of the plugin (saved to the spool dir).
    await new Promise((r) => setTimeout(r, 400));
    expect(JSON.parse(fs.readFileSync(path.join(p.dir, "delegations.json"), "utf8")).delegated.map((e: [string]) => e[0])).toContain(child);
  });

  it("narrows a sub-agent to what every agent of its chain may do (allowlist and identity rules)", async () => {
    const p = start({
      people,
      rules: [{ id: "r", subject: "person", subjectId: BOB, agent: "orchestrator", tool: "read", effect: "deny", reason: "Bob may not read through the orchestrator" }],
      rateLimits: [],
    });
    const child = "agent:worker:subagent:n1";
    await p.call("orchestrator", "sessions_spawn", { requester: bob, params: { task: "t", agentId: "worker" } });
    p.spawned("agent:orchestrator:main", child, "worker");
    // The worker may write, the orchestrator may not: the delegated write is blocked.
    expect(await p.call("worker", "write", { sessionKey: child })).toMatchObject({ blocked: true, reason: expect.stringContaining('agent "orchestrator"') });
    // A rule on the orchestrator for Bob also holds for the worker it delegated to.
    expect(await p.call("worker", "read", { sessionKey: child })).toMatchObject({ blocked: true, reason: expect.stringContaining("Bob may not read") });
    expect((await p.call("worker", "read", { requester: bob })).blocked).toBe(false); // Bob directly at the worker
  });

  it("treats a sub-agent session whose spawn it never saw as unidentified", async () => {
    const p = start({ people, rules: [{ id: "u", subject: "unidentified", effect: "deny", reason: "who is this?" }], rateLimits: [] });
    expect(await p.call("worker", "read", { sessionKey: "agent:worker:subagent:unknown", requester: alice })).toMatchObject({ blocked: true, event: { tier: "subagent" } });
    expect((await p.call("worker", "read", { requester: alice })).blocked).toBe(false);
  });

  it("carries the sender down a sessions_send, and decides for both people when the target session has its own", async () => {
    const p = start({ people, rules: [{ id: "d", subject: "person", subjectId: ALICE, agent: "helper", tool: "exec", effect: "deny", reason: "not via helper" }], rateLimits: [] });
    expect((await p.call("orchestrator", "sessions_send", { requester: alice, params: { sessionKey: "agent:helper:main", message: "go" } })).blocked).toBe(false);
    expect(await p.call("helper", "exec", { sessionKey: "agent:helper:main" })).toMatchObject({ blocked: true, event: { requester: alice, chain: ["orchestrator", "helper"], tier: "subagent" } });
    // Bob writing into the same session does not lift Alice's restriction there.
    expect((await p.call("helper", "exec", { sessionKey: "agent:helper:main", requester: bob })).blocked).toBe(true);
    expect((await p.call("helper", "exec", { sessionKey: "agent:helper:other", requester: bob })).blocked).toBe(false);
    // The other way round: a restricted person's own message in a session someone else's agent wrote
    // into is still decided for her (the reported requester stays the originating one).
    const q = start({ people, rules: [{ id: "d", subject: "person", subjectId: BOB, agent: "helper", tool: "exec", effect: "deny", reason: "Bob: not via helper" }], rateLimits: [] });
    await q.call("orchestrator", "sessions_send", { requester: alice, params: { agentId: "helper", message: "go" } });
    expect(await q.call("helper", "exec", { sessionKey: "agent:helper:main", requester: bob })).toMatchObject({
      blocked: true,
      reason: expect.stringContaining("Bob: not via helper"),
      event: { requester: alice },
    });
    expect((await q.call("helper", "exec", { sessionKey: "agent:helper:main" })).blocked).toBe(false);
  });

  it("limits a person across the agents and sub-agents acting for her, counting only allowed calls", async () => {
    const p = start({ people, rules: [], rateLimits: [{ id: "alice-2", subject: "person", subjectId: ALICE, perMinute: 2, shared: false }] });
    expect((await p.call("orchestrator", "write", { requester: alice })).blocked).toBe(true); // blocked by the allowlist: not counted
    expect((await p.call("orchestrator", "read", { requester: alice })).blocked).toBe(false);
    await p.call("orchestrator", "sessions_spawn", { requester: bob, params: { task: "t", agentId: "worker" } }); // Bob's own count
    await p.call("orchestrator", "read", { sessionKey: "agent:orchestrator:alice", requester: alice }); // 2nd
    // A sub-agent session whose spawn was never seen is unidentified, but Alice's own requester is on it:
    // the call is counted for every person behind it, so it is over her limit too.
    const third = await p.call("worker", "read", { sessionKey: "agent:worker:subagent:a2", requester: alice });
    expect(third).toMatchObject({ blocked: true, reason: expect.stringContaining("rate limit alice-2 reached") });
    p.spawned("agent:orchestrator:alice", "agent:worker:subagent:a3", "worker");
    expect(await p.call("worker", "read", { sessionKey: "agent:worker:subagent:a3" })).toMatchObject({
      blocked: true,
      reason: expect.stringContaining("rate limit alice-2 reached"),
      event: { requester: alice, tier: "subagent" },
    });
    expect((await p.call("worker", "read", { requester: bob })).blocked).toBe(false);
  });

  it("counts a call in a session someone else sent into against the session's own person too (a send is no way around a limit)", async () => {
    const p = start({ people, rules: [], rateLimits: [{ id: "bob-1", subject: "person", subjectId: BOB, perMinute: 1, shared: false }] });
    expect((await p.call("helper", "read", { sessionKey: "agent:helper:main", requester: bob })).blocked).toBe(false); // Bob's one call
    await p.call("orchestrator", "sessions_send", { requester: alice, params: { sessionKey: "agent:helper:main", message: "go" } });
    // Bob's next message in that session is reported as Alice's (the originating person), but still counts as Bob's.
    expect(await p.call("helper", "read", { sessionKey: "agent:helper:main", requester: bob })).toMatchObject({ blocked: true, reason: expect.stringContaining("rate limit bob-1 reached") });
    // Alice's own calls elsewhere are not Bob's.
    expect((await p.call("orchestrator", "read", { requester: alice })).blocked).toBe(false);
  });

  it("blocks a call under a shared limit when Warden cannot count it", async () => {
    const p = start({ people, rules: [], rateLimits: [{ id: randomUUID(), subject: "anyone", perMinute: 100, shared: true }] });
    expect(await p.call("orchestrator", "read", { requester: alice })).toMatchObject({ blocked: true, reason: expect.stringContaining("fail closed") });
  });

  it("holds a call a person's rule puts under approval (the approvals broker decides)", async () => {
    const p = start({ people, rules: [{ id: "q", subject: "person", subjectId: ALICE, tool: "exec", effect: "require_approval", reason: "Alice needs a second pair of eyes" }], rateLimits: [] });
    // No approval route in this test: the broker blocks (fail closed) instead of letting it run.
    expect(await p.call("orchestrator", "exec", { requester: alice })).toMatchObject({ blocked: true, reason: expect.stringContaining("approval required") });
    expect((await p.call("orchestrator", "exec", { requester: bob })).blocked).toBe(false);
  }, 15_000);
});
