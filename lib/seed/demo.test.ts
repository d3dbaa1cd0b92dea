import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser } from "@/test/factories";
import { buildGatewayPolicies } from "@/lib/allowlist/policy";
import { computeFindings } from "@/lib/findings/compute";
import { decide } from "@/connectors/openclaw/lib/decide.js";
import { needsApproval } from "@/connectors/openclaw/lib/approval-rules.js";
import { DEMO_RATE_LIMIT, DEMO_USAGE, LIVE_CALLS_PER_MINUTE, SEED_CALL_COUNT, expectedDailyUsd } from "@/lib/demo-fleet/traffic";
import { requesterKey } from "@/lib/people/keys";
import { APPROVAL_RULE_SINCE, seedDemoFleet } from "./demo";

const DAY = 86_400_000;

/**
 * The seeded directory and rules, read back from the database, and the rule that decides a tool at
 * an agent for a requester (most specific wins; deny, then approval, then allow on a tie), written
 * here independently of the seed's own code.
 */
async function loadIdentity() {
  const identities = await db.personIdentity.findMany({ select: { key: true, personId: true, channel: true, accountId: true, senderId: true } });
  const members = await db.personGroupMember.findMany({ select: { groupId: true, personId: true } });
  const rules = await db.identityRule.findMany({ include: { agent: { select: { externalId: true, name: true } } } });
  const personOfKey = new Map(identities.map((i) => [i.key, i.personId]));
  const groupsOf = (personId: string | null) => members.filter((m) => m.personId === personId).map((m) => m.groupId);
  const rank = { person: 3, group: 2, unidentified: 1, anyone: 0 } as const;
  const effectRank = { deny: 2, require_approval: 1, allow: 0 } as const;
  function ruleFor(requester: unknown, agent: string, tool: string) {
    const key = requesterKey((requester ?? undefined) as { channel?: string; senderId?: string } | undefined);
    const personId = key ? (personOfKey.get(key) ?? null) : null;
    const groups = groupsOf(personId);
    const matching = rules.filter(
      (r) =>
        (!r.agent || (r.agent.externalId ?? r.agent.name) === agent) &&
        (!r.toolName || r.toolName === tool) &&
        (r.subject === "anyone" || (r.subject === "unidentified" && !key) || (r.subject === "person" && r.personId === personId && personId) || (r.subject === "group" && groups.includes(r.groupId!))),
    );
    const score = (r: (typeof rules)[number]) => [rank[r.subject], r.toolName ? 1 : 0, r.agentId ? 1 : 0, effectRank[r.effect]];
    matching.sort((a, b) => {
      const [x, y] = [score(a), score(b)];
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i] - x[i];
      return 0;
    });
    return matching[0] ?? null;
  }
  /** The identity verdict over every agent of the chain: the first deny, or null (allowed). */
  function identityDeny(requester: unknown, agents: string[], tool: string) {
    for (const a of agents) {
      const r = ruleFor(requester, a, tool);
      if (r?.effect === "deny") return r;
    }
    return null;
  }
  return { identities, personOfKey, rules, identityDeny };
}
const now = new Date();
let adminId: string;
let first: Awaited<ReturnType<typeof seedDemoFleet>>;

beforeAll(async () => {
  // The administrator exists before the seed, as at a first start.
  adminId = (await makeUser("admin")).user.id;
  first = await seedDemoFleet(db, { now });
}, 120_000);

describe("demo fleet", () => {
  it("seeds once: registry, calls, budgets, and a closed incident whose kill switch was acknowledged and released", async () => {
    expect(first.seeded).toBe(true);
    expect(first.counts).toMatchObject({ toolCalls: SEED_CALL_COUNT, incidents: 1, containmentActions: 1, budgets: (await db.agent.count()) + 1 });
    expect((await seedDemoFleet(db)).seeded).toBe(false);

    expect(await db.budget.count({ where: { agentId: null } })).toBe(1);
    const incident = await db.incident.findFirstOrThrow({ include: { timeline: true, actions: { include: { deliveries: true } } } });
    expect(incident.status).toBe("closed");
    expect(incident.timeline.length).toBeGreaterThanOrEqual(5);
    expect(incident.actions[0].status).toBe("released");
    // Nothing left pending: a fresh install must not start with escalations.
    expect(incident.actions[0].deliveries.every((d) => d.state === "applied")).toBe(true);
    expect(await db.gatewayCommand.count({ where: { state: { not: "applied" } } })).toBe(0);
    // The rollup trigger saw the demo calls.
    const rolled = await db.toolCallHourly.aggregate({ _sum: { calls: true } });
    expect(rolled._sum.calls).toBe(SEED_CALL_COUNT);
    // The live demo knows its gateways, and each can sign its requests.
    const setting = await db.setting.findUniqueOrThrow({ where: { key: "demo_seeded" } });
    const ids = (setting.value as { gateways: string[] }).gateways;
    expect(ids).toHaveLength(2);
    expect(await db.gateway.count({ where: { id: { in: ids }, signingSecretEnc: { not: null } } })).toBe(2);
  });

  it("every seeded call carries the decision the gateway's signed policy gives it", async () => {
    const gateways = await db.gateway.findMany({ select: { id: true } });
    const policies = await buildGatewayPolicies(
      gateways.map((g) => g.id),
      now,
    );
    const calls = await db.toolCall.findMany({
      select: {
        gatewayId: true,
        agentName: true,
        toolName: true,
        toolVersion: true,
        toolHash: true,
        params: true,
        decision: true,
        blockReason: true,
        occurredAt: true,
        requester: true,
        chain: true,
      },
    });
    const { identityDeny } = await loadIdentity();
    const ruleSince = APPROVAL_RULE_SINCE(now).getTime();
    const wrong: string[] = [];
    let blocked = 0;
    for (const c of calls) {
      const policy = policies.get(c.gatewayId) ?? null;
      const call = { agentId: c.agentName, toolName: c.toolName, toolVersion: c.toolVersion ?? undefined, toolHash: c.toolHash ?? undefined, params: c.params };
      // Every agent of a delegated call's chain must hold the tool (scope narrowing), then the person's rules.
      const agents = c.chain.length ? c.chain : [c.agentName];
      const d = agents.map((a) => decide(policy, null, { ...call, agentId: a }, c.occurredAt.getTime())).find((x) => !x.allow) ?? decide(policy, null, call, c.occurredAt.getTime());
      const rule = d.allow ? identityDeny(c.requester, agents, c.toolName) : null;
      const allow = d.allow && !rule;
      if ((allow ? "allowed" : "blocked") !== c.decision)
        wrong.push(`${c.agentName} ${c.toolName} at ${c.occurredAt.toISOString()}: seeded ${c.decision}, policy ${allow ? "allowed" : `blocked (${rule?.reason ?? d.reason})`}`);
      if (!d.allow) {
        blocked++;
        expect(c.blockReason).toBe(d.reason);
      } else if (rule) expect(c.blockReason).toContain(rule.reason);
      // Once the approval rule existed, a call it holds could not have run without a person.
      if (c.occurredAt.getTime() >= ruleSince && d.allow && needsApproval(policy, null, call, c.occurredAt.getTime()))
        wrong.push(`${c.agentName} ${c.toolName} ran without the approval its rule needs`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Both kinds are there, blocked ones rare.
    expect(blocked).toBeGreaterThan(20);
    expect(blocked / calls.length).toBeLessThan(0.05);
  });

  it("who asked agrees with the directory, the rules, the chains and the rate limit", async () => {
    const { identities, personOfKey, rules, identityDeny } = await loadIdentity();
    // The directory: people with senders whose stored key is the key a gateway computes.
    expect(await db.person.count()).toBeGreaterThanOrEqual(6);
    expect(identities.length).toBeGreaterThanOrEqual(6);
    for (const i of identities) expect(i.key).toBe(requesterKey({ channel: i.channel, accountId: i.accountId || undefined, senderId: i.senderId }));
    expect(await db.personGroup.count()).toBe(2);
    expect(rules.length).toBeGreaterThanOrEqual(3);
    // A team-scoped operator, who is also a directory person.
    const jonas = await db.user.findUniqueOrThrow({ where: { email: "jonas.berg@warden.demo" }, include: { team: true, person: true } });
    expect(jonas.role).toBe("operator");
    expect(jonas.team?.name).toBe("Content");
    expect(jonas.person?.displayName).toBe("Jonas Berg");
    expect((await db.team.findMany({ orderBy: { name: "asc" } })).map((t) => t.name)).toEqual(["Content", "Data", "Growth", "Support"]);

    const agents = await db.agent.findMany({ select: { id: true, externalId: true, name: true, gatewayId: true, teamId: true } });
    const agentByName = new Map(agents.map((a) => [a.externalId ?? a.name, a]));
    const calls = await db.toolCall.findMany({
      select: { agentId: true, agentName: true, toolName: true, decision: true, blockReason: true, occurredAt: true, requester: true, requesterKind: true, personId: true, chain: true, teamId: true },
      orderBy: { occurredAt: "asc" },
    });
    const wrong: string[] = [];
    const kinds = { person: 0, unmapped: 0, none: 0 };
    let delegated = 0;
    let ruleBlocked = 0;
    const allowedAt = new Map<string, number[]>();
    for (const c of calls) {
      const what = `${c.agentName} ${c.toolName} at ${c.occurredAt.toISOString()}`;
      kinds[c.requesterKind]++;
      const key = requesterKey((c.requester ?? undefined) as { channel?: string; senderId?: string } | undefined);
      // A person's calls carry a requester whose key maps to that person; unmapped: a key the directory lacks; none: no requester.
      if (c.requesterKind === "person" && (!key || personOfKey.get(key) !== c.personId || !c.personId))
        wrong.push(`${what}: person ${c.personId} but requester key maps to ${key && personOfKey.get(key)}`);
      if (c.requesterKind === "unmapped" && (!key || personOfKey.has(key) || c.personId)) wrong.push(`${what}: unmapped but the key is known or a person is set`);
      if (c.requesterKind === "none" && (c.requester !== null || c.personId)) wrong.push(`${what}: no requester but one is stored`);
      // Chains: existing agents on the call's gateway, ending with the calling agent.
      const agent = agentByName.get(c.agentName)!;
      if (c.teamId !== agent.teamId) wrong.push(`${what}: team ${c.teamId}, the agent's is ${agent.teamId}`);
      if (c.chain.length) {
        if (c.chain.at(-1) !== c.agentName) wrong.push(`${what}: the chain ${c.chain.join(" → ")} does not end with the calling agent`);
        for (const a of c.chain) if (agentByName.get(a)?.gatewayId !== agent.gatewayId) wrong.push(`${what}: the chain names ${a}, not an agent of its gateway`);
        if (new Set(c.chain).size > 1) delegated++;
      }
      // A call blocked by a per-person rule names it, and that rule decides it; an allowed call has no deny.
      const rule = identityDeny(c.requester, c.chain.length ? c.chain : [c.agentName], c.toolName);
      const named = rules.find((r) => c.blockReason?.includes(r.reason));
      if (named) {
        ruleBlocked++;
        if (c.decision !== "blocked" || named.effect !== "deny" || rule?.id !== named.id) wrong.push(`${what}: blocked naming "${named.reason}", which does not decide it`);
      }
      if (c.decision === "allowed" && rule) wrong.push(`${what}: allowed although "${rule.reason}" denies it`);
      if (c.decision === "allowed") {
        const subject = c.personId ?? key ?? "-";
        allowedAt.set(subject, [...(allowedAt.get(subject) ?? []), c.occurredAt.getTime()]);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(kinds.person).toBeGreaterThan(kinds.unmapped);
    expect(kinds.unmapped).toBeGreaterThan(0);
    expect(kinds.none).toBeGreaterThan(0);
    expect(delegated).toBeGreaterThan(0);
    expect(ruleBlocked).toBeGreaterThan(0);
    // Nobody exceeds the demo's per-person limit in any minute (denied calls do not count).
    for (const [subject, times] of allowedAt) {
      let peak = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i] - times[j] >= 60_000) j++;
        peak = Math.max(peak, i - j + 1);
      }
      expect(peak, subject).toBeLessThanOrEqual(DEMO_RATE_LIMIT.perMinute);
    }
  });

  it("findings are what the findings job finds, and read as sentences", async () => {
    const findings = await db.finding.findMany();
    expect(findings.length).toBe(first.counts.findings);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.title).not.toMatch(/\?|\btrue\b|\bfalse\b|undefined|\bnull\b|NaN|\[object/);
      const d = f.detail as Record<string, unknown>;
      if (f.kind === "unapproved_tool" || f.kind === "hash_drift") {
        expect(typeof d.calls).toBe("number");
        expect(typeof d.blocked).toBe("number");
      }
      if (f.kind === "undocumented_egress") expect(typeof d.host).toBe("string");
      expect(f.firstSeenAt.getTime()).toBeLessThanOrEqual(f.lastSeenAt.getTime());
    }
    // The scheduled run over its own window (the last day) creates nothing the seed did not show.
    const run = await computeFindings({ since: new Date(now.getTime() - DAY), now });
    expect(Object.values(run.counts).reduce((n, c) => n + c.created, 0)).toBe(0);
    expect(await db.finding.count()).toBe(findings.length);
  });

  it("the live demo's day of spend trips no budget", async () => {
    const budgets = await db.budget.findMany({ include: { agent: { select: { name: true, model: true } } } });
    let fleet = 0;
    for (const b of budgets.filter((x) => x.agent)) {
      const day = expectedDailyUsd(b.agent!.name, b.agent!.model ?? "");
      fleet += day;
      expect(Number(b.dailyUsd), b.agent!.name).toBeGreaterThan(day * 1.2);
    }
    expect(Number(budgets.find((b) => !b.agentId)!.dailyUsd)).toBeGreaterThan(fleet);
  });

  it("the live trickle is no spike against the seeded week", () => {
    const total = Object.values(DEMO_USAGE).reduce((n, u) => n + u.weight, 0);
    for (const [name, u] of Object.entries(DEMO_USAGE)) {
      const share = u.weight / total;
      const liveHour = LIVE_CALLS_PER_MINUTE * 60 * share;
      const baselinePerHour = (SEED_CALL_COUNT * share) / (7 * 24);
      // The findings job's rule (SPIKE_FACTOR 5), with room for chance: 1.3× the expected hour.
      expect(liveHour * 1.3, name).toBeLessThan(5 * baselinePerHour);
    }
  });

  it("history is attributed to the seeded demo people, who existed before they acted, never to the first admin", async () => {
    const people = await db.user.findMany({ where: { email: { endsWith: "@warden.demo" } }, select: { id: true, createdAt: true } });
    const ids = new Set(people.map((p) => p.id));
    const joined = new Map(people.map((p) => [p.id, p.createdAt]));
    const acts: [string | null, Date][] = [
      ...(await db.trustDecision.findMany({ select: { deciderId: true, decidedAt: true } })).map((d): [string | null, Date] => [d.deciderId, d.decidedAt]),
      ...(await db.grant.findMany({ select: { grantedById: true, createdAt: true } })).map((g): [string | null, Date] => [g.grantedById, g.createdAt]),
      ...(await db.drill.findMany({ select: { runById: true, startedAt: true } })).map((d): [string | null, Date] => [d.runById, d.startedAt]),
      ...(await db.incident.findMany({ select: { ownerId: true, openedAt: true } })).map((i): [string | null, Date] => [i.ownerId, i.openedAt]),
      ...(await db.containmentAction.findMany({ select: { requestedById: true, createdAt: true, releasedById: true, releasedAt: true } })).flatMap((c): [string | null, Date][] => [
        [c.requestedById, c.createdAt],
        [c.releasedById, c.releasedAt ?? c.createdAt],
      ]),
      ...(await db.dataFlow.findMany({ where: { approverId: { not: null } }, select: { approverId: true, decidedAt: true } })).map((f): [string | null, Date] => [f.approverId, f.decidedAt!]),
    ];
    expect(acts.length).toBeGreaterThan(10);
    for (const [who, when] of acts) {
      expect(who).not.toBe(adminId);
      expect(ids.has(who!)).toBe(true);
      expect(joined.get(who!)!.getTime()).toBeLessThan(when.getTime());
    }
    // Registry rows are not younger than their own history.
    const firstCall = await db.toolCall.aggregate({ _min: { occurredAt: true } });
    for (const g of await db.gateway.findMany({ select: { createdAt: true } })) expect(g.createdAt.getTime()).toBeLessThan(firstCall._min.occurredAt!.getTime());
    for (const a of await db.agent.findMany({ select: { createdAt: true } })) expect(a.createdAt.getTime()).toBeLessThan(firstCall._min.occurredAt!.getTime());
  });
});
