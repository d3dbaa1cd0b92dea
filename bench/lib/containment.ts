/**
 * Containment fan-out: N simulated gateways long-poll Warden's connector with signed requests and
 * acknowledge each command the way the OpenClaw plugin does (connectors/openclaw): the acks ride
 * on the next poll (POST /api/v1/connector/commands). A fleet-wide kill switch is timed from the
 * API call until every gateway's delivery is acknowledged (`applied` in the outbox, polled from
 * the database every 10 ms, so the figure is an upper bound by at most that much).
 */
import { setMaxListeners } from "node:events";
import pg from "pg";
import { signedHeaders } from "@/lib/connector/signature";
import type { BenchGateway } from "./fleet";

type Command = { id: string; kind: "apply" | "release" };

/** How long one fan-out may take before the round is abandoned. */
export const FANOUT_TIMEOUT_MS = 30_000;

/**
 * Start the simulated gateways. With several base URLs (Warden replicas), gateway i long-polls
 * replica i mod n: spread evenly, as a load balancer spreads connections.
 */
export function startSimGateways(baseUrl: string | string[], gateways: BenchGateway[], waitSeconds = 25) {
  const urls = Array.isArray(baseUrl) ? baseUrl : [baseUrl];
  const controller = new AbortController();
  // Each gateway has one request in flight, each tied to this signal by one listener.
  setMaxListeners(gateways.length + 10, controller.signal);
  const errors: Record<string, number> = {};
  const polling = new Set<string>();
  const count = (k: string) => (errors[k] = (errors[k] ?? 0) + 1);

  const loops = gateways.map(async (gw, i) => {
    const url = urls[i % urls.length];
    let acks: { id: string; outcome: "applied"; detail: string }[] = [];
    while (!controller.signal.aborted) {
      // One signal per request, tied to the shared one only while the request runs: fetch leaves
      // its abort listener on the signal it is given, and thousands of polls on one shared signal
      // piled up listeners (and a MaxListenersExceededWarning per poll).
      const request = new AbortController();
      const abort = () => request.abort();
      controller.signal.addEventListener("abort", abort);
      try {
        const body = JSON.stringify({ acks });
        polling.add(gw.id);
        const res = await fetch(`${url}/api/v1/connector/commands?wait=${waitSeconds}`, {
          method: "POST",
          headers: { ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" },
          body,
          signal: request.signal,
        });
        polling.delete(gw.id);
        if (res.status !== 200) {
          count(`poll ${res.status}`);
          await res.arrayBuffer();
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const json = (await res.json()) as { commands: Command[]; acks: { id: string; error?: unknown }[] };
        for (const a of json.acks) if (a.error) count("ack refused");
        // "Apply" each command, then acknowledge it with the next poll.
        acks = json.commands.map((cmd) => ({ id: cmd.id, outcome: "applied", detail: `bench: ${cmd.kind}` }));
      } catch (err) {
        polling.delete(gw.id);
        if (controller.signal.aborted) break;
        // "fetch failed" says little: name its cause (a refused or reset connection, a timeout).
        const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
        count(`${(err as Error).message.slice(0, 60)}${cause ? `: ${cause.code ?? cause.message?.slice(0, 60)}` : ""}`);
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        controller.signal.removeEventListener("abort", abort);
      }
    }
  });

  return {
    errors,
    /** Resolves once every gateway has an open long-poll (or after `timeoutMs`). */
    async ready(timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (polling.size < gateways.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      // The requests are sent; give the server a moment to have them all parked.
      await new Promise((r) => setTimeout(r, 500));
      return polling.size;
    },
    async stop() {
      controller.abort();
      await Promise.allSettled(loops);
    },
  };
}

/** Wait until `expected` deliveries of this kind of the containment are applied; ms since `t0`. */
async function acknowledged(db: pg.Client, actionId: string, kind: "apply" | "release", expected: number, t0: number, timeoutMs = FANOUT_TIMEOUT_MS): Promise<number> {
  for (;;) {
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from gateway_commands where action_id = $1 and kind = $2 and state = 'applied'`, [actionId, kind]);
    if (rows[0].n >= expected) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`containment fan-out: ${expected - rows[0].n} of ${expected} gateways did not acknowledge the ${kind} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Each gateway's acknowledgement of this containment's deliveries of `kind`: ms after `t0` (wall clock). */
async function ackTimes(db: pg.Client, actionId: string, kind: "apply" | "release", t0Wall: number) {
  const { rows } = await db.query<{ gateway_id: string; t: number }>(
    `select gateway_id::text, extract(epoch from acked_at) * 1000 as t from gateway_commands where action_id = $1 and kind = $2 and state = 'applied'`,
    [actionId, kind],
  );
  return rows.map((r) => ({ gatewayId: r.gateway_id, ms: Number(r.t) - t0Wall }));
}

/**
 * Apply then release a fleet-wide kill switch `rounds` times, after one uncounted warm-up round
 * (the server's first containment compiles its code paths); returns apply and release fan-out times
 * (until every gateway acknowledged), and each gateway's own time from the kill switch's request to
 * its acknowledgement (`perGateway`; `otherReplica`: those polling a replica other than the one the
 * kill switch was issued on, which learns of it only through `warden_wake`). With several base
 * URLs the kill switch is issued on the first and the gateways are spread over all of them.
 */
export async function measureFanout(baseUrl: string | string[], dbUrl: string, token: string, gateways: BenchGateway[], rounds: number, log: (m: string) => void, timeoutMs = FANOUT_TIMEOUT_MS) {
  const urls = Array.isArray(baseUrl) ? baseUrl : [baseUrl];
  baseUrl = urls[0];
  const replicaOf = new Map(gateways.map((g, i) => [g.id, i % urls.length]));
  const perGateway: number[] = [];
  const otherReplica: number[] = [];
  const sims = startSimGateways(urls, gateways);
  const db = new pg.Client({ connectionString: dbUrl });
  db.on("error", () => {});
  await db.connect();
  const apply: number[] = [];
  const release: number[] = [];
  let failed: string | null = null;
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  try {
    const parked = await sims.ready();
    log(`  ${parked} of ${gateways.length} simulated gateways long-polling`);
    for (let r = -1; r < rounds; r++) {
      const warmup = r < 0;
      let t0 = performance.now();
      const t0Wall = Date.now();
      const res = await fetch(`${baseUrl}/api/v1/containment`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ scope: "fleet", target: "fleet", action: "block_all", reason: `bench round ${r + 1}: fan-out timing${warmup ? " (warm-up)" : ""}` }),
      });
      const text = await res.text();
      const json = (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : {}) as { data?: { id: string; gateways: number }; error?: unknown };
      if (res.status !== 201 || !json.data) throw new Error(`POST /api/v1/containment answered ${res.status}: ${text.slice(0, 200)}`);
      const applyMs = await acknowledged(db, json.data.id, "apply", gateways.length, t0, timeoutMs);
      if (!warmup) {
        apply.push(applyMs);
        for (const a of await ackTimes(db, json.data.id, "apply", t0Wall)) {
          if (!replicaOf.has(a.gatewayId)) continue;
          perGateway.push(a.ms);
          if (replicaOf.get(a.gatewayId) !== 0) otherReplica.push(a.ms);
        }
      }
      await sims.ready(5_000);
      t0 = performance.now();
      const rel = await fetch(`${baseUrl}/api/v1/containment/${json.data.id}/release`, { method: "POST", headers: auth, body: JSON.stringify({ reason: `bench round ${r + 1}: release` }) });
      await rel.arrayBuffer();
      if (rel.status !== 200) throw new Error(`POST /api/v1/containment/{id}/release answered ${rel.status}`);
      const releaseMs = await acknowledged(db, json.data.id, "release", gateways.length, t0, timeoutMs);
      if (!warmup) release.push(releaseMs);
      await sims.ready(5_000);
      log(`  ${warmup ? "warm-up round (not counted)" : `round ${r + 1}`}: apply ${applyMs.toFixed(0)} ms, release ${releaseMs.toFixed(0)} ms`);
    }
  } catch (err) {
    failed = err instanceof Error ? err.message : String(err);
    // A fan-out that did not complete in time counts with the time limit (a lower bound).
    if (/did not acknowledge the apply/.test(failed)) apply.push(timeoutMs);
  } finally {
    await sims.stop();
    await db.end().catch(() => {});
  }
  return { apply, release, perGateway, otherReplica, errors: sims.errors, failed };
}
