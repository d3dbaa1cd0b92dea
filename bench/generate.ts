/**
 * Synthetic fleet generator (seeded): gateways, agents and tools with realistic skew, and N tool
 * calls spread over the last D days, bulk-loaded on the database side.
 *
 *   npx tsx --conditions=react-server bench/generate.ts --calls 1000000 [--seed 42] [--gateways 200]
 *       [--agents 2000] [--tools 300] [--days 30]      (against BENCH_DATABASE_URL, migrated)
 *
 * `npm run bench` calls the same functions on its own database. The rows are a pure function of
 * (seed, sizes, now): each value comes from hashint8extended(row number, seed), so generation is
 * reproducible, order-independent and runs on two connections at once.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { buildFleet, hourWeight, TOOL_SLOTS, type Fleet, type FleetOptions } from "./lib/fleet";

export type LoadStats = { calls: number; seconds: number; loadSeconds: number; indexSeconds: number; vacuumSeconds: number; tableMb: number; indexMb: number; rollupRows: number };

/** Default fleet sizes for a number of tool calls (200 gateways: the containment fan-out target). */
export function fleetOptions(calls: number, over: Partial<FleetOptions> = {}): FleetOptions {
  const small = calls < 100_000;
  return { seed: 42, gateways: small ? 20 : 200, agents: small ? 100 : 1000, tools: small ? 60 : 300, days: 30, ...over };
}

/** Insert the fleet's gateways (sealed signing secrets), agents and registry tools. */
export async function insertFleet(client: pg.Client | pg.PoolClient, fleet: Fleet, seal: (s: string) => string): Promise<void> {
  const now = new Date();
  await client.query(
    `insert into gateways (id, name, kind, environment, signing_secret_enc, created_at, updated_at)
     select id, name, 'openclaw', env, enc, $5, $5 from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as g(id, name, env, enc)`,
    [fleet.gateways.map((g) => g.id), fleet.gateways.map((g) => g.name), fleet.gateways.map((g) => g.environment), fleet.gateways.map((g) => seal(g.secret)), now],
  );
  await client.query(
    `insert into agents (id, name, external_id, gateway_id, owner, purpose, created_at, updated_at)
     select id, name, ext, gw, 'bench', 'synthetic benchmark agent', $6, $6
       from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::int[]) as a(id, name, ext, gw, idx)`,
    [
      fleet.agents.map((a) => a.id),
      fleet.agents.map((a) => a.name),
      fleet.agents.map((a) => a.externalId),
      fleet.agents.map((a) => fleet.gateways[a.gatewayIdx].id),
      fleet.agents.map((a) => a.idx),
      now,
    ],
  );
  await client.query(
    `insert into tools (id, name, kind, source, publisher, created_at, updated_at)
     select gen_random_uuid(), name, kind::"ToolKind", source::"ToolSource", 'bench', $4, $4 from unnest($1::text[], $2::text[], $3::text[]) as t(name, kind, source)`,
    [fleet.tools.map((t) => t.name), fleet.tools.map((t) => t.kind), fleet.tools.map((t) => t.source), now],
  );
}

/** Calls per hour (hours back from now), in proportion to the fleet's traffic curve; sums to `calls`. */
function callsPerHour(calls: number, days: number, now: Date): number[] {
  const w = Array.from({ length: days * 24 }, (_, h) => hourWeight(now, h, days));
  const total = w.reduce((a, b) => a + b, 0);
  const counts = w.map((x) => Math.floor((calls * x) / total));
  let rest = calls - counts.reduce((a, b) => a + b, 0);
  for (let h = 0; rest > 0; h = (h + 1) % counts.length, rest--) counts[h]++;
  return counts;
}

// One row per generated number i; every value is derived from hashint8extended(i, seed·16 + k).
const GENERATE_SQL = `
insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, session_key, tool_name, tool_version,
                        params, result, decision, block_reason, duration_ms, error, egress_hosts, tokens_in, tokens_out, cost_usd, ingested_at)
select x.at, x.gateway_id, 'bench-' || x.i, x.agent_id, x.agent_name, 'agent:' || x.ext || ':s' || (x.i % 37), t.name, t.version,
       case when t.egress is not null then jsonb_build_object('url', 'https://' || t.egress || '/v1/items/' || (x.h % 100000), 'method', 'GET')
            else jsonb_build_object('path', '/srv/data/' || (x.h % 100000) || '.json', 'limit', 100) end,
       case when x.u_block < t.block_rate then null else jsonb_build_object('ok', x.u_fail >= 0.01, 'bytes', x.h % 65536) end,
       (case when x.u_block < t.block_rate then 'blocked' else 'allowed' end)::"CallDecision",
       case when x.u_block < t.block_rate then t.name || ' is not in the allowlist of ' || x.agent_name end,
       floor(-ln(1 - x.u_dur) * 180)::int,
       case when x.u_block >= t.block_rate and x.u_fail < 0.01 then 'ETIMEDOUT: the upstream did not answer within 30 s' end,
       case when t.egress is not null and x.u_block >= t.block_rate then array[t.egress] end,
       x.tin, x.tout, round((x.tin * 3 + x.tout * 15) / 1000000.0, 6),
       x.at + interval '2 seconds'
  from (
    select g.i, a.id as agent_id, a.name as agent_name, a.ext, a.gateway_id,
           a.tool_slots[1 + floor(bench_u(g.i, $1 * 16 + 2) * ${TOOL_SLOTS})::int] as tool_idx,
           $2::timestamptz - hh.hb * interval '1 hour' - bench_u(g.i, $1 * 16 + 3) * interval '1 hour' as at,
           bench_u(g.i, $1 * 16 + 4) as u_block, bench_u(g.i, $1 * 16 + 5) as u_fail, bench_u(g.i, $1 * 16 + 6) as u_dur,
           50 + floor(bench_u(g.i, $1 * 16 + 7) * 2000)::int as tin, 10 + floor(bench_u(g.i, $1 * 16 + 8) * 600)::int as tout,
           (hashint8extended(g.i, $1 * 16 + 9) & 2147483647) as h
      from unnest($3::int[], $4::bigint[], $5::int[]) as hh(hb, start, cnt)
     cross join lateral generate_series(hh.start, hh.start + hh.cnt - 1) as g(i)
      join bench_agents a on a.idx = ($6::int[])[1 + floor(bench_u(g.i, $1 * 16 + 1) * 65536)::int]
  ) x
  join bench_tools t on t.idx = x.tool_idx`;

/**
 * Bulk-load `calls` tool calls over the fleet's days, ending now. Secondary indexes are dropped
 * for the load and rebuilt after (exactly as the migrations define them), the rollup trigger fires
 * per statement as in production (one statement per day of data, two connections, days never
 * shared so rollup rows never contend), then VACUUM ANALYZE.
 */
export async function loadToolCalls(url: string, fleet: Fleet, calls: number, opts: { now?: Date; log?: (m: string) => void; connections?: number } = {}): Promise<LoadStats> {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? new Date();
  const days = fleet.options.days;
  const t0 = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`select warden_ensure_tool_call_partitions(($1::timestamptz - make_interval(days => $2 + 1))::date, ($1::timestamptz + interval '1 day')::date)`, [now, days]);
    await client.query(`create or replace function bench_u(i bigint, k bigint) returns float8 language sql immutable parallel safe
                        as $$ select ((hashint8extended(i, k) >> 11) & 9007199254740991)::float8 / 9007199254740992.0 $$`);
    await client.query(`drop table if exists bench_agents, bench_tools`);
    await client.query(`create table bench_agents (idx int primary key, id uuid, name text, ext text, gateway_id uuid, tool_slots int[])`);
    await client.query(`create table bench_tools (idx int primary key, name text, version text, block_rate float8, egress text)`);
    await client.query(
      `insert into bench_agents select idx, id, name, ext, gw, string_to_array(slots, ',')::int[] from unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[]) as a(idx, id, name, ext, gw, slots)`,
      [
        fleet.agents.map((a) => a.idx),
        fleet.agents.map((a) => a.id),
        fleet.agents.map((a) => a.name),
        fleet.agents.map((a) => a.externalId),
        fleet.agents.map((a) => fleet.gateways[a.gatewayIdx].id),
        fleet.toolSlots.map((s) => s.join(",")),
      ],
    );
    await client.query(`insert into bench_tools select * from unnest($1::int[], $2::text[], $3::text[], $4::float8[], $5::text[])`, [
      fleet.tools.map((t) => t.idx),
      fleet.tools.map((t) => t.name),
      fleet.tools.map((t) => t.version),
      fleet.tools.map((t) => t.blockRate),
      fleet.tools.map((t) => t.egress),
    ]);
    await client.query(`analyze bench_agents; analyze bench_tools`);

    // Secondary indexes (not the primary key) are rebuilt after the load: much faster than
    // maintaining them row by row, and the result is the same index.
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `select indexname as name, indexdef as def from pg_indexes where schemaname = current_schema() and tablename = 'tool_calls' and indexname <> 'tool_calls_pkey'`,
    );
    for (const ix of indexes) await client.query(`drop index ${client.escapeIdentifier(ix.name)}`);

    const perHour = callsPerHour(calls, days, now);
    const chunks: { hours: number[]; starts: number[]; counts: number[] }[] = [];
    let next = 0;
    for (let d = 0; d < days; d++) {
      const c = { hours: [] as number[], starts: [] as number[], counts: [] as number[] };
      for (let h = d * 24; h < (d + 1) * 24; h++) {
        c.hours.push(h);
        c.starts.push(next);
        c.counts.push(perHour[h]);
        next += perHour[h];
      }
      chunks.push(c);
    }
    const conns = Math.max(1, opts.connections ?? 2);
    let loaded = 0;
    const workers = Array.from({ length: conns }, async (_, w) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query("set synchronous_commit = off"); // bulk preparation only; ingestion is measured with it on
        for (let k = w; k < chunks.length; k += conns) {
          const ch = chunks[k];
          const res = await c.query(GENERATE_SQL, [fleet.options.seed, now, ch.hours, ch.starts, ch.counts, fleet.agentSlots]);
          loaded += res.rowCount ?? 0;
          if (chunks.length >= 10 && (k + 1) % 10 === 0) log(`  loaded ${loaded.toLocaleString("en")} / ${calls.toLocaleString("en")} calls`);
        }
      } finally {
        await c.end();
      }
    });
    await Promise.all(workers);
    const t1 = performance.now();
    log(`  ${loaded.toLocaleString("en")} calls inserted in ${((t1 - t0) / 1000).toFixed(1)} s; rebuilding ${indexes.length} indexes`);
    // Two index builds at a time (two cores), each on every partition.
    const pending = indexes.map((ix) => ix.def.replace(/ ON ONLY /, " ON "));
    await Promise.all(
      Array.from({ length: Math.min(conns, pending.length) }, async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          for (let def = pending.shift(); def; def = pending.shift()) await c.query(def);
        } finally {
          await c.end();
        }
      }),
    );
    const t2 = performance.now();
    await client.query(`drop table bench_agents, bench_tools`);
    await client.query(`drop function bench_u(bigint, bigint)`);
    // VACUUM sets the visibility map (index-only scans, as on a server whose autovacuum has caught
    // up); partitions two at a time, then ANALYZE of the parent for the planner.
    const { rows: parts } = await client.query<{ name: string }>(`select inhrelid::regclass::text as name from pg_inherits where inhparent = 'tool_calls'::regclass`);
    const queue = [...parts.map((p) => p.name), "tool_call_hourly"];
    await Promise.all(
      Array.from({ length: conns }, async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          for (let name = queue.shift(); name; name = queue.shift()) await c.query(`vacuum (analyze) ${name}`);
        } finally {
          await c.end();
        }
      }),
    );
    await client.query(`analyze tool_calls`);
    const t3 = performance.now();
    const {
      rows: [size],
    } = await client.query<{ table_mb: string; index_mb: string; rollup: string }>(
      `select (select sum(pg_table_size(inhrelid)) from pg_inherits where inhparent = 'tool_calls'::regclass) / 1048576.0 as table_mb,
              (select sum(pg_indexes_size(inhrelid)) from pg_inherits where inhparent = 'tool_calls'::regclass) / 1048576.0 as index_mb,
              (select count(*) from tool_call_hourly) as rollup`,
    );
    return {
      calls: loaded,
      seconds: (t3 - t0) / 1000,
      loadSeconds: (t1 - t0) / 1000,
      indexSeconds: (t2 - t1) / 1000,
      vacuumSeconds: (t3 - t2) / 1000,
      tableMb: Math.round(Number(size.table_mb)),
      indexMb: Math.round(Number(size.index_mb)),
      rollupRows: Number(size.rollup),
    };
  } finally {
    await client.end();
  }
}

async function main() {
  const { values } = parseArgs({
    options: { calls: { type: "string", default: "1000000" }, seed: { type: "string" }, gateways: { type: "string" }, agents: { type: "string" }, tools: { type: "string" }, days: { type: "string" } },
  });
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error("Set BENCH_DATABASE_URL to a migrated, empty Warden database (npm run bench starts its own).");
  const calls = Number(values.calls);
  const over: Partial<FleetOptions> = {};
  for (const k of ["seed", "gateways", "agents", "tools", "days"] as const) if (values[k]) over[k] = Number(values[k]);
  const fleet = buildFleet(fleetOptions(calls, over));
  process.env.DATABASE_URL ??= url;
  const { seal } = await import("@/lib/crypto");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await insertFleet(client, fleet, seal);
  await client.end();
  const stats = await loadToolCalls(url, fleet, calls, { log: console.log });
  console.log(JSON.stringify(stats, null, 2));
}

if (/bench[\\/]generate\.ts$/.test(process.argv[1] ?? "")) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
