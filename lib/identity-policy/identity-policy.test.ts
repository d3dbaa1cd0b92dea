import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import type { Actor } from "@/lib/auth/actor";
import { makeUser, rid } from "@/test/factories";
import { execute } from "@/lib/action";
import { requesterKey } from "@/lib/people/keys";
import { buildGatewayPolicy } from "@/lib/allowlist/policy";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST as CONSUME } from "@/app/api/v1/connector/rate-limits/consume/route";
import { GET as LIST_RULES, POST as CREATE_RULE } from "@/app/api/v1/identity-rules/route";
import { DELETE as DELETE_RULE, PATCH as PATCH_RULE } from "@/app/api/v1/identity-rules/[id]/route";
import { POST as CREATE_LIMIT } from "@/app/api/v1/rate-limits/route";
import { createIdentityRuleAction, createRateLimitAction, deleteIdentityRuleAction, updateIdentityRuleAction } from "./actions";
import { consumeSharedLimit, pruneRateLimitCounts } from "./consume";
import { enqueueIdentityPolicyRefresh } from "./refresh";

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const BASE = "http://warden.test";
const json = (method: string, path: string, body?: unknown) =>
  new Request(`${BASE}${path}`, { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

async function gateway(opts: { seen?: boolean } = {}) {
  const secret = generateSigningSecret();
  const gw = await db.gateway.create({
    data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret), ...(opts.seen ? { lastSeenAt: new Date() } : {}) },
  });
  const agent = await db.agent.create({ data: { name: `ledger-${rid()}`, externalId: `ledger-${rid()}`, owner: "o", purpose: "p", gatewayId: gw.id } });
  const signed = (path: string, body: string) =>
    new Request(`${BASE}${path}`, { method: "POST", headers: { ...signedHeaders(secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" }, body });
  return { gw, agent, signed };
}

/** A person with one sender identity (telegram), optionally in a group. */
async function person(opts: { groupId?: string; teamId?: string } = {}) {
  const senderId = `+1555${Math.floor(Math.random() * 1e7)}`;
  const key = requesterKey({ channel: "telegram", senderId })!;
  const p = await db.person.create({
    data: { displayName: `Pat ${rid()}`, ...(opts.teamId ? { teamId: opts.teamId } : {}), identities: { create: { channel: "telegram", accountId: "", senderId, key } } },
  });
  if (opts.groupId) await db.personGroupMember.create({ data: { groupId: opts.groupId, personId: p.id } });
  return { person: p, senderId, key };
}
const group = (teamId?: string) => db.personGroup.create({ data: { name: `finance-${rid()}`, ...(teamId ? { teamId } : {}) } });

const lead = async () => (await makeUser("security_lead")).actor;

describe("identity rules: validation, conflicts, audit", () => {
  it("refuses a subject without what it names (or with what it must not name), bad tools and bad rates, changing nothing", async () => {
    const actor = await lead();
    const before = await db.identityRule.count();
    const cases: [unknown, string][] = [
      [{ subject: "person", effect: "deny", reason: "r" }, "personId"],
      [{ subject: "group", effect: "deny", reason: "r" }, "groupId"],
      [{ subject: "anyone", personId: crypto.randomUUID(), effect: "deny", reason: "r" }, "personId"],
      [{ subject: "unidentified", groupId: crypto.randomUUID(), effect: "deny", reason: "r" }, "groupId"],
      [{ subject: "anyone", toolName: "rm -rf /", effect: "deny", reason: "r" }, "toolName"],
      [{ subject: "anyone", effect: "maybe", reason: "r" }, "effect"],
      [{ subject: "anyone", effect: "deny", reason: "  " }, "reason"],
      [{ subject: "anyone", effect: "deny", timeoutSeconds: 60, reason: "r" }, "timeoutSeconds"],
      [{ subject: "anyone", effect: "require_approval", timeoutSeconds: 5, reason: "r" }, "timeoutSeconds"],
      [{ subject: "person", personId: crypto.randomUUID(), effect: "deny", reason: "r" }, "personId"],
      [{ subject: "anyone", agentId: crypto.randomUUID(), effect: "deny", reason: "r" }, "agentId"],
    ];
    for (const [input, field] of cases) {
      const res = await execute(actor, createIdentityRuleAction, input);
      expect(res.ok, JSON.stringify(input)).toBe(false);
      if (!res.ok) {
        expect(res.status).toBe(400);
        expect(Object.keys(res.fieldErrors ?? {}), JSON.stringify(input)).toContain(field);
      }
    }
    for (const [perMinute, field] of [
      [0, "perMinute"],
      [100_001, "perMinute"],
      [1.5, "perMinute"],
    ] as const) {
      const res = await execute(actor, createRateLimitAction, { subject: "anyone", perMinute, reason: "r" });
      expect(res.ok).toBe(false);
      if (!res.ok) expect(Object.keys(res.fieldErrors ?? {})).toContain(field);
    }
    const res = await execute(actor, createRateLimitAction, { subject: "anyone", tier: "robot", perMinute: 5, reason: "r" });
    expect(res.ok).toBe(false);
    expect(await db.identityRule.count()).toBe(before);
  });

  it("a second rule for the same subject × agent × tool is a 409 with field errors, also when two race", async () => {
    const actor = await lead();
    const { agent } = await gateway();
    const g = await group();
    const input = { subject: "group", groupId: g.id, agentId: agent.id, toolName: "payments.send", effect: "allow", reason: "finance sends payments" };
    const [a, b] = await Promise.all([execute(actor, createIdentityRuleAction, input), execute(actor, createIdentityRuleAction, { ...input, effect: "deny" })]);
    const results = [a, b];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const lost = results.find((r) => !r.ok)!;
    expect(lost.ok).toBe(false);
    if (!lost.ok) {
      expect(lost.status).toBe(409);
      expect(lost.fieldErrors?.groupId).toBeTruthy();
    }
    const again = await execute(actor, createIdentityRuleAction, input);
    expect(again.ok || again.status).toBe(409);
    expect(await db.identityRule.count({ where: { groupId: g.id } })).toBe(1);
    // The same subject and agent with another tool, or with every tool, is a different rule.
    expect((await execute(actor, createIdentityRuleAction, { ...input, toolName: "payments.refund" })).ok).toBe(true);
    expect((await execute(actor, createIdentityRuleAction, { ...input, toolName: null, effect: "deny" })).ok).toBe(true);
    expect((await execute(actor, createIdentityRuleAction, { ...input, toolName: "" })).ok).toBe(false);
    // Limits: per tier too.
    const limit = { subject: "group", groupId: g.id, agentId: agent.id, perMinute: 10, reason: "finance pace" };
    expect((await execute(actor, createRateLimitAction, limit)).ok).toBe(true);
    const dup = await execute(actor, createRateLimitAction, { ...limit, perMinute: 20 });
    expect(dup.ok || dup.status).toBe(409);
    expect((await execute(actor, createRateLimitAction, { ...limit, tier: "subagent" })).ok).toBe(true);
  });

  it("create, update and delete are audited with what changed; only admins and security leads may write", async () => {
    const actor = await lead();
    const { agent } = await gateway();
    const { person: p } = await person();
    const created = await execute(actor, createIdentityRuleAction, {
      subject: "person",
      personId: p.id,
      agentId: agent.id,
      toolName: "exec",
      effect: "require_approval",
      timeoutSeconds: 300,
      reason: "ask first",
    });
    expect(created.ok).toBe(true);
    const id = (created as { data: { id: string } }).data.id;
    const updated = await execute(actor, updateIdentityRuleAction, { id, effect: "deny", reason: "never" });
    expect(updated.ok && updated.data).toMatchObject({ effect: "deny", timeoutSeconds: null, reason: "never" });
    expect((await execute(actor, deleteIdentityRuleAction, { id })).ok).toBe(true);
    const again = await execute(actor, deleteIdentityRuleAction, { id });
    expect(again.ok || again.status).toBe(404);
    const audit = await db.auditEvent.findMany({ where: { targetId: id }, orderBy: { id: "asc" }, select: { action: true, before: true, after: true } });
    expect(audit.map((a) => a.action)).toEqual(["identity_rule.create", "identity_rule.update", "identity_rule.delete"]);
    expect(audit[0]!.after).toMatchObject({ subject: "person", person: p.displayName, agent: agent.name, tool: "exec", effect: "require_approval", timeoutSeconds: 300 });
    expect(audit[1]!.before).toMatchObject({ effect: "require_approval" });
    expect(audit[1]!.after).toMatchObject({ effect: "deny" });
    expect(audit[2]!.before).toMatchObject({ effect: "deny", reason: "never" });

    for (const role of ["operator", "auditor", "manager"] as const) {
      const { actor: other } = await makeUser(role);
      const res = await execute(other, createIdentityRuleAction, { subject: "anyone", agentId: agent.id, effect: "deny", reason: "r" });
      expect(res.ok || res.status).toBe(403);
    }
    expect((await execute((await makeUser("admin")).actor, createIdentityRuleAction, { subject: "unidentified", agentId: agent.id, effect: "deny", reason: "no anonymous calls" })).ok).toBe(true);
  });

  it("a team-scoped lead writes rules only for their team's agents (and people)", async () => {
    const [teamA, teamB] = await Promise.all([db.team.create({ data: { name: `a-${rid()}` } }), db.team.create({ data: { name: `b-${rid()}` } })]);
    const { user } = await makeUser("security_lead");
    await db.user.update({ where: { id: user.id }, data: { teamId: teamA.id } });
    const scoped: Actor = { kind: "user", userId: user.id, label: user.email, role: "security_lead", teamId: teamA.id, ip: null, userAgent: null };
    const own = await gateway();
    const theirs = await gateway();
    await db.agent.update({ where: { id: own.agent.id }, data: { teamId: teamA.id } });
    await db.agent.update({ where: { id: theirs.agent.id }, data: { teamId: teamB.id } });
    const pB = await person({ teamId: teamB.id });
    const base = { subject: "anyone", effect: "deny", reason: "r" };
    const noAgent = await execute(scoped, createIdentityRuleAction, base);
    expect(noAgent.ok || noAgent.status).toBe(403);
    const other = await execute(scoped, createIdentityRuleAction, { ...base, agentId: theirs.agent.id });
    expect(other.ok || other.status).toBe(403);
    const otherPerson = await execute(scoped, createIdentityRuleAction, { ...base, subject: "person", personId: pB.person.id, agentId: own.agent.id });
    expect(otherPerson.ok || otherPerson.status).toBe(403);
    const ok = await execute(scoped, createIdentityRuleAction, { ...base, agentId: own.agent.id });
    expect(ok.ok).toBe(true);
    // A fleet-wide lead's rule for team B's agent is invisible (404) to the scoped lead.
    const foreign = await execute(await lead(), createIdentityRuleAction, { ...base, agentId: theirs.agent.id });
    const del = await execute(scoped, deleteIdentityRuleAction, { id: (foreign as { data: { id: string } }).data.id });
    expect(del.ok || del.status).toBe(404);
    session.actor = scoped;
    const listed = (await (await LIST_RULES()).json()).data as { id: string }[];
    expect(listed.map((r) => r.id)).toContain((ok as { data: { id: string } }).data.id);
    expect(listed.map((r) => r.id)).not.toContain((foreign as { data: { id: string } }).data.id);
  });
});

describe("identity section of the signed policy", () => {
  it("carries hashed requester keys only, the rules and limits that reach the gateway, and leaves other gateways' policies untouched", async () => {
    const actor = await lead();
    const mine = await gateway();
    const other = await gateway();
    const otherBefore = await buildGatewayPolicy(other.gw.id);
    const before = await buildGatewayPolicy(mine.gw.id);
    expect(before.identity).toBeUndefined();
    const g = await group();
    const pat = await person({ groupId: g.id });
    const rule = await execute(actor, createIdentityRuleAction, {
      subject: "group",
      groupId: g.id,
      agentId: mine.agent.id,
      toolName: "payments.send",
      effect: "allow",
      reason: "finance sends payments",
    });
    const deny = await execute(actor, createIdentityRuleAction, { subject: "anyone", agentId: mine.agent.id, toolName: "payments.send", effect: "deny", reason: "only finance" });
    const ask = await execute(actor, createIdentityRuleAction, { subject: "person", personId: pat.person.id, agentId: mine.agent.id, toolName: "exec", effect: "require_approval", reason: "ask" });
    const limit = await execute(actor, createRateLimitAction, { subject: "person", personId: pat.person.id, agentId: mine.agent.id, tier: "subagent", perMinute: 30, shared: true, reason: "pace" });
    expect([rule, deny, ask, limit].every((r) => r.ok)).toBe(true);
    const stranger = await person();
    const after = await buildGatewayPolicy(mine.gw.id);
    expect(after.version).not.toBe(before.version);
    const ident = after.identity!;
    expect(ident.people[pat.key]).toEqual({ person: pat.person.id, groups: [g.id] });
    expect(ident.rules).toHaveLength(3);
    expect(ident.rules).toContainEqual({
      id: (rule as { data: { id: string } }).data.id,
      subject: "group",
      subjectId: g.id,
      agent: mine.agent.externalId,
      tool: "payments.send",
      effect: "allow",
      reason: "finance sends payments",
    });
    expect(ident.rules.find((r) => r.effect === "require_approval")).toMatchObject({ subject: "person", subjectId: pat.person.id, tool: "exec", timeoutMs: 120_000 });
    expect(ident.rateLimits).toEqual([
      { id: (limit as { data: { id: string } }).data.id, subject: "person", subjectId: pat.person.id, agent: mine.agent.externalId, tier: "subagent", perMinute: 30, shared: true },
    ]);
    // No sender id, channel account or display name in what goes to the gateway.
    const text = JSON.stringify(after);
    expect(text).not.toContain(pat.senderId);
    expect(text).not.toContain(pat.senderId.slice(1));
    expect(text).not.toContain(pat.person.displayName);
    // The other gateway's policy is byte-identical: no section, same version.
    const otherAfter = await buildGatewayPolicy(other.gw.id);
    expect(otherAfter.identity).toBeUndefined();
    expect(otherAfter.version).toBe(otherBefore.version);
    // Only the people its rules can match reach a gateway; a limit for anyone (counted per person) needs everyone.
    expect(ident.people[stranger.key]).toBeUndefined();
    expect(Object.values(ident.people).every((v) => v.person === pat.person.id)).toBe(true);
    expect((await execute(actor, createRateLimitAction, { subject: "anyone", agentId: mine.agent.id, perMinute: 60, reason: "pace everyone" })).ok).toBe(true);
    expect((await buildGatewayPolicy(mine.gw.id)).identity!.people[stranger.key]).toEqual({ person: stranger.person.id, groups: [] });
  });

  it("a rule change changes the version and enqueues a refresh; a disabled person drops out; a rule for every agent reaches every gateway", async () => {
    const actor = await lead();
    const f = await gateway({ seen: true });
    const pat = await person();
    const created = await execute(actor, createIdentityRuleAction, { subject: "person", personId: pat.person.id, agentId: f.agent.id, effect: "deny", reason: "offboarded" });
    expect(created.ok).toBe(true);
    const pending = () => db.gatewayCommand.count({ where: { gatewayId: f.gw.id, type: "policy_refresh", state: "pending" } });
    expect(await pending()).toBe(1);
    const v1 = await buildGatewayPolicy(f.gw.id);
    expect(v1.identity!.people[pat.key]).toBeTruthy();
    // Acknowledge the refresh so the next change must enqueue a new one.
    await db.gatewayCommand.updateMany({ where: { gatewayId: f.gw.id, type: "policy_refresh" }, data: { state: "applied", ackedAt: new Date() } });
    await db.$executeRaw`update gateway_policies set stale = false where gateway_id = ${f.gw.id}::uuid`;
    const id = (created as { data: { id: string } }).data.id;
    expect((await execute(actor, updateIdentityRuleAction, { id, effect: "require_approval" })).ok).toBe(true);
    expect(await pending()).toBe(1);
    expect((await db.gatewayPolicyCache.findUnique({ where: { gatewayId: f.gw.id }, select: { stale: true } }))?.stale).toBe(true);
    const v2 = await buildGatewayPolicy(f.gw.id);
    expect(v2.version).not.toBe(v1.version);

    // Disabling the person (a directory change) drops their key and refreshes the gateway.
    await db.gatewayCommand.updateMany({ where: { gatewayId: f.gw.id, type: "policy_refresh" }, data: { state: "applied", ackedAt: new Date() } });
    await db.$transaction(async (tx) => {
      await tx.person.update({ where: { id: pat.person.id }, data: { disabledAt: new Date() } });
      await enqueueIdentityPolicyRefresh(tx);
    });
    expect(await pending()).toBe(1);
    const v3 = await buildGatewayPolicy(f.gw.id);
    expect(v3.identity!.people[pat.key]).toBeUndefined();
    expect(v3.version).not.toBe(v2.version);

    // A rule for every agent reaches a gateway no rule named before, and leaves with its deletion.
    const bystander = await gateway({ seen: true });
    expect((await buildGatewayPolicy(bystander.gw.id)).identity).toBeUndefined();
    const everywhere = await execute(actor, createIdentityRuleAction, { subject: "unidentified", effect: "deny", reason: "no anonymous calls" });
    expect(everywhere.ok).toBe(true);
    expect(await db.gatewayCommand.count({ where: { gatewayId: bystander.gw.id, type: "policy_refresh", state: "pending" } })).toBe(1);
    expect((await buildGatewayPolicy(bystander.gw.id)).identity?.rules).toEqual([expect.objectContaining({ subject: "unidentified", effect: "deny" })]);
    expect((await execute(actor, deleteIdentityRuleAction, { id: (everywhere as { data: { id: string } }).data.id })).ok).toBe(true);
    expect((await buildGatewayPolicy(bystander.gw.id)).identity).toBeUndefined();
  });
});

describe("shared rate limits counted by Warden", () => {
  async function sharedLimit(perMinute: number, opts: { shared?: boolean } = {}) {
    const f = await gateway();
    const res = await execute(await lead(), createRateLimitAction, { subject: "anyone", agentId: f.agent.id, perMinute, shared: opts.shared ?? true, reason: "pace" });
    expect(res.ok).toBe(true);
    return { ...f, ruleId: (res as { data: { id: string } }).data.id };
  }

  it("30 parallel consumes against a limit of 10: exactly 10 allowed, refused calls never counted", async () => {
    const f = await sharedLimit(10);
    const subjectKey = "a".repeat(64);
    const results = await Promise.all(Array.from({ length: 30 }, () => consumeSharedLimit(f.gw.id, { ruleId: f.ruleId, subjectKey })));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(
      results
        .filter((r) => r.allowed)
        .map((r) => r.count)
        .sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const r of results.filter((x) => !x.allowed)) expect(r).toMatchObject({ count: 10, limit: 10 });
    const stored = await db.rateLimitCount.aggregate({ where: { ruleId: f.ruleId, subjectKey }, _sum: { count: true } });
    expect(stored._sum.count).toBe(10);
    const later = await consumeSharedLimit(f.gw.id, { ruleId: f.ruleId, subjectKey });
    expect(later).toMatchObject({ allowed: false, count: 10 });
    expect(Date.parse(later.resetAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(later.resetAt)).toBeLessThanOrEqual(Date.now() + 65_000);
    // Another subject has its own count.
    expect((await consumeSharedLimit(f.gw.id, { ruleId: f.ruleId, subjectKey: "-" })).allowed).toBe(true);
    // Buckets older than the window no longer count, and the prune job drops them.
    await db.rateLimitCount.updateMany({ where: { ruleId: f.ruleId, subjectKey }, data: { bucket: new Date(Date.now() - 5 * 60_000) } });
    expect((await consumeSharedLimit(f.gw.id, { ruleId: f.ruleId, subjectKey })).count).toBe(1);
    expect(await pruneRateLimitCounts()).toBeGreaterThanOrEqual(1);
  });

  it("over HTTP: gateway-signed; refuses a limit that is not shared or does not reach the gateway", async () => {
    const f = await sharedLimit(2);
    const body = (b: unknown) => JSON.stringify(b);
    const post = (g: typeof f, b: unknown) => CONSUME(g.signed("/api/v1/connector/rate-limits/consume", body(b)));
    const ok = await post(f, { ruleId: f.ruleId, subjectKey: "-" });
    expect(ok.status).toBe(200);
    expect((await ok.json()).data).toMatchObject({ allowed: true, count: 1, limit: 2 });
    // Another gateway cannot spend (or probe) this gateway's limit.
    const stranger = await gateway();
    expect((await post({ ...stranger, ruleId: f.ruleId }, { ruleId: f.ruleId, subjectKey: "-" })).status).toBe(404);
    const local = await sharedLimit(2, { shared: false });
    expect((await post(local, { ruleId: local.ruleId, subjectKey: "-" })).status).toBe(400);
    expect((await post(f, { ruleId: f.ruleId, subjectKey: "not a key" })).status).toBe(400);
    expect((await post(f, { ruleId: crypto.randomUUID(), subjectKey: "-" })).status).toBe(404);
    // Unsigned: refused before anything is counted.
    const unsigned = await CONSUME(
      new Request(`${BASE}/api/v1/connector/rate-limits/consume`, { method: "POST", headers: { "x-warden-gateway": f.gw.id }, body: body({ ruleId: f.ruleId, subjectKey: "-" }) }),
    );
    expect(unsigned.status).toBe(401);
    expect((await db.rateLimitCount.aggregate({ where: { ruleId: f.ruleId }, _sum: { count: true } }))._sum.count).toBe(1);
  });
});

describe("identity rules API", () => {
  it("creates, lists, patches and deletes by HTTP with the same validation and authorization", async () => {
    const { agent } = await gateway();
    session.actor = (await makeUser("operator")).actor;
    expect((await CREATE_RULE(json("POST", "/api/v1/identity-rules", { subject: "anyone", agentId: agent.id, effect: "deny", reason: "r" }))).status).toBe(403);
    session.actor = await lead();
    const bad = await CREATE_RULE(json("POST", "/api/v1/identity-rules", { subject: "person", effect: "deny", reason: "r" }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fieldErrors.personId).toBeTruthy();
    const res = await CREATE_RULE(json("POST", "/api/v1/identity-rules", { subject: "anyone", agentId: agent.id, toolName: "exec", effect: "deny", reason: "r" }));
    expect(res.status).toBe(201);
    const { id } = (await res.json()).data;
    expect((await CREATE_RULE(json("POST", "/api/v1/identity-rules", { subject: "anyone", agentId: agent.id, toolName: "exec", effect: "allow", reason: "r" }))).status).toBe(409);
    expect(((await (await LIST_RULES()).json()).data as { id: string }[]).map((r) => r.id)).toContain(id);
    const patched = await PATCH_RULE(json("PATCH", `/api/v1/identity-rules/${id}`, { effect: "require_approval", timeoutSeconds: 60 }), ctx(id));
    expect((await patched.json()).data).toMatchObject({ effect: "require_approval", timeoutSeconds: 60 });
    expect((await DELETE_RULE(json("DELETE", `/api/v1/identity-rules/${id}`), ctx(id))).status).toBe(200);
    expect((await DELETE_RULE(json("DELETE", `/api/v1/identity-rules/${id}`), ctx(id))).status).toBe(404);
    expect((await CREATE_LIMIT(json("POST", "/api/v1/rate-limits", { subject: "anyone", agentId: agent.id, perMinute: 100001, reason: "r" }))).status).toBe(400);
  });
});

describe("who asked, on a held approval", () => {
  it("stores the requester (normalized), chain and tier the plugin reports, and names the directory's person", async () => {
    const f = await gateway();
    const pat = await person();
    const { POST: postApproval } = await import("@/app/api/v1/connector/approvals/route");
    const { paramsHashOf } = await import("@/lib/approvals/service");
    const { getApproval } = await import("@/lib/approvals/queries");
    const report = async (extra: Record<string, unknown>) => {
      const params = { command: "ls" };
      const body = JSON.stringify({
        requestId: crypto.randomUUID(),
        toolCallId: `c-${rid()}`,
        agentId: f.agent.externalId,
        toolName: "exec",
        params,
        paramsHash: paramsHashOf(params),
        reason: "held",
        timeoutMs: 60_000,
        ...extra,
      });
      return postApproval(f.signed("/api/v1/connector/approvals", body));
    };
    const rule = await execute(await lead(), createIdentityRuleAction, {
      subject: "person",
      personId: pat.person.id,
      agentId: f.agent.id,
      toolName: "exec",
      effect: "require_approval",
      reason: "ask first",
    });
    const ruleId = (rule as { data: { id: string } }).data.id;
    const res = await report({
      ruleId,
      requester: { channel: "Telegram", senderId: pat.senderId, senderIsOwner: false, extra: "x".repeat(5000) },
      chain: ["orchestrator", f.agent.externalId],
      tier: "subagent",
    });
    expect(res.status).toBe(201);
    const view = await getApproval((await res.json()).data.id);
    expect(view).toMatchObject({ requester: `${pat.person.displayName} (telegram:${pat.senderId})`, chain: ["orchestrator", f.agent.externalId], tier: "subagent" });
    expect(view?.ruleText).toBe(`per-person rule: ${pat.person.displayName} × ${f.agent.name} × exec`);
    const row = await db.approvalRequest.findFirstOrThrow({ where: { gatewayId: f.gw.id }, select: { requester: true } });
    expect(row.requester).toEqual({ channel: "telegram", senderId: pat.senderId, senderIsOwner: false });
    // An unknown sender is shown as such; none at all is null; a bad chain or tier is a 400.
    const unknown = await report({ requester: { channel: "slack", senderId: "U123" } });
    expect((await getApproval((await unknown.json()).data.id))?.requester).toBe("slack:U123 (not in the directory)");
    const none = await report({});
    expect((await getApproval((await none.json()).data.id))?.requester).toBeNull();
    expect((await report({ chain: Array.from({ length: 17 }, (_, i) => `a${i}`) })).status).toBe(400);
    expect((await report({ tier: "root" })).status).toBe(400);
  });
});
