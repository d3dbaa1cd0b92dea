import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { can, type RoleName } from "@/lib/auth/roles";
import { makeUser, rid } from "@/test/factories";
import { getOverviewDashboard } from "./queries";
import type { OverviewDashboard } from "./types";
import { GET } from "@/app/api/v1/overview/route";

// The route resolves its caller through getActor(); tests swap in an actor of a given role.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
const asRole = (role: RoleName | null) => {
  session.actor = role ? { kind: "user", label: `${role}-${rid()}@test.local`, role, ip: "203.0.113.9", userAgent: "vitest" } : null;
};

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

async function gateway(lastSeenAt: Date | null = null) {
  return db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test", lastSeenAt } });
}
async function agent(gatewayId: string) {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test", gatewayId } });
}

type CallSeed = { at: Date; n: number; blocked?: boolean; agent?: { id: string; name: string } | null; costUsd?: string; params?: unknown; result?: unknown };
async function calls(gatewayId: string, seeds: CallSeed[]) {
  await db.toolCall.createMany({
    data: seeds.flatMap((s) =>
      Array.from({ length: s.n }, (_, i) => ({
        occurredAt: new Date(s.at.getTime() + i * 1000),
        gatewayId,
        eventId: `ev-${rid()}`,
        agentId: s.agent?.id ?? null,
        agentName: s.agent?.name ?? "ghost-agent",
        toolName: "web_fetch",
        decision: s.blocked ? ("blocked" as const) : ("allowed" as const),
        costUsd: s.costUsd ?? null,
        params: (s.params ?? { url: "https://example.com" }) as object,
        result: (s.result ?? { ok: true }) as object,
      })),
    ),
  });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const tile = (d: OverviewDashboard, id: string) => d.tiles.find((t) => t.id === id)!;

/** Every key anywhere in a JSON-like value. */
function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keysOf(x, out);
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      keysOf(x, out);
    }
  }
  return out;
}

describe("overview dashboard", () => {
  it("counts tool calls from the rollup: 24 h vs 7 d, allowed vs blocked, per hour and per day, and spend against the fleet budget", async () => {
    // A "now" of its own (10:30 UTC) so no other test's calls fall in these windows.
    const now = new Date("2031-03-12T10:30:00Z");
    const gw = await gateway(now);
    const a = await agent(gw.id);
    await calls(gw.id, [
      { at: new Date(now.getTime() - 1 * HOUR), n: 3, agent: a, costUsd: "0.500000" },
      { at: new Date(now.getTime() - 1 * HOUR), n: 2, blocked: true, agent: a },
      { at: new Date(now.getTime() - 5 * HOUR), n: 1, agent: null, costUsd: "0.250000" },
      // Inside 7 d, not 24 h.
      { at: new Date(now.getTime() - 3 * DAY), n: 4, agent: a, costUsd: "1.000000" },
      { at: new Date(now.getTime() - 3 * DAY), n: 1, blocked: true, agent: a },
      // Inside 30 d only.
      { at: new Date(now.getTime() - 10 * DAY), n: 2, blocked: true, agent: a },
      // Outside every window: too old, and clock-skewed into tomorrow. (Spend is per UTC day, like the
      // breaker's, so a call stamped later today would count towards today's spend.)
      { at: new Date(now.getTime() - 40 * DAY), n: 5, agent: a, costUsd: "9.000000" },
      { at: new Date(now.getTime() + 20 * HOUR), n: 1, agent: a, costUsd: "9.000000" },
    ]);
    await db.budget.create({ data: { agentId: null, dailyUsd: "4.00", onLimit: "suspend_agent" } });

    const d = await getOverviewDashboard(now);
    expect(d.calls.last24h).toEqual({ calls: 6, blocked: 2 });
    expect(d.calls.last7d).toEqual({ calls: 11, blocked: 3 });
    expect(tile(d, "blocked_24h")).toMatchObject({ value: "2", href: "/tool-calls?decision=blocked&range=24h", tone: "warn" });
    expect(tile(d, "blocked_7d")).toMatchObject({ value: "3", hint: "of 11 calls" });

    // Hourly: the 24 hours ending with the current one.
    expect(d.charts.hourly).toHaveLength(24);
    expect(d.charts.hourly.at(-1)!.hour).toBe("2031-03-12T10:00:00.000Z");
    expect(d.charts.hourly.find((p) => p.hour === "2031-03-12T09:00:00.000Z")).toEqual({ hour: "2031-03-12T09:00:00.000Z", allowed: 3, blocked: 2 });
    expect(sum(d.charts.hourly.map((p) => p.allowed + p.blocked))).toBe(6);
    // Daily: 30 UTC days ending today.
    expect(d.charts.daily).toHaveLength(30);
    expect(d.charts.daily.at(-1)!.day).toBe("2031-03-12");
    expect(d.charts.daily.find((p) => p.day === "2031-03-09")).toEqual({ day: "2031-03-09", allowed: 4, blocked: 1 });
    expect(d.charts.daily.find((p) => p.day === "2031-03-02")).toEqual({ day: "2031-03-02", allowed: 0, blocked: 2 });
    expect(sum(d.charts.daily.map((p) => p.allowed + p.blocked))).toBe(13);

    // Spend today (UTC day) is 1.50 + 0.25; the 7 days add the 4.00 of three days ago.
    expect(Number(d.spend.todayUsd)).toBeCloseTo(1.75, 6);
    expect(Number(d.spend.weekUsd)).toBeCloseTo(5.75, 6);
    expect(d.spend.budget).toMatchObject({ dailyUsd: "4.00", enabled: true });
    expect(d.spend.percent).toBe(43.7);
    expect(tile(d, "spend")).toMatchObject({ value: "$1.75", href: "/spend", tone: "default" });
    expect(d.charts.spendByAgent).toEqual([
      { agentId: a.id, agentName: a.name, todayUsd: 1.5, weekUsd: 5.5 },
      { agentId: null, agentName: "Unattributed calls", todayUsd: 0.25, weekUsd: 0.25 },
    ]);

    // The next day, the same calls have moved out of the 24-hour window but stay in the 7 days.
    const later = await getOverviewDashboard(new Date(now.getTime() + DAY));
    expect(later.calls.last24h).toEqual({ calls: 1, blocked: 0 });
    expect(later.calls.last7d).toEqual({ calls: 12, blocked: 3 });
  });

  it("counts reviews, unapproved tool use, containment, escalations, incidents, drills due and silent gateways", async () => {
    const now = new Date();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const before = await getOverviewDashboard(now);
    const lead = await makeUser("security_lead");

    // Reviews: two pending requests (one approved does not count), one overdue re-review.
    const tool = await db.tool.create({ data: { name: `tool-${rid()}`, kind: "tool", source: "npm", publisher: "acme" } });
    const v = await db.toolVersion.create({ data: { toolId: tool.id, version: "1.0.0", contentHash: "a".repeat(64) } });
    for (const status of ["pending", "pending", "approved"] as const)
      await db.toolRequest.create({ data: { toolVersionId: v.id, requesterId: lead.user.id, justification: "needed for tests", status, createdAt: ago(DAY) } });
    const decision = (outcome: "approve" | "approve_with_conditions" | "reject", reReviewAt: Date | null, revokedAt: Date | null = null) =>
      db.trustDecision.create({ data: { toolVersionId: v.id, deciderId: lead.user.id, outcome, checklist: {}, reason: "test", decidedAt: ago(2 * DAY), reReviewAt, revokedAt } });
    await decision("approve", ago(DAY)); // overdue
    await decision("approve_with_conditions", new Date(now.getTime() + 30 * DAY)); // not due yet
    await decision("approve", ago(DAY), ago(HOUR)); // revoked: no re-review needed
    await decision("reject", ago(DAY)); // rejected: nothing to re-review
    await db.integration.create({ data: { name: `int-${rid()}`, provider: "acme", reason: "t", nextReviewAt: ago(DAY) } });
    await db.integration.create({ data: { name: `int-${rid()}`, provider: "acme", reason: "t", nextReviewAt: new Date(now.getTime() + DAY), advisoryFlaggedAt: ago(HOUR) } });

    // Findings: unapproved tool use seen 2 h and 3 d ago (open), one dismissed, one of another kind.
    const gwFresh = await gateway(ago(MIN));
    const a = await agent(gwFresh.id);
    const finding = (kind: "unapproved_tool" | "spike", lastSeenAt: Date, status: "open" | "dismissed" = "open") =>
      db.finding.create({ data: { kind, severity: "high", status, gatewayId: gwFresh.id, agentId: a.id, toolName: "rogue", title: "t", lastSeenAt, firstSeenAt: lastSeenAt } });
    await finding("unapproved_tool", ago(2 * HOUR));
    await finding("unapproved_tool", ago(3 * DAY));
    await finding("unapproved_tool", ago(HOUR), "dismissed");
    await finding("spike", ago(HOUR));

    // Containment: one active action with two timed-out deliveries (escalations), one released.
    const active = await db.containmentAction.create({ data: { scope: "tool", target: "rogue", action: "deny_tool", reason: "test" } });
    await db.containmentAction.create({ data: { scope: "tool", target: "x", action: "deny_tool", reason: "test", status: "released", releasedAt: now } });
    const gwStale = await gateway(ago(HOUR));
    const gwNever = await gateway(null);
    for (const [gatewayId, state] of [
      [gwFresh.id, "timed_out"],
      [gwStale.id, "timed_out"],
      [gwNever.id, "applied"],
    ] as const) {
      await db.gatewayCommand.create({ data: { actionId: active.id, gatewayId, state } });
    }

    // Incidents: two open, one contained, one resolved.
    for (const status of ["open", "open", "contained", "resolved"] as const) await db.incident.create({ data: { title: `inc ${rid()}`, severity: "high", status } });

    // Playbooks: drilled 10 days ago (fine), 100 days ago (due), never (due).
    const playbook = async (drilledDaysAgo: number | null) => {
      const p = await db.playbook.create({ data: { name: `pb-${rid()}`, trigger: "manual" } });
      if (drilledDaysAgo !== null) await db.drill.create({ data: { playbookId: p.id, runById: lead.user.id, startedAt: ago(drilledDaysAgo * DAY) } });
    };
    await playbook(10);
    await playbook(100);
    await playbook(null);

    const after = await getOverviewDashboard(now);
    expect(after.reviews.pendingRequests - before.reviews.pendingRequests).toBe(2);
    expect(after.reviews.overdueReReviews - before.reviews.overdueReReviews).toBe(1);
    // The flagged one is due now too, whatever its schedule says (lib/integrations/queries.ts reviewDueAt).
    expect(after.reviews.integrationsOverdue - before.reviews.integrationsOverdue).toBe(2);
    expect(after.reviews.integrationsFlagged - before.reviews.integrationsFlagged).toBe(1);
    expect(after.calls.unapproved24h - before.calls.unapproved24h).toBe(1);
    expect(after.calls.unapproved7d - before.calls.unapproved7d).toBe(2);
    expect(after.findingsOpen - before.findingsOpen).toBe(3);
    expect(after.response.activeContainment - before.response.activeContainment).toBe(1);
    expect(after.response.escalations - before.response.escalations).toBe(2);
    expect(after.response.incidentsOpen - before.response.incidentsOpen).toBe(2);
    expect(after.response.incidentsContained - before.response.incidentsContained).toBe(1);
    expect(after.playbooks.total - before.playbooks.total).toBe(3);
    expect(after.playbooks.drillDue - before.playbooks.drillDue).toBe(2);
    expect(after.gateways.total - before.gateways.total).toBe(3);
    expect(after.gateways.notSeen - before.gateways.notSeen).toBe(2);

    // Review throughput: the four decisions of two days ago, by outcome; three requests filed.
    const totals = (d: OverviewDashboard) => ({
      approved: sum(d.charts.reviewThroughput.map((w) => w.approved)),
      conditional: sum(d.charts.reviewThroughput.map((w) => w.conditional)),
      rejected: sum(d.charts.reviewThroughput.map((w) => w.rejected)),
      filed: sum(d.charts.reviewThroughput.map((w) => w.filed)),
    });
    const t0 = totals(before);
    const t1 = totals(after);
    expect({ approved: t1.approved - t0.approved, conditional: t1.conditional - t0.conditional, rejected: t1.rejected - t0.rejected, filed: t1.filed - t0.filed }).toEqual({
      approved: 2,
      conditional: 1,
      rejected: 1,
      filed: 3,
    });
    expect(after.charts.reviewThroughput).toHaveLength(12);

    // Tiles link to their filtered lists and turn red when someone must act.
    expect(tile(after, "overdue_rereviews")).toMatchObject({ href: "/tools?review=overdue", tone: "bad" });
    expect(tile(after, "escalations")).toMatchObject({ value: String(after.response.escalations), href: "/containment", tone: "bad" });
    expect(tile(after, "incidents")).toMatchObject({ value: String(after.response.incidentsOpen + after.response.incidentsContained), href: "/incidents?status=open", tone: "bad" });
    expect(tile(after, "drills")).toMatchObject({ value: String(after.playbooks.drillDue), href: "/playbooks?drill=due", tone: "warn" });
    expect(tile(after, "gateways_stale")).toMatchObject({ href: "/gateways", tone: "bad" });
    expect(tile(after, "unapproved_24h")).toMatchObject({ href: "/findings?kind=unapproved_tool&status=open", tone: "bad" });
  });

  it("re-reads the hours that received calls since the last load, past hours included", async () => {
    const now = new Date("2032-07-01T12:10:00Z");
    const gw = await gateway(now);
    const a = await agent(gw.id);
    await calls(gw.id, [{ at: new Date(now.getTime() - 2 * HOUR), n: 2, agent: a, costUsd: "1.000000" }]);
    const first = await getOverviewDashboard(now);
    expect(first.calls.last24h).toEqual({ calls: 2, blocked: 0 });
    expect(await getOverviewDashboard(now)).toEqual(first);

    // Late calls for hours already read (2 h and 3 d ago), and one for the current hour.
    await calls(gw.id, [
      { at: new Date(now.getTime() - 2 * HOUR), n: 1, blocked: true, agent: a },
      { at: new Date(now.getTime() - 3 * DAY), n: 4, agent: a, costUsd: "0.500000" },
      { at: new Date(now.getTime() - 5 * MIN), n: 1, agent: null, costUsd: "0.250000" },
    ]);
    const second = await getOverviewDashboard(now);
    expect(second.calls.last24h).toEqual({ calls: 4, blocked: 1 });
    expect(second.calls.last7d).toEqual({ calls: 8, blocked: 1 });
    expect(second.charts.hourly.find((p) => p.hour === "2032-07-01T10:00:00.000Z")).toMatchObject({ allowed: 2, blocked: 1 });
    expect(second.charts.daily.find((p) => p.day === "2032-06-28")).toMatchObject({ allowed: 4, blocked: 0 });
    expect(Number(second.spend.todayUsd)).toBeCloseTo(2.25, 6);
    expect(Number(second.spend.weekUsd)).toBeCloseTo(4.25, 6);
    expect(second.charts.spendByAgent.find((p) => p.agentId === a.id)).toEqual({ agentId: a.id, agentName: a.name, todayUsd: 2, weekUsd: 4 });
  });

  it("counts calls that arrive late for past hours, load after load", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const base = Date.now();
      const now = new Date("2033-01-10T12:30:00Z");
      const gw = await gateway(now);
      const a = await agent(gw.id);
      let total = 0;
      for (let i = 0; i < 5; i++) {
        vi.setSystemTime(base + i * 3 * MIN);
        await calls(gw.id, [{ at: new Date(now.getTime() - (i + 2) * HOUR), n: i + 1, agent: a }]);
        total += i + 1;
        expect((await getOverviewDashboard(now)).calls.last24h.calls, `step ${i}`).toBe(total);
      }
      const before = await getOverviewDashboard(now);
      expect(await getOverviewDashboard(now)).toEqual(before);
      await calls(gw.id, [{ at: new Date(now.getTime() - 20 * HOUR), n: 2, blocked: true, agent: a }]);
      expect((await getOverviewDashboard(now)).calls.last24h).toEqual({ calls: total + 2, blocked: 2 });
    } finally {
      vi.useRealTimers();
    }
  });

  it("never carries tool-call parameters or results, in the data or over the API", async () => {
    const marker = `secret-param-${rid()}`;
    const gw = await gateway(new Date());
    const a = await agent(gw.id);
    await calls(gw.id, [{ at: new Date(Date.now() - 10 * MIN), n: 3, agent: a, costUsd: "0.100000", params: { query: marker, token: marker }, result: { body: marker } }]);

    const d = await getOverviewDashboard();
    expect(d.calls.last24h.calls).toBeGreaterThanOrEqual(3);
    const keys = keysOf(d);
    expect(keys.has("params")).toBe(false);
    expect(keys.has("result")).toBe(false);
    expect(JSON.stringify(d)).not.toContain(marker);

    asRole("manager");
    const res = await GET();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: OverviewDashboard };
    expect(body.data.calls.last24h.calls).toBeGreaterThanOrEqual(3);
    expect(keysOf(body).has("params")).toBe(false);
    expect(keysOf(body).has("result")).toBe(false);
    expect(JSON.stringify(body)).not.toContain(marker);
  });

  it("every role can read the overview, managers included; anonymous callers cannot", async () => {
    for (const role of ["admin", "security_lead", "operator", "auditor", "manager"] as const) {
      expect(can(role, "dashboard:read")).toBe(true);
      asRole(role);
      const res = await GET();
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: OverviewDashboard }).data.tiles.length).toBeGreaterThan(0);
    }
    // Managers read the dashboard but never tool-call parameters.
    expect(can("manager", "tool_calls:read_params")).toBe(false);
    asRole(null);
    const res = await GET();
    expect(res.status).toBe(401);
  });
});
