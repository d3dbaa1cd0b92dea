// The OpenClaw plugin's reading of the signed policy's `identity` section
// (connectors/openclaw/lib/identity.js): per-person/group rules, most specific wins, scope narrowing
// over a delegation chain, and rate limits counted on allowed calls only.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { consumeShared, createRateLimiter, identityDecision, identityDecisionForChain, personOf, type IdentityRule, type RateLimit } from "../../connectors/openclaw/lib/identity.js";
import { requesterKey } from "../../connectors/openclaw/lib/requester.js";
import { createWardenClient } from "../../connectors/openclaw/lib/warden.js";

const alice = { channel: "telegram", senderId: "111" };
const bob = { channel: "telegram", senderId: "222" };
const carol = { channel: "slack", accountId: "T1", senderId: "U3" };
const stranger = { channel: "telegram", senderId: "999" }; // provable, not in the directory
const ALICE = randomUUID();
const BOB = randomUUID();
const CAROL = randomUUID();
const OPS = randomUUID();
const FINANCE = randomUUID();
const people = {
  [requesterKey(alice)!]: { person: ALICE, groups: [OPS] },
  [requesterKey(bob)!]: { person: BOB, groups: [OPS, FINANCE] },
  [requesterKey(carol)!]: { person: CAROL, groups: [] },
};
let n = 0;
const rule = (r: Omit<IdentityRule, "id" | "reason"> & { reason?: string }): IdentityRule => ({ id: `r${++n}`, reason: `rule ${n}`, ...r });
const section = (rules: IdentityRule[], rateLimits: RateLimit[] = []) => ({ people, rules, rateLimits });

describe("identity rules: most specific wins", () => {
  it("ranks subject, then tool, then agent; ties go to deny, then approval", () => {
    const rules = [
      rule({ subject: "anyone", effect: "deny", tool: "exec" }),
      rule({ subject: "group", subjectId: OPS, effect: "allow", tool: "exec" }),
      rule({ subject: "person", subjectId: BOB, effect: "require_approval" }),
      rule({ subject: "group", subjectId: FINANCE, effect: "deny", agent: "payments" }),
      rule({ subject: "unidentified", effect: "deny" }),
    ];
    const id = section(rules);
    // Alice is in ops: the group allow (rank 2) beats anyone's deny (rank 0) although it is broader in nothing else.
    expect(identityDecision(id, { requester: alice, agentId: "main", toolName: "exec" })).toMatchObject({ effect: "allow", rule: { id: rules[1].id }, personId: ALICE, groups: [OPS] });
    // Bob: the person rule (rank 3, no tool) beats the group rules (rank 2, with tool/agent).
    expect(identityDecision(id, { requester: bob, agentId: "payments", toolName: "exec" })).toMatchObject({ effect: "require_approval", rule: { id: rules[2].id } });
    // Carol: in no group → anyone's deny on exec; nothing on read.
    expect(identityDecision(id, { requester: carol, agentId: "main", toolName: "exec" })).toMatchObject({ effect: "deny", reason: expect.stringContaining(rules[0].reason) });
    expect(identityDecision(id, { requester: carol, agentId: "main", toolName: "read" }).effect).toBeNull();
    // No provable requester (no sender) → unidentified (rank 1) beats anyone.
    expect(identityDecision(id, { requester: undefined, agentId: "main", toolName: "read" })).toMatchObject({ effect: "deny", rule: { id: rules[4].id } });
    expect(identityDecision(id, { requester: { channel: "telegram" }, agentId: "main", toolName: "read" }).effect).toBe("deny");
    // A provable sender the directory does not know is not "unidentified": only anyone applies.
    expect(identityDecision(id, { requester: stranger, agentId: "main", toolName: "read" }).effect).toBeNull();
    expect(identityDecision(id, { requester: stranger, agentId: "main", toolName: "exec" }).effect).toBe("deny");
  });

  it("prefers a rule naming the tool over one naming the agent, and either over neither", () => {
    const wide = rule({ subject: "person", subjectId: ALICE, effect: "deny" });
    const byAgent = rule({ subject: "person", subjectId: ALICE, effect: "require_approval", agent: "main" });
    const byTool = rule({ subject: "person", subjectId: ALICE, effect: "allow", tool: "read" });
    const both = rule({ subject: "person", subjectId: ALICE, effect: "deny", tool: "read", agent: "main" });
    expect(identityDecision(section([wide, byAgent]), { requester: alice, agentId: "main", toolName: "read" }).rule?.id).toBe(byAgent.id);
    expect(identityDecision(section([wide, byAgent, byTool]), { requester: alice, agentId: "main", toolName: "read" }).rule?.id).toBe(byTool.id);
    expect(identityDecision(section([byTool, both, wide]), { requester: alice, agentId: "main", toolName: "read" }).rule?.id).toBe(both.id);
    // Another agent: the agent-specific rules do not match.
    expect(identityDecision(section([wide, byAgent, both]), { requester: alice, agentId: "other", toolName: "read" }).rule?.id).toBe(wide.id);
  });

  it("breaks ties toward deny, then require_approval, whatever their order", () => {
    const a = rule({ subject: "group", subjectId: OPS, effect: "allow" });
    const q = rule({ subject: "group", subjectId: FINANCE, effect: "require_approval" });
    const d = rule({ subject: "group", subjectId: OPS, effect: "deny" });
    for (const order of [
      [a, q, d],
      [d, q, a],
      [q, a, d],
      [a, d, q],
    ]) {
      expect(identityDecision(section(order), { requester: bob, agentId: "main", toolName: "read" }).effect).toBe("deny");
    }
    expect(identityDecision(section([a, q]), { requester: bob, agentId: "main", toolName: "read" }).effect).toBe("require_approval");
    expect(identityDecision(section([q, a]), { requester: bob, agentId: "main", toolName: "read" }).effect).toBe("require_approval");
  });

  it("matches groups by membership only, and never by a key that merely looks like one", () => {
    const ops = rule({ subject: "group", subjectId: OPS, effect: "deny" });
    expect(identityDecision(section([ops]), { requester: alice, agentId: "main", toolName: "read" }).effect).toBe("deny");
    expect(identityDecision(section([ops]), { requester: carol, agentId: "main", toolName: "read" }).effect).toBeNull();
    // Alice is in ops only: a finance rule is not hers, Bob (ops and finance) gets it.
    const finance = rule({ subject: "group", subjectId: FINANCE, effect: "deny" });
    expect(identityDecision(section([finance]), { requester: alice, agentId: "main", toolName: "read" }).effect).toBeNull();
    expect(identityDecision(section([finance]), { requester: bob, agentId: "main", toolName: "read" }).effect).toBe("deny");
    // Case and spacing of the sender id are part of the identity (only the channel is case-folded).
    expect(identityDecision(section([ops]), { requester: { channel: "Telegram", senderId: "111" }, agentId: "main", toolName: "read" }).effect).toBe("deny");
    expect(identityDecision(section([ops]), { requester: { channel: "telegram", senderId: "111", accountId: "other" }, agentId: "main", toolName: "read" }).effect).toBeNull();
    // Prototype keys are not people.
    const proto = { people: JSON.parse('{"__proto__": {"person": "x", "groups": []}}'), rules: [ops], rateLimits: [] };
    expect(personOf(proto, { channel: "x", senderId: "__proto__" }).personId).toBeUndefined();
    // A person rule without subjectId cannot be read: the section is refused (fail closed), never a rule silently skipped.
    expect(identityDecision(section([rule({ subject: "person", effect: "deny" })]), { requester: alice, agentId: "main", toolName: "read" }).effect).toBe("deny");
  });

  it("fails closed on a malformed section, and does nothing without one", () => {
    expect(identityDecision(undefined, { requester: alice, agentId: "main", toolName: "read" }).effect).toBeNull();
    expect(identityDecision({ people, rules: "deny" }, { requester: alice, agentId: "main", toolName: "read" }).effect).toBe("deny");
    expect(identityDecision("x", { requester: alice, agentId: "main", toolName: "read" }).effect).toBe("deny");
    // An entry this plugin cannot read (a subject or effect from a newer Warden, an inherited name, a
    // wrong type, a limit without an id) might be a deny: every call is refused, not the entry skipped.
    const call = { requester: alice, agentId: "main", toolName: "read" };
    // Hostile shapes on purpose: typed as unknown, as a gateway reads them off the wire.
    const raw = (r: Record<string, unknown>): unknown => ({ id: `r${++n}`, reason: "raw", ...r });
    for (const bad of [
      { rules: [raw({ subject: "role", subjectId: "admins", effect: "deny" })] },
      { rules: [raw({ subject: "anyone", effect: "toString" })] },
      { rules: [raw({ subject: "constructor", effect: "deny" })] },
      { rules: [raw({ subject: "anyone", effect: "deny", tool: 42 })] },
      { rules: ["deny"] },
      { rateLimits: [{ subject: "anyone", perMinute: 1, shared: false }] },
      { rateLimits: [{ id: "l1", subject: "team", perMinute: 1, shared: false }] },
    ]) {
      const d = identityDecision({ people, rules: [], rateLimits: [], ...bad }, call);
      expect(d.effect, JSON.stringify(bad)).toBe("deny");
      expect(d.reason).toMatch(/cannot read/);
    }
    // What Warden sends (valid entries) is read as before.
    expect(
      identityDecision({ people, rules: [raw({ subject: "anyone", effect: "allow", tool: null })], rateLimits: [{ id: "l1", subject: "anyone", perMinute: 5, shared: false, tier: null }] }, call)
        .effect,
    ).toBe("allow");
  });

  it("narrows scope over a chain: every agent and every person behind the call must be allowed", () => {
    const denyWorker = rule({ subject: "person", subjectId: ALICE, effect: "deny", agent: "orchestrator", tool: "exec" });
    const id = section([denyWorker]);
    // The worker itself has no rule, but the orchestrator that delegated to it does.
    expect(identityDecision(id, { requester: alice, agentId: "worker", toolName: "exec" }).effect).toBeNull();
    expect(identityDecisionForChain(id, { requesters: [alice], agents: ["orchestrator", "worker"], toolName: "exec" })).toMatchObject({ effect: "deny", agentId: "orchestrator" });
    expect(identityDecisionForChain(id, { requesters: [bob], agents: ["orchestrator", "worker"], toolName: "exec" }).effect).toBeNull();
    // Two people behind one session: the stricter wins.
    expect(identityDecisionForChain(id, { requesters: [bob, alice], agents: ["orchestrator"], toolName: "exec" }).effect).toBe("deny");
    const q = section([rule({ subject: "unidentified", effect: "require_approval" })]);
    expect(identityDecisionForChain(q, { requesters: [bob, undefined], agents: ["main"], toolName: "read" }).effect).toBe("require_approval");
  });
});

describe("rate limits", () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };
  const limit = (l: Partial<RateLimit>): RateLimit => ({ id: `l${++n}`, subject: "anyone", perMinute: 2, shared: false, ...l });

  it("counts only committed (allowed) calls, per person across every agent, in a sliding 60 s window", () => {
    const c = clock();
    const rl = createRateLimiter({ now: c.now });
    const perPerson = limit({ subject: "group", subjectId: OPS, perMinute: 2 });
    const id = section([], [perPerson]);
    const call = (agentId: string, requester = alice, chain: string[] = []) => rl.check(id, { requester, agentId, chain, toolName: "exec", tier: chain.length ? "subagent" : "interactive" });
    // Checks alone (blocked calls) never count.
    for (let i = 0; i < 5; i++) expect(call("main")[0].exhausted).toBe(false);
    rl.commit(call("main"));
    rl.commit(call("worker", alice, ["main", "worker"])); // a sub-agent of the same person shares the count
    expect(call("other")[0]).toMatchObject({ id: perPerson.id, count: 2, exhausted: true, subjectKey: ALICE });
    // Bob is counted on his own.
    expect(call("main", bob)[0].exhausted).toBe(false);
    // A released slot (the call was blocked later, e.g. an approval denied) is given back.
    const taken = rl.commit(call("main", bob));
    rl.release(taken);
    expect(call("main", bob)[0].count).toBe(0);
    c.advance(59_999);
    expect(call("main")[0].exhausted).toBe(true);
    c.advance(1);
    expect(call("main")[0].exhausted).toBe(false);
  });

  it("applies every matching limit, by agent (and its sub-agents), tool and tier", () => {
    const rl = createRateLimiter({ now: clock().now });
    const onOrch = limit({ id: "orch", agent: "orchestrator", perMinute: 1 });
    const onSub = limit({ id: "sub", tier: "subagent", perMinute: 1 });
    const onRead = limit({ id: "read", tool: "read", perMinute: 1 });
    const unid = limit({ id: "unid", subject: "unidentified", perMinute: 1 });
    const id = section([], [onOrch, onSub, onRead, unid]);
    const ids = (ctx: Parameters<ReturnType<typeof createRateLimiter>["check"]>[1]) =>
      rl
        .check(id, ctx)
        .map((l) => l.id)
        .sort();
    expect(ids({ requester: alice, agentId: "orchestrator", chain: [], toolName: "exec", tier: "interactive" })).toEqual(["orch"]);
    // The orchestrator's limit also covers the worker it delegated to.
    expect(ids({ requester: alice, agentId: "worker", chain: ["orchestrator", "worker"], toolName: "read", tier: "subagent" })).toEqual(["orch", "read", "sub"]);
    expect(ids({ requester: alice, agentId: "worker", chain: [], toolName: "exec", tier: "interactive" })).toEqual([]);
    expect(ids({ requester: undefined, agentId: "worker", chain: [], toolName: "exec", tier: "interactive" })).toEqual(["unid"]);
    // Tier-specific: the subagent limit is exhausted for sub-agent calls, interactive ones go on.
    rl.commit(rl.check(id, { requester: alice, agentId: "worker", chain: ["x", "worker"], toolName: "exec", tier: "subagent" }));
    expect(rl.check(id, { requester: alice, agentId: "worker", chain: ["x", "worker"], toolName: "exec", tier: "subagent" }).find((l) => l.id === "sub")?.exhausted).toBe(true);
    expect(rl.check(id, { requester: alice, agentId: "worker", chain: [], toolName: "exec", tier: "interactive" }).find((l) => l.id === "sub")).toBeUndefined();
    // Unidentified callers share one "-" bucket; an unmapped sender is counted by its key.
    expect(rl.check(id, { requester: undefined, agentId: "a", chain: [], toolName: "exec", tier: "interactive" })[0].subjectKey).toBe("-");
    const anyone = section([], [limit({ id: "any" })]);
    expect(rl.check(anyone, { requester: stranger, agentId: "a", chain: [], toolName: "exec", tier: "interactive" })[0].subjectKey).toBe(requesterKey(stranger));
  });

  it("never counts shared limits locally, and denies them when Warden cannot be asked", async () => {
    const rl = createRateLimiter({ now: clock().now });
    const shared = limit({ id: randomUUID(), shared: true, perMinute: 1 });
    const id = section([], [shared]);
    const [l] = rl.check(id, { requester: alice, agentId: "main", chain: [], toolName: "exec", tier: "interactive" });
    expect(l).toMatchObject({ shared: true, exhausted: false, subjectKey: ALICE });
    rl.commit([l]);
    expect(rl.check(id, { requester: alice, agentId: "main", chain: [], toolName: "exec", tier: "interactive" })[0].count).toBe(0);

    const answers: { status: number; body: unknown }[] = [];
    const seen: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ url: req.url, gateway: req.headers["x-warden-gateway"], body: JSON.parse(body) });
        const a = answers.shift() ?? { status: 500, body: {} };
        res.writeHead(a.status, { "content-type": "application/json" }).end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const gatewayId = randomUUID();
      const client = createWardenClient({ wardenUrl: `http://127.0.0.1:${port}`, gatewayId, signingSecret: `whsec_${Buffer.from("k".repeat(32)).toString("base64")}` });
      answers.push({ status: 200, body: { data: { allowed: true, count: 1, limit: 1, resetAt: new Date().toISOString() } } });
      expect(await consumeShared(client, l)).toEqual({ allowed: true });
      expect(seen[0]).toEqual({ url: "/api/v1/connector/rate-limits/consume", gateway: gatewayId, body: { ruleId: shared.id, subjectKey: ALICE } });
      answers.push({ status: 200, body: { data: { allowed: false, count: 1, limit: 1, resetAt: "2026-12-07T21:00:00.000Z" } } });
      expect(await consumeShared(client, l)).toEqual({ allowed: false, reason: expect.stringContaining(`rate limit ${shared.id} reached`) });
      // Anything but a well-formed 200 denies: an error status, a 200 without data.
      answers.push({ status: 503, body: { error: { code: "unavailable", message: "down" } } });
      expect((await consumeShared(client, l)).allowed).toBe(false);
      answers.push({ status: 200, body: { ok: true } });
      expect((await consumeShared(client, l)).allowed).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
    // Warden unreachable (nothing listens there any more) or no client at all: denied, fail closed.
    const down = createWardenClient({ wardenUrl: "http://127.0.0.1:9", gatewayId: randomUUID(), signingSecret: "whsec_AAAA" });
    expect(await consumeShared(down, l)).toEqual({ allowed: false, reason: expect.stringContaining("fail closed") });
    expect((await consumeShared(null, l)).allowed).toBe(false);
  });
});
