import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser } from "@/test/factories";
import { buildGatewayPolicies } from "@/lib/allowlist/policy";
import { computeFindings } from "@/lib/findings/compute";
import { decide } from "@/connectors/openclaw/lib/decide.js";
import { needsApproval } from "@/connectors/openclaw/lib/approval-rules.js";
import { DEMO_USAGE, LIVE_CALLS_PER_MINUTE, SEED_CALL_COUNT, expectedDailyUsd } from "@/lib/demo-fleet/traffic";
import { APPROVAL_RULE_SINCE, seedDemoFleet } from "./demo";

const DAY = 86_400_000;
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
      select: { gatewayId: true, agentName: true, toolName: true, toolVersion: true, toolHash: true, params: true, decision: true, blockReason: true, occurredAt: true },
    });
    const ruleSince = APPROVAL_RULE_SINCE(now).getTime();
    const wrong: string[] = [];
    let blocked = 0;
    for (const c of calls) {
      const policy = policies.get(c.gatewayId) ?? null;
      const call = { agentId: c.agentName, toolName: c.toolName, toolVersion: c.toolVersion ?? undefined, toolHash: c.toolHash ?? undefined, params: c.params };
      const d = decide(policy, null, call, c.occurredAt.getTime());
      if ((d.allow ? "allowed" : "blocked") !== c.decision)
        wrong.push(`${c.agentName} ${c.toolName} at ${c.occurredAt.toISOString()}: seeded ${c.decision}, policy ${d.allow ? "allowed" : `blocked (${d.reason})`}`);
      if (!d.allow) {
        blocked++;
        expect(c.blockReason).toBe(d.reason);
      }
      // Once the approval rule existed, a call it holds could not have run without a person.
      if (c.occurredAt.getTime() >= ruleSince && d.allow && needsApproval(policy, null, call, c.occurredAt.getTime()))
        wrong.push(`${c.agentName} ${c.toolName} ran without the approval its rule needs`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Both kinds are there, blocked ones rare.
    expect(blocked).toBeGreaterThan(20);
    expect(blocked / calls.length).toBeLessThan(0.05);
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
