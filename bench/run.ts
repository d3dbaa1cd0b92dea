/**
 * `npm run bench` — Warden's scale and speed benchmark (issue 7). Starts its own Postgres and its
 * own Warden server (`next start` from the existing .next build), loads a seeded synthetic fleet,
 * then measures ingestion (HTTP vs raw COPY vs naive inserts), the explorer, "agents by tool",
 * the overview, containment fan-out to simulated gateways (also to 1,000 gateways spread over two
 * replicas, a second `next start` on the same database, beside one replica) and the server's peak memory. Prints a
 * table and writes bench/results/latest.json. Timings never fail the run; only errors do.
 *
 *   npm run bench                          default size (see DEFAULT_CALLS)
 *   npm run bench -- --calls 10000000      the 10M figures of docs/scaling.md
 *   npm run bench -- --smoke               CI: tiny, about a minute
 *   (redaction is also timed in process over the bench's events: redact_ns_per_event)
 *   npm run bench -- --redact-baseline FILE   also time another redactor module (e.g. an older
 *        lib/redact.ts, `git show REV:lib/redact.ts > /tmp/old-redact.ts`), interleaved with the
 *        current one: redact_vs_baseline
 *   options: --seed N --gateways N --agents N --tools N --runs N --ingest-seconds N --senders N
 *            --batch N --rounds N --no-server (database-side parts only) --out FILE
 *   env: BENCH_DATABASE_URL (an empty database to use instead of the embedded one, e.g. to keep
 *        the loaded data for a closer look; the embedded one is deleted at the end)
 *        BENCH_CALL_EVENTS=1 (event ids "<call>.decision" as the OpenClaw plugin sends them: the
 *        ingestion runs its one-row-per-call merge path)
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { migrate } from "../scripts/lib/runtime.mjs";
import { fleetOptions, insertFleet, loadToolCalls, type LoadStats } from "./generate";
import { buildFleet, eventStream, type BenchGateway } from "./lib/fleet";
import { PG_SETTINGS, startDatabase } from "./lib/postgres";
import { buildInfo, cpuSeconds, sampleRss, startServer, type BenchServer } from "./lib/server";
import { makeCopyBatches, makeTemplates, runCopy, runNaive, runSenders, type IngestRun } from "./lib/ingest";
import { measureFanout } from "./lib/containment";
import { measureApprovalRoundTrip } from "./lib/approvals";
import { measurePolicyPush } from "./lib/policy-push";
import { prepareForRedaction, timeRedaction, type Redactor } from "./lib/redaction";
import { measureQueries, type QueryResults } from "./lib/queries";
import { median, quantile } from "./lib/stats";

/** The largest size whose full run stays under 10 minutes on the reference 2-core machine. */
const DEFAULT_CALLS = 10_000_000;
const ROOT = path.resolve(__dirname, "..");

type Target = { metric: string; op: "<=" | ">="; target: number; value: number | null; pass: boolean | null };

const log = (m: string) => console.log(`[bench] ${m}`);
const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

async function main() {
  const { values } = parseArgs({
    options: {
      calls: { type: "string" },
      smoke: { type: "boolean", default: false },
      seed: { type: "string", default: "42" },
      gateways: { type: "string" },
      agents: { type: "string" },
      tools: { type: "string" },
      runs: { type: "string" },
      "ingest-seconds": { type: "string" },
      senders: { type: "string", default: "4" },
      batch: { type: "string", default: "500" },
      rounds: { type: "string" },
      "no-server": { type: "boolean", default: false },
      "redact-baseline": { type: "string" },
      out: { type: "string", default: path.join(ROOT, "bench", "results", "latest.json") },
    },
  });
  const smoke = values.smoke!;
  const calls = Number(values.calls ?? (smoke ? 20_000 : DEFAULT_CALLS));
  const over: Record<string, number> = { seed: Number(values.seed) };
  for (const k of ["gateways", "agents", "tools"] as const) if (values[k]) over[k] = Number(values[k]);
  const opts = fleetOptions(calls, over);
  const runs = Number(values.runs ?? (smoke ? 3 : 15));
  const ingestSeconds = Number(values["ingest-seconds"] ?? (smoke ? 3 : 10));
  const ingestRuns = smoke ? 1 : 3;
  const senders = Number(values.senders);
  const batch = Number(values.batch);
  const rounds = Number(values.rounds ?? (smoke ? 2 : 10));
  if (![calls, runs, ingestSeconds, senders, batch, rounds].every((n) => Number.isFinite(n) && n > 0)) throw new Error("Sizes must be positive numbers.");

  const startedAt = new Date();
  const notes: string[] = [];
  const failures: string[] = [];
  const build = buildInfo(ROOT);
  const withServer = !values["no-server"] && build.exists;
  if (!build.exists) notes.push("No production build (.next): the HTTP parts (ingestion, containment, RSS) were skipped. Run `npm run build` first.");
  else if (build.stale) notes.push(`The production build (${build.builtAt}) is older than the sources: HTTP figures measure the code as built then.`);
  for (const n of notes) log(n);

  const db = await startDatabase(log);
  let server: BenchServer | null = null;
  const detail: Record<string, unknown> = {};
  let load: LoadStats | null = null;
  let queries: QueryResults | null = null;
  type CopyRun = { eventsPerS: number; byConnections: Record<string, number> };
  let ingest: {
    runs: IngestRun[];
    copy: CopyRun[];
    copyBulk: CopyRun[];
    naive: { eventsPerS: number; events: number; seconds: number }[];
    rss: { peakMb: number; hwmMb: number; idleMb: number };
  } | null = null;
  let fanout: { apply: number[]; release: number[]; errors: Record<string, number>; failed: string | null } | null = null;
  let approvals: Awaited<ReturnType<typeof measureApprovalRoundTrip>> | null = null;
  let push: Awaited<ReturnType<typeof measurePolicyPush>> | null = null;
  type Fanout = Awaited<ReturnType<typeof measureFanout>>;
  let replicaFanout: { gateways: number; one: Fanout; two: Fanout | null } | null = null;
  let server2: BenchServer | null = null;
  let retention: { droppedPartitions: number; ms: number; deletedDefaultRows: number } | null = null;
  let redaction: {
    clean_ns: number;
    with_secrets_ns: number;
    events: number;
    baseline?: { file: string; clean_ns: number; current_clean_ns: number; with_secrets_ns: number; current_with_secrets_ns: number };
  } | null = null;
  let serverCpuUsPerEvent: number | null = null;
  let pgVersion = "";
  try {
    log("applying migrations");
    await migrate(db.url, { appRole: db.appRole });
    const secret = randomBytes(32).toString("base64url");
    // In-process queries and the server run as the app role; loading and seeding as the owner.
    Object.assign(process.env, { DATABASE_URL: db.appUrl, WARDEN_SECRET: secret, NEXTAUTH_SECRET: secret });
    const { seal } = await import("@/lib/crypto");
    const { hashToken } = await import("@/lib/tokens/token");
    const fleet = buildFleet(opts);
    const admin = new pg.Client({ connectionString: db.url });
    admin.on("error", () => {}); // the database stops at the end; errors surface through queries
    await admin.connect();
    pgVersion = (await admin.query<{ v: string }>("show server_version")).rows[0].v;
    await insertFleet(admin, fleet, seal);
    // An admin with an API token, for the containment API.
    const userId = randomUUID();
    const token = `wdn_${randomBytes(32).toString("base64url")}`;
    await admin.query("insert into users (id, email, name, role, updated_at) values ($1, $2, 'Bench admin', 'admin', now())", [userId, `bench-${userId.slice(0, 8)}@bench.local`]);
    await admin.query("insert into api_tokens (id, user_id, name, prefix, token_hash, expires_at) values ($1, $2, 'bench', $3, $4, now() + interval '1 day')", [
      randomUUID(),
      userId,
      token.slice(0, 10),
      hashToken(token),
    ]);

    log(`generating ${calls.toLocaleString("en")} tool calls over ${opts.days} days (${opts.gateways} gateways, ${opts.agents} agents, ${opts.tools} tools, seed ${opts.seed})`);
    load = await loadToolCalls(db.url, fleet, calls, { log });
    log(
      `  loaded in ${load.seconds.toFixed(0)} s (insert ${load.loadSeconds.toFixed(0)} s, indexes ${load.indexSeconds.toFixed(0)} s, vacuum ${load.vacuumSeconds.toFixed(0)} s): ${load.tableMb} MB table, ${load.indexMb} MB indexes, ${load.rollupRows.toLocaleString("en")} rollup rows`,
    );

    log(`read path (${runs} runs each, in process)`);
    queries = await measureQueries(ROOT, fleet, runs, log);
    log(`  agents by tool 24h p95 ${queries.agents_by_tool_24h.p95_ms} ms; overview median ${queries.overview.median_ms} ms (${queries.overview.function})`);

    // Redaction, in process: what ingestion spends per event on it (a share of the HTTP figure below).
    {
      const { redactedJson, redactString } = await import("@/lib/redact");
      const stream = eventStream(fleet, opts.seed + 5, "redact");
      const events = Array.from({ length: smoke ? 5_000 : 20_000 }, () => stream.next(stream.pickGateway()));
      const clean = timeRedaction({ redactedJson, redactString }, prepareForRedaction(events));
      const dirty = timeRedaction({ redactedJson, redactString }, prepareForRedaction(events, true));
      redaction = { clean_ns: clean.nsPerEvent, with_secrets_ns: dirty.nsPerEvent, events: events.length };
      log(`redaction: ${Math.round(clean.nsPerEvent)} ns per event (${Math.round(dirty.nsPerEvent)} ns when each holds two credentials)`);
      if (values["redact-baseline"]) {
        // Same events, the two redactors alternating (the machine's load drifts): medians of 9 each.
        const file = path.resolve(values["redact-baseline"]);
        const baseline = (await import(file)) as Redactor;
        const ab = (prepared: ReturnType<typeof prepareForRedaction>) => {
          const cur: number[] = [];
          const base: number[] = [];
          for (let i = 0; i < 9; i++) {
            base.push(timeRedaction(baseline, prepared, 3).nsPerEvent);
            cur.push(timeRedaction({ redactedJson, redactString }, prepared, 3).nsPerEvent);
          }
          return [median(base), median(cur)];
        };
        const [bClean, cClean] = ab(prepareForRedaction(events));
        const [bDirty, cDirty] = ab(prepareForRedaction(events, true));
        redaction.baseline = { file, clean_ns: bClean, current_clean_ns: cClean, with_secrets_ns: bDirty, current_with_secrets_ns: cDirty };
        log(`  baseline ${path.basename(file)}: ${Math.round(bClean)} ns per event, current ${Math.round(cClean)} ns (with credentials: ${Math.round(bDirty)} vs ${Math.round(cDirty)} ns)`);
      }
    }

    if (withServer) {
      const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-bench-log-")); // kept after the run
      server = await startServer(ROOT, { DATABASE_URL: db.appUrl, WARDEN_SECRET: secret, NEXTAUTH_SECRET: secret, NEXTAUTH_URL: "http://127.0.0.1", WARDEN_SCHEDULER: "off" }, log, logDir);
      await new Promise((r) => setTimeout(r, 1000));
      const idle = sampleRss(server.pid);
      await new Promise((r) => setTimeout(r, 300));
      const idleMb = idle.stop().peakMb;

      log(`ingestion: ${senders} senders, batches of ${batch}, ${ingestRuns} × ${ingestSeconds} s through POST /api/v1/connector/events`);
      const templates = makeTemplates(fleet, opts.seed + 1, 64, batch);
      const rss = sampleRss(server.pid);
      await runSenders(server.url, fleet, templates, { senders, seconds: smoke ? 1 : 3 }); // warm-up, not counted
      const ingestRunsOut: IngestRun[] = [];
      // The raw-COPY baseline is the best COPY can do here: the same rows (same generator, fresh
      // ids) into the same table, one COPY per batch, on 1, 2 and `senders` connections (on two
      // cores, more writers can be slower); the best level of each run counts. Each ingestion run
      // is followed at once by its COPY run, and the ratio is taken per pair: on a machine whose
      // speed drifts (shared cores), runs minutes apart compared machines, not code.
      const levels = [...new Set([1, 2, senders])];
      const copy: CopyRun[] = [];
      let ingestCpuS = 0;
      for (let r = 0; r < ingestRuns; r++) {
        const cpu0 = cpuSeconds(server.pid);
        const run = await runSenders(server.url, fleet, templates, { senders, seconds: ingestSeconds });
        ingestCpuS += cpuSeconds(server.pid) - cpu0;
        ingestRunsOut.push(run);
        log(
          `  run ${r + 1}: ${Math.round(run.eventsPerS).toLocaleString("en")} events/s (${run.events.toLocaleString("en")} events, batch p95 ${run.batchP95Ms.toFixed(0)} ms${Object.keys(run.errors).length ? `, errors ${JSON.stringify(run.errors)}` : ""})`,
        );
        const copyBatches = Math.min(Math.ceil(Math.max(batch * senders, run.events) / batch), smoke ? 40 : 200);
        const perLevel: Record<string, number> = {};
        for (const conns of levels) {
          const res = await runCopy(db.appUrl, makeCopyBatches(fleet, opts.seed + 1, `copy-${r}-${conns}`, copyBatches, batch), conns);
          perLevel[conns] = Math.round(res.eventsPerS);
        }
        const best = Math.max(...Object.values(perLevel));
        copy.push({ eventsPerS: best, byConnections: perLevel });
        log(
          `    raw COPY right after (${copyBatches} batches of ${batch} rows on ${levels.join(", ")} connections): ${best.toLocaleString("en")} rows/s (by connections ${JSON.stringify(perLevel)}); ratio ${(run.eventsPerS / best).toFixed(3)}`,
        );
      }
      const ingestEvents = ingestRunsOut.reduce((n, r) => n + r.events, 0);
      serverCpuUsPerEvent = ingestEvents ? (ingestCpuS * 1e6) / ingestEvents : null;
      log(`  server CPU: ${serverCpuUsPerEvent?.toFixed(1)} µs per accepted event`);
      const mem = rss.stop();
      if (!ingestRunsOut.some((r) => r.events > 0)) failures.push(`ingestion: no event was accepted (${JSON.stringify(ingestRunsOut.map((r) => r.errors))})`);
      const copyBulk: CopyRun[] = [];
      const bulkRows = smoke ? 5_000 : 50_000;
      for (let r = 0; r < ingestRuns; r++) {
        const perLevel: Record<string, number> = {};
        for (const conns of [1, 2]) perLevel[conns] = Math.round((await runCopy(db.appUrl, makeCopyBatches(fleet, opts.seed + 2, `bulk-${r}-${conns}`, conns, bulkRows), conns)).eventsPerS);
        copyBulk.push({ eventsPerS: Math.max(...Object.values(perLevel)), byConnections: perLevel });
      }
      log(`  bulk COPY (${bulkRows.toLocaleString("en")} rows per statement, 1 or 2 connections): ${Math.round(median(copyBulk.map((c) => c.eventsPerS))).toLocaleString("en")} rows/s`);
      const naive = [];
      for (let r = 0; r < ingestRuns; r++) naive.push(await runNaive(db.appUrl, fleet, opts.seed + 3, `naive-${r}`, smoke ? 500 : 4_000, senders));
      log(`naive one INSERT per event: ${Math.round(median(naive.map((n) => n.eventsPerS))).toLocaleString("en")} events/s`);
      ingest = { runs: ingestRunsOut, copy, copyBulk, naive, rss: { peakMb: mem.peakMb, hwmMb: mem.hwmMb, idleMb } };

      const gateways = fleet.gateways.slice(0, Math.min(200, fleet.gateways.length));
      log(`containment fan-out: ${gateways.length} simulated gateways long-polling, ${rounds} kill switches (apply + release)`);
      fanout = await measureFanout(server.url, db.url, token, gateways, rounds, log);
      if (fanout.failed) {
        notes.push(`Containment fan-out: ${fanout.failed} (after ${fanout.apply.length} complete rounds)`);
        log(`  ${fanout.failed}`);
        // A build without the containment API cannot be measured; an API error is a failure; a
        // fan-out slower than the time limit is a measurement (noted), not an error.
        if (/answered/.test(fanout.failed) && !(build.stale && /answered 404/.test(fanout.failed))) failures.push(`containment: ${fanout.failed}`);
      }

      const approvalRounds = smoke ? 30 : 100;
      const gw = fleet.gateways[0];
      const agent = fleet.agents.find((a) => a.gatewayIdx === gw.idx);
      log(`approval round trip: ${approvalRounds} held calls reported by a simulated gateway, each decided through the API`);
      approvals = await measureApprovalRoundTrip(server.url, token, gw, agent?.externalId ?? "bench-agent", approvalRounds, log);
      if (approvals.failed) {
        notes.push(`Approval round trip: ${approvals.failed}`);
        log(`  ${approvals.failed}`);
        if (/answered/.test(approvals.failed) && !(build.stale && /answered 404/.test(approvals.failed))) failures.push(`approvals: ${approvals.failed}`);
      } else
        log(
          `  Warden's share: median ${median(approvals.shares).toFixed(1)} ms, p95 ${quantile(approvals.shares, 0.95).toFixed(1)} ms (report ${median(approvals.reports).toFixed(1)} ms + delivery ${median(approvals.deliveries).toFixed(1)} ms, medians)`,
        );
      log(`policy push: ${gateways.length} simulated gateways, ${rounds} allowlist changes (bundle tools via the API)`);
      push = await measurePolicyPush(server.url, db.url, token, gateways, rounds, log);
      if (push.failed) {
        notes.push(`Policy push: ${push.failed} (after ${push.all.length} complete rounds)`);
        log(`  ${push.failed}`);
        if (/answered/.test(push.failed)) failures.push(`policy push: ${push.failed}`);
      }

      // Issue 19: the fan-out to 1,000 gateways spread over two replicas (the kill switch issued on
      // one; the other learns of it through warden_wake), beside the same fan-out on one replica.
      const fanN = smoke ? 50 : 1_000;
      const all = [...fleet.gateways, ...extraGateways(fleet, fanN - fleet.gateways.length, opts.seed)].slice(0, fanN);
      const extra = all.slice(fleet.gateways.length);
      if (extra.length) {
        await admin.query(
          `insert into gateways (id, name, kind, environment, signing_secret_enc, created_at, updated_at)
           select id, name, 'openclaw', 'production', enc, now(), now() from unnest($1::uuid[], $2::text[], $3::text[]) as g(id, name, enc)`,
          [extra.map((g) => g.id), extra.map((g) => g.name), extra.map((g) => seal(g.secret))],
        );
      }
      const fanRounds = smoke ? 1 : 5;
      log(`containment fan-out to ${fanN} gateways: one replica (baseline), ${fanRounds} kill switches`);
      // A round may take longer than the 200-gateway fan-out's 30 s on a busy machine: 2 minutes.
      const one = await measureFanout([server.url], db.url, token, all, fanRounds, log, 120_000);
      if (one.failed) notes.push(`Fan-out to ${fanN} gateways, one replica: ${one.failed}`);
      log(`containment fan-out to ${fanN} gateways over two replicas (a second next start on the same database)`);
      server2 = await startServer(
        ROOT,
        { DATABASE_URL: db.appUrl, WARDEN_SECRET: secret, NEXTAUTH_SECRET: secret, NEXTAUTH_URL: "http://127.0.0.1", WARDEN_SCHEDULER: "off" },
        log,
        fs.mkdtempSync(path.join(os.tmpdir(), "warden-bench-log-")),
      );
      const two = await measureFanout([server.url, server2.url], db.url, token, all, fanRounds, log, 120_000);
      if (two.failed) notes.push(`Fan-out to ${fanN} gateways, two replicas: ${two.failed}`);
      for (const f of [one.failed, two.failed]) if (f && /answered/.test(f)) failures.push(`containment over replicas: ${f}`);
      await server2.stop();
      server2 = null;
      replicaFanout = { gateways: fanN, one, two };
      const q = (xs: number[], p: number) => (xs.length ? quantile(xs, p).toFixed(0) : "—");
      log(
        `  per gateway, kill switch → acknowledgement: one replica median ${q(one.perGateway, 0.5)} ms, p95 ${q(one.perGateway, 0.95)} ms; two replicas median ${q(two.perGateway, 0.5)} ms, p95 ${q(two.perGateway, 0.95)} ms (gateways on the other replica: p95 ${q(two.otherReplica, 0.95)} ms)`,
      );
    }

    // Retention on the loaded data: drop the partitions older than (days − 2).
    const { applyRetention } = await import("@/lib/tool-calls/retention");
    const t = performance.now();
    const r = await applyRetention(opts.days - 2);
    retention = { droppedPartitions: r.droppedPartitions.length, ms: performance.now() - t, deletedDefaultRows: r.deletedDefaultRows };
    log(`retention: dropped ${r.droppedPartitions.length} day partitions in ${retention.ms.toFixed(0)} ms (lock_timeout 2 s each)`);
    await admin.end();
  } catch (err) {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (server) log(`server log: ${server.logFile}`);
    throw err;
  } finally {
    await server2?.stop();
    await server?.stop();
    const { db: prisma } = await import("@/lib/db").catch(() => ({ db: null }));
    await prisma?.$disconnect().catch(() => {});
    await db.stop();
  }

  // ── results ──
  const ingestPerS = ingest ? median(ingest.runs.map((r) => r.eventsPerS)) : null;
  const copyPerS = ingest ? median(ingest.copy.map((r) => r.eventsPerS)) : null;
  const copyBulkPerS = ingest ? median(ingest.copyBulk.map((r) => r.eventsPerS)) : null;
  const naivePerS = ingest ? median(ingest.naive.map((r) => r.eventsPerS)) : null;
  // The target covers the default page and each single filter of the issue (tool, agent, gateway,
  // decision, time range); the 7d/30d presets are reported beside it.
  const targetFilters = ["none_24h", "tool", "agent", "agent_id", "gateway", "decision", "time_range"];
  const explorerP95 = queries ? Math.max(...targetFilters.map((f) => queries!.explorer_first_page[f]?.p95_ms ?? 0)) : null;
  const fanoutP95 = fanout?.apply.length ? quantile(fanout.apply, 0.95) : null;
  const pq = (xs: number[] | undefined, q: number) => (xs?.length ? round(quantile(xs, q), 0) : null);
  const metrics = {
    ingest_events_per_s: round(ingestPerS ?? NaN, 0),
    ingest_copy_events_per_s: round(copyPerS ?? NaN, 0),
    // The median of the per-pair ratios (each ingestion run against the COPY run right after it).
    ingest_vs_copy: ingest?.runs.length ? round(median(ingest.runs.map((r, i) => r.eventsPerS / ingest!.copy[i].eventsPerS)), 3) : null,
    ingest_copy_bulk_events_per_s: round(copyBulkPerS ?? NaN, 0),
    ingest_vs_copy_bulk: ingestPerS && copyBulkPerS ? round(ingestPerS / copyBulkPerS, 3) : null,
    ingest_naive_events_per_s: round(naivePerS ?? NaN, 0),
    ingest_vs_naive: ingestPerS && naivePerS ? round(ingestPerS / naivePerS, 1) : null,
    // The server's own CPU per accepted event (parse, redact, COPY client side), less load-sensitive than events/s.
    ingest_server_cpu_us_per_event: serverCpuUsPerEvent === null ? null : round(serverCpuUsPerEvent, 1),
    ingest_batch_p95_ms: ingest ? round(median(ingest.runs.map((r) => r.batchP95Ms))) : null,
    agents_by_tool_24h_p95_ms: queries?.agents_by_tool_24h.p95_ms ?? null,
    explorer_first_page_p95_ms: queries ? Object.fromEntries(Object.entries(queries.explorer_first_page).map(([k, v]) => [k, v.p95_ms])) : null,
    explorer_first_page_worst_p95_ms: explorerP95,
    overview_dashboard_ms: queries?.overview.median_ms ?? null,
    overview_dashboard_p95_ms: queries?.overview.p95_ms ?? null,
    containment_fanout_p95_ms: round(fanoutP95 ?? NaN, 0),
    containment_fanout_median_ms: fanout?.apply.length ? round(median(fanout.apply), 0) : null,
    containment_release_p95_ms: fanout?.release.length ? round(quantile(fanout.release, 0.95), 0) : null,
    // Warden's share of an approval: the held call's report + decision request → command on the gateway's long-poll.
    approval_round_trip_p95_ms: approvals?.shares.length ? round(quantile(approvals.shares, 0.95), 1) : null,
    approval_round_trip_median_ms: approvals?.shares.length ? round(median(approvals.shares), 1) : null,
    // Allowlist change (API) → every simulated gateway holds the new signed policy version.
    policy_push_all_gateways_p95_ms: push?.all.length ? round(quantile(push.all, 0.95), 0) : null,
    policy_push_all_gateways_median_ms: push?.all.length ? round(median(push.all), 0) : null,
    policy_push_per_gateway_p95_ms: push?.perGateway.length ? round(quantile(push.perGateway, 0.95), 0) : null,
    // Fleet kill switch to 1,000 gateways (smoke: 100): each gateway's time from the request to its
    // acknowledgement, gateways spread over two replicas, and the same on one replica (baseline).
    fanout_replicas_gateways: replicaFanout?.gateways ?? null,
    fanout_two_replicas_p95_ms: pq(replicaFanout?.two?.perGateway, 0.95),
    fanout_two_replicas_median_ms: pq(replicaFanout?.two?.perGateway, 0.5),
    fanout_two_replicas_other_replica_p95_ms: pq(replicaFanout?.two?.otherReplica, 0.95),
    fanout_two_replicas_all_acked_p95_ms: pq(replicaFanout?.two?.apply, 0.95),
    fanout_one_replica_p95_ms: pq(replicaFanout?.one.perGateway, 0.95),
    fanout_one_replica_median_ms: pq(replicaFanout?.one.perGateway, 0.5),
    fanout_one_replica_all_acked_p95_ms: pq(replicaFanout?.one.apply, 0.95),
    redact_ns_per_event: redaction ? round(redaction.clean_ns, 0) : null,
    redact_ns_per_event_with_secrets: redaction ? round(redaction.with_secrets_ns, 0) : null,
    // The share of one core's time per ingested event that redaction takes at the measured rate.
    redact_share_of_ingest: redaction && ingestPerS ? round((redaction.clean_ns * ingestPerS) / 1e9 / os.cpus().length, 4) : null,
    // Current redactor's time per event over the baseline's (--redact-baseline), same run, interleaved.
    redact_vs_baseline: redaction?.baseline ? round(redaction.baseline.current_clean_ns / redaction.baseline.clean_ns, 3) : null,
    // What the difference costs ingestion at the measured rate: the share of the CPU it adds per event.
    redact_ingest_cost_vs_baseline: redaction?.baseline && ingestPerS ? round(((redaction.baseline.current_clean_ns - redaction.baseline.clean_ns) * ingestPerS) / 1e9 / os.cpus().length, 4) : null,
    rss_mb_peak: ingest ? round(ingest.rss.peakMb, 0) : null,
    rss_mb_idle: ingest ? round(ingest.rss.idleMb, 0) : null,
    retention_drop_ms: retention ? round(retention.ms, 0) : null,
  };
  const target = (metric: string, op: "<=" | ">=", goal: number, value: number | null): Target => ({
    metric,
    op,
    target: goal,
    value,
    pass: value === null ? null : op === "<=" ? value <= goal : value >= goal,
  });
  const targets: Target[] = [
    target("ingest_events_per_s", ">=", 20_000, metrics.ingest_events_per_s),
    target("ingest_vs_copy", ">=", 0.75, metrics.ingest_vs_copy),
    target("agents_by_tool_24h_p95_ms", "<=", 50, metrics.agents_by_tool_24h_p95_ms),
    target("explorer_first_page_worst_p95_ms", "<=", 150, metrics.explorer_first_page_worst_p95_ms),
    target("overview_dashboard_ms", "<=", 300, metrics.overview_dashboard_ms),
    target("containment_fanout_p95_ms", "<=", 2_000, metrics.containment_fanout_p95_ms),
    target("approval_round_trip_p95_ms", "<=", 100, metrics.approval_round_trip_p95_ms),
    target("policy_push_all_gateways_p95_ms", "<=", 2_000, metrics.policy_push_all_gateways_p95_ms),
    target("fanout_two_replicas_p95_ms", "<=", 2_000, metrics.fanout_two_replicas_p95_ms),
    target("rss_mb_peak", "<=", 512, metrics.rss_mb_peak),
  ];
  if (calls < 10_000_000) notes.push(`Query targets are defined at 10,000,000 tool calls; this run loaded ${calls.toLocaleString("en")}.`);
  const finishedAt = new Date();
  const result = {
    version: 1,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    duration_s: round((finishedAt.getTime() - startedAt.getTime()) / 1000, 0),
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? "",
      memory_mb: Math.round(os.totalmem() / 1048576),
      node: process.version,
      postgres: pgVersion,
      os: `${os.type()} ${os.release()}`,
      load_avg_at_start: os.loadavg().map((x) => round(x, 2)),
    },
    config: {
      smoke,
      calls,
      ...opts,
      runs,
      ingest_runs: ingestRuns,
      ingest_seconds: ingestSeconds,
      senders,
      batch,
      containment_rounds: rounds,
      postgres_settings: PG_SETTINGS,
      database: db.embedded ? "embedded (temp dir)" : "BENCH_DATABASE_URL",
      build,
      server: withServer,
    },
    load,
    metrics,
    targets,
    detail: {
      ...detail,
      queries,
      ingest,
      redaction,
      containment: fanout && { apply_ms: fanout.apply.map((x) => round(x, 0)), release_ms: fanout.release.map((x) => round(x, 0)), errors: fanout.errors, failed: fanout.failed },
      approvals: approvals && {
        share_ms: approvals.shares.map((x) => round(x, 1)),
        report_ms: approvals.reports.map((x) => round(x, 1)),
        delivery_ms: approvals.deliveries.map((x) => round(x, 1)),
        errors: approvals.errors,
        failed: approvals.failed,
      },
      policy_push: push && { all_gateways_ms: push.all.map((x) => round(x, 0)), errors: push.errors, failed: push.failed },
      retention,
      replica_fanout:
        replicaFanout &&
        Object.fromEntries(
          (["one", "two"] as const).map((k) => {
            const f = replicaFanout![k];
            return [k, f && { all_acked_ms: f.apply.map((x) => round(x, 0)), release_ms: f.release.map((x) => round(x, 0)), errors: f.errors, failed: f.failed }];
          }),
        ),
    },
    notes,
    failures,
  };
  fs.mkdirSync(path.dirname(values.out!), { recursive: true });
  fs.writeFileSync(values.out!, JSON.stringify(result, null, 2) + "\n");
  printTable(result.metrics, targets, queries, notes);
  log(`wrote ${path.relative(process.cwd(), values.out!)} (${result.duration_s} s)`);
  if (failures.length) throw new Error(failures.join("; "));
}

/** `n` more gateways beyond the fleet's (ids, names and secrets derived from the seed). */
function extraGateways(fleet: { gateways: { idx: number }[] }, n: number, seed: number): BenchGateway[] {
  const out: BenchGateway[] = [];
  for (let i = 0; i < n; i++) {
    const idx = fleet.gateways.length + i;
    const h = createHash("sha256").update(`bench-extra-gateway ${seed} ${idx}`).digest();
    h[6] = (h[6] & 0x0f) | 0x40;
    h[8] = (h[8] & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString("hex");
    out.push({
      idx,
      id: `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`,
      name: `bench-gw-${String(idx).padStart(4, "0")}`,
      environment: "production",
      secret: "whsec_" + createHash("sha256").update(`secret ${seed} ${idx}`).digest("base64"),
    });
  }
  return out;
}

function printTable(m: Record<string, unknown>, targets: Target[], queries: QueryResults | null, notes: string[]) {
  const fmt = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "number" ? v.toLocaleString("en") : String(v));
  const rows: [string, string, string][] = [];
  const targetOf = (metric: string) => targets.find((t) => t.metric.startsWith(metric));
  const mark = (metric: string) => {
    const t = targetOf(metric);
    if (!t) return "";
    return `${t.op} ${t.target.toLocaleString("en")} ${t.pass === null ? "(not measured)" : t.pass ? "PASS" : "MISS"}`;
  };
  for (const [k, v] of Object.entries(m)) {
    if (k === "explorer_first_page_p95_ms" && v && typeof v === "object") {
      for (const [f, ms] of Object.entries(v)) rows.push([`  explorer first page p95 ms · ${f}`, fmt(ms), /^range_/.test(f) ? "(preset, not in the target)" : ""]);
      continue;
    }
    rows.push([k, fmt(v), mark(k)]);
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log("");
  console.log(`${"metric".padEnd(w0)}  ${"value".padStart(w1)}  target`);
  console.log(`${"-".repeat(w0)}  ${"-".repeat(w1)}  ------`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  if (queries) console.log(`overview measured through ${queries.overview.function}`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log("");
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
