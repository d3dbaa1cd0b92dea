import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { rid } from "@/test/factories";
import { startStreamingReplica, type StreamingReplica } from "@/test/streaming-replica";

/**
 * DATABASE_READ_URL against a real streaming replica (test/streaming-replica.ts): lag-tolerant
 * reads (the explorer, the overview) come from the standby, and security-relevant reads (the
 * gateway policy, the allowlist) from the primary, even while the standby lags behind it.
 */
let replica: StreamingReplica;
let standby: pg.Client;
let mods: {
  db: typeof import("@/lib/db").db;
  dbRead: typeof import("@/lib/db-read").dbRead;
  q: typeof import("@/lib/tool-calls/queries");
  ingestEvents: typeof import("@/lib/tool-calls/ingest").ingestEvents;
  buildGatewayPolicy: typeof import("@/lib/allowlist/policy").buildGatewayPolicy;
  effectiveAllowlist: typeof import("@/lib/allowlist/effective").effectiveAllowlist;
};

beforeAll(async () => {
  replica = await startStreamingReplica();
  // Before any lib module reads the environment: Warden on this primary, reads on its standby.
  process.env.DATABASE_URL = replica.primaryUrl;
  process.env.DATABASE_READ_URL = replica.standbyUrl;
  mods = {
    db: (await import("@/lib/db")).db,
    dbRead: (await import("@/lib/db-read")).dbRead,
    q: await import("@/lib/tool-calls/queries"),
    ingestEvents: (await import("@/lib/tool-calls/ingest")).ingestEvents,
    buildGatewayPolicy: (await import("@/lib/allowlist/policy")).buildGatewayPolicy,
    effectiveAllowlist: (await import("@/lib/allowlist/effective")).effectiveAllowlist,
  };
  standby = new pg.Client({ connectionString: replica.standbyOwnerUrl });
  await standby.connect();
}, 180_000);

afterAll(async () => {
  await standby?.query("select pg_wal_replay_resume()").catch(() => {});
  await standby?.end().catch(() => {});
  await mods?.dbRead.$disconnect().catch(() => {});
  await mods?.db.$disconnect().catch(() => {});
  const { pgPool } = await import("@/lib/db-raw");
  await pgPool("ingest", 1)
    .end()
    .catch(() => {});
  await replica?.stop();
}, 60_000);

async function ingest(gatewayId: string, n = 1) {
  const events = Array.from({ length: n }, () => ({ eventId: `evt-${rid()}`, occurredAt: new Date().toISOString(), agentName: "support-bot", toolName: "web_fetch", decision: "allowed", params: {} }));
  const res = await mods.ingestEvents({ id: gatewayId }, JSON.stringify({ events }));
  expect(res.ok).toBe(true);
  return events.map((e) => e.eventId);
}
const explorerIds = async (gatewayId: string) => (await mods.q.listToolCalls(mods.q.parseToolCallQuery({ gateway: gatewayId }).query, { withParams: false })).rows.map((r) => r.eventId).sort();

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("DATABASE_READ_URL (a streaming replica)", () => {
  it("reads through a read-only session on the standby, and writes on the primary", async () => {
    const [{ standby: onStandby, ro }] = await mods.dbRead.$queryRaw<{ standby: boolean; ro: string }[]>`select pg_is_in_recovery() as standby, current_setting('default_transaction_read_only') as ro`;
    expect(onStandby).toBe(true);
    expect(ro).toBe("on");
    const [{ primary }] = await mods.db.$queryRaw<{ primary: boolean }[]>`select not pg_is_in_recovery() as primary`;
    expect(primary).toBe(true);
  });

  it("shows a call written on the primary in the explorer once the standby replays it", async () => {
    const gw = await mods.db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
    const ids = await ingest(gw.id, 3);
    expect(
      await eventually(
        () => explorerIds(gw.id),
        (v) => v.length === 3,
      ),
    ).toEqual(ids.sort());
  });

  it("serves the policy and allowlist from the primary while the standby lags; the explorer catches up after", async () => {
    const gw = await mods.db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
    const agent = await mods.db.agent.create({ data: { name: `agent-${rid()}`, owner: "team-x", purpose: "tests", gatewayId: gw.id } });
    const first = await ingest(gw.id);
    await eventually(
      () => explorerIds(gw.id),
      (v) => v.length === 1,
    );
    await eventually(
      async () => (await mods.dbRead.agent.findUnique({ where: { id: agent.id } }))?.status,
      (s) => s === "active",
    );

    await standby.query("select pg_wal_replay_pause()");
    await eventually(
      async () => (await standby.query<{ s: string }>("select pg_get_wal_replay_pause_state() as s")).rows[0].s,
      (s) => s === "paused",
    );
    // While the standby replays nothing: a kill switch on the agent and a new call, on the primary.
    await mods.db.agent.update({ where: { id: agent.id }, data: { status: "suspended" } });
    const second = await ingest(gw.id);

    // The decision reads see the suspension at once (the standby still has the agent active) …
    expect((await mods.dbRead.agent.findUnique({ where: { id: agent.id } }))?.status).toBe("active");
    const policy = await mods.buildGatewayPolicy(gw.id);
    expect(policy.agents.find((a) => a.wardenId === agent.id)?.status).toBe("suspended");
    expect((await mods.effectiveAllowlist(agent.id))?.agentStatus).toBe("suspended");
    // … while the explorer lags: the standby has not replayed the second call.
    await new Promise((r) => setTimeout(r, 300));
    expect(await explorerIds(gw.id)).toEqual(first);

    await standby.query("select pg_wal_replay_resume()");
    expect(
      await eventually(
        () => explorerIds(gw.id),
        (v) => v.length === 2,
      ),
    ).toEqual([...first, ...second].sort());
  });
});
