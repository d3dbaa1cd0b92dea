// The live demo fleet's simulated gateways against the real connector route handlers (served over
// HTTP by this test) and a real Postgres: signed requests with the demo gateways' sealed secrets,
// the verified policy, calls decided by it, a kill switch applied and released within seconds,
// a held call approved by a person, the inventory in step with the registry; and the job's lease.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser } from "@/test/factories";
import { headersOf } from "@/lib/connector/direct";
import { seedDemoFleet } from "@/lib/seed/demo";
import { contain, releaseContainment } from "@/lib/containment/service";
import { decideApproval } from "@/lib/approvals/service";
import { breakerIdle } from "@/lib/spend/breaker";
import { GET as publicKey } from "@/app/api/v1/connector/public-key/route";
import { GET as policy } from "@/app/api/v1/connector/policy/route";
import { POST as events } from "@/app/api/v1/connector/events/route";
import { POST as inventory } from "@/app/api/v1/connector/inventory/route";
import { POST as commands } from "@/app/api/v1/connector/commands/route";
import { POST as ack } from "@/app/api/v1/connector/commands/[id]/ack/route";
import { POST as approvals } from "@/app/api/v1/connector/approvals/route";
import { POST as resolution } from "@/app/api/v1/connector/approvals/[id]/resolution/route";
import { requesterKey } from "@/lib/people/keys";
import { startDemoFleet } from "./simulator";
import { DEMO_FLEET_JOB, demoFleetSpecs, runDemoFleetShift } from "./job";

// Read when the job's shift first asks for its URL (lib/env.ts caches the settings).
process.env.WARDEN_DEMO_FLEET_URL = "http://127.0.0.1:9";

type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response> | Response;
const ROUTES: [string, RegExp, Handler][] = [
  ["GET", /^\/api\/v1\/connector\/public-key$/, publicKey as Handler],
  ["GET", /^\/api\/v1\/connector\/policy$/, policy as Handler],
  ["POST", /^\/api\/v1\/connector\/events$/, events as Handler],
  ["POST", /^\/api\/v1\/connector\/inventory$/, inventory as Handler],
  ["POST", /^\/api\/v1\/connector\/commands$/, commands as Handler],
  ["POST", /^\/api\/v1\/connector\/commands\/([^/]+)\/ack$/, ack as Handler],
  ["POST", /^\/api\/v1\/connector\/approvals$/, approvals as Handler],
  ["POST", /^\/api\/v1\/connector\/approvals\/([^/]+)\/resolution$/, resolution as Handler],
];

/** Every event the simulated gateways sent, as they sent it (what the plugin would put on the wire). */
const sent: Record<string, unknown>[] = [];

/** The connector's route handlers behind a plain HTTP server, as `next start` serves them. */
function serveConnector(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = ROUTES.find(([m, re]) => m === req.method && re.test(url.pathname));
    if (!route) return void res.writeHead(404).end();
    const id = route[1].exec(url.pathname)?.[1] ?? "";
    if (url.pathname.endsWith("/connector/events")) sent.push(...((JSON.parse(Buffer.concat(chunks).toString() || "{}") as { events?: Record<string, unknown>[] }).events ?? []));
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const request = new Request(url, { method: req.method, headers: headersOf(req), body: req.method === "GET" ? undefined : Buffer.concat(chunks), signal: abort.signal });
    try {
      const answer = await route[2](request, { params: Promise.resolve({ id }) });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let server: Awaited<ReturnType<typeof serveConnector>>;
let fleet: ReturnType<typeof startDemoFleet>;
const logged: string[] = [];

beforeAll(async () => {
  await seedDemoFleet(db, { toolCallCount: 300 });
  server = await serveConnector();
  const specs = await demoFleetSpecs();
  // Fast for the test: many calls a minute, short polls, frequent policy checks.
  fleet = startDemoFleet(server.url, specs, { callsPerMinute: 900, waitSeconds: 2, policyEveryMs: 3_000, inventoryEveryMs: 3_600_000, log: (m) => logged.push(m) });
  expect((await fleet.ready()).every(Boolean)).toBe(true);
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await server?.close();
  // The budget evaluation ingestion asked for runs before this file's database goes.
  await breakerIdle();
});

const liveCalls = (where: Record<string, unknown> = {}) => db.toolCall.findMany({ where: { eventId: { startsWith: "demo_" }, ...where }, orderBy: { occurredAt: "asc" } });

describe("the demo fleet's simulated gateways", () => {
  it("are the demo gateways with their own secrets, and report calls the verified policy decided", async () => {
    const specs = await demoFleetSpecs();
    expect(specs.map((s) => s.name)).toEqual(["prod-gateway-eu", "staging-gateway"]);
    expect(specs.every((s) => s.secret.startsWith("whsec_"))).toBe(true);
    const calls = await until(
      "live calls",
      async () => {
        const c = await liveCalls();
        return c.length >= 30 && c.some((x) => x.decision === "blocked") ? c : null;
      },
      60_000,
    );
    for (const c of calls) {
      expect(c.agentId).not.toBeNull();
      if (c.decision === "blocked") expect(c.blockReason).toMatch(/^Warden: /);
      else expect(c.result).not.toBeNull();
    }
    // Blocked: the agent/tool pairs the allowlist does not cover, a delegated write seo-research does not
    // hold (scope narrowing), and what the demo's per-person rules deny (once the policy carries them).
    const blockedPairs = new Set(calls.filter((c) => c.decision === "blocked").map((c) => `${c.agentName}/${c.toolName}`));
    for (const p of blockedPairs)
      expect([
        "seo-research/write",
        "content-publisher/web_search",
        "analytics/pdf-summarizer",
        "customer-support/exec",
        "customer-support/pdf-summarizer",
        "content-publisher/write",
        "content-publisher/github-mcp",
        "analytics/postgres-mcp",
        "customer-support/read",
        "customer-support/web_search",
        "customer-support/web_fetch",
      ]).toContain(p);
    // The gateways are seen, with the policy version they enforce.
    const gws = await db.gateway.findMany({ where: { id: { in: specs.map((s) => s.id) } } });
    expect(gws.every((g) => g.policyVersionApplied && g.lastSeenAt && Date.now() - g.lastSeenAt.getTime() < 30_000)).toBe(true);
    expect(logged).toEqual([]);
  }, 90_000);

  it("say who asked: a directory person's sender, rarely an unknown one, none for scheduled runs; a delegated call its chain", async () => {
    const known = new Map((await db.personIdentity.findMany({ select: { key: true, personId: true } })).map((i) => [i.key, i.personId]));
    await until(
      "events of every kind",
      async () =>
        // Enough calls that the share of known people is not a coin toss (about 0.7 expected).
        sent.length >= 80 &&
        sent.some((e) => !e.requester) &&
        sent.some((e) => Array.isArray(e.chain) && new Set(e.chain).size > 1) &&
        sent.some((e) => e.requester && !known.has(requesterKey(e.requester as { channel: string; senderId: string })!)),
      60_000,
    );
    let person = 0;
    for (const e of sent) {
      const key = e.requester ? requesterKey(e.requester as { channel?: string; senderId?: string }) : undefined;
      if (e.requester) expect(key, JSON.stringify(e.requester)).toBeDefined();
      if (key && known.has(key)) person++;
      const chain = (e.chain ?? []) as string[];
      if (chain.length) {
        // The path from the first agent to the calling one, on a sub-agent's tier, for the originating person.
        expect(chain.at(-1)).toBe(e.agentId);
        expect(e.tier).toBe("subagent");
        expect(known.has(key!)).toBe(true);
        expect(String(e.sessionKey)).toMatch(/:subagent:/);
        // Scope narrowing: seo-research holds no write, so neither does the agent it delegated to.
        if (chain[0] === "seo-research" && e.toolName === "write") expect(e).toMatchObject({ decision: "blocked", blockReason: expect.stringContaining('"seo-research"') });
      } else expect(e.tier).toBe("interactive");
    }
    // Mostly people the directory knows.
    expect(person / sent.length).toBeGreaterThan(0.5);
  }, 90_000);

  it("push an inventory that matches the registry: no reconciliation findings", async () => {
    await until("inventories", async () => (await db.gateway.count({ where: { name: { in: ["prod-gateway-eu", "staging-gateway"] }, inventory: { not: { equals: null } } } })) === 2);
    await new Promise((r) => setTimeout(r, 500));
    const reconciled = await db.finding.findMany({ where: { detail: { path: ["source"], equals: "inventory" } }, select: { title: true } });
    expect(reconciled).toEqual([]);
  });

  it("apply a kill switch within seconds (calls of the tool then blocked) and release it cleanly", async () => {
    const { actor } = await makeUser("security_lead");
    const t0 = Date.now();
    const action = await contain(actor, { scope: "tool", target: "web_search", action: "deny_tool", reason: "demo test: kill switch" });
    const applied = await until(
      "the kill switch applied",
      async () => {
        const d = await db.gatewayCommand.findMany({ where: { actionId: action.id, kind: "apply" } });
        return d.length > 0 && d.every((x) => x.state === "applied") ? d : null;
      },
      10_000,
    );
    const applyMs = Math.max(...applied.map((d) => d.ackedAt!.getTime())) - t0;
    expect(applyMs).toBeLessThan(5_000);
    console.log(`kill switch applied on every demo gateway ${applyMs} ms after it was issued`);
    const after = new Date();
    const denied = await until("a web_search call after the kill switch", async () => (await liveCalls({ toolName: "web_search", occurredAt: { gt: after } }))[0], 30_000);
    expect(denied.decision).toBe("blocked");
    expect(denied.blockReason).toContain("denied");

    const t1 = Date.now();
    await releaseContainment(actor, { id: action.id, reason: "demo test: release" });
    const released = await until(
      "the release applied",
      async () => {
        const d = await db.gatewayCommand.findMany({ where: { actionId: action.id, kind: "release" } });
        return d.length > 0 && d.every((x) => x.state === "applied") ? d : null;
      },
      10_000,
    );
    expect(Math.max(...released.map((d) => d.ackedAt!.getTime())) - t1).toBeLessThan(5_000);
    const later = new Date();
    const allowed = await until("a web_search call after the release", async () => (await liveCalls({ toolName: "web_search", occurredAt: { gt: later } }))[0], 30_000);
    expect(allowed.decision).toBe("allowed");
    // Nothing timed out or escalated.
    expect(await db.gatewayCommand.count({ where: { state: { notIn: ["applied"] } } })).toBe(0);
  }, 90_000);

  it("hold a call an approval rule names until a person decides, then report that it ran", async () => {
    const { actor } = await makeUser("security_lead");
    const pending = await until("a held call", () => db.approvalRequest.findFirst({ where: { status: "pending", toolName: "github-mcp" } }), 60_000);
    expect(pending.params).toMatchObject({ method: "create_pull_request" });
    await decideApproval(actor, { id: pending.id, decision: "allow_once", reason: "demo test: looks fine" });
    const done = await until("the outcome reported", async () => {
      const r = await db.approvalRequest.findUnique({ where: { id: pending.id } });
      return r?.outcome ? r : null;
    });
    expect(done.outcome).toBe("ran");
    const call = await until("the held call's row", async () => (await liveCalls({ toolName: "github-mcp", params: { path: ["method"], equals: "create_pull_request" }, decision: "allowed" }))[0]);
    expect(call.result).toMatchObject({ state: "open" });
  }, 90_000);
});

describe("the demo-fleet job", () => {
  it("runs a shift only while it holds the job's lease", async () => {
    // This replica claimed the job (as the registry does) …
    await db.$executeRaw`insert into background_jobs (name, every_ms, timeout_ms, next_run_at, lease_owner, lease_until)
      values (${DEMO_FLEET_JOB}, 2000, 20000, now() + interval '1 hour', ${(await import("@/lib/replica")).replicaId()}, now() + interval '20 seconds')
      on conflict (name) do update set lease_owner = excluded.lease_owner, lease_until = excluded.lease_until`;
    const t0 = Date.now();
    const shift = runDemoFleetShift({ shiftMs: 60_000 });
    await new Promise((r) => setTimeout(r, 6_000));
    // … kept alive by the shift's heartbeat.
    const row = await db.backgroundJob.findUniqueOrThrow({ where: { name: DEMO_FLEET_JOB } });
    expect(row.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + 10_000);
    // Another replica took it over (the lease was lost): the shift ends at its next heartbeat.
    await db.$executeRaw`update background_jobs set lease_owner = 'another-replica' where name = ${DEMO_FLEET_JOB}`;
    await shift;
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 40_000);
});
