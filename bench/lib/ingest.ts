/**
 * Ingestion measurements: signed batches through the real connector endpoint, raw COPY of the same
 * rows into the same table, and a naive one-INSERT-per-event baseline.
 */
import http from "node:http";
import pg from "pg";
import { signedHeaders } from "@/lib/connector/signature";
import { eventStream, type BenchEvent, type Fleet } from "./fleet";
import { copyFrom, copyText, pgTextArray } from "./postgres";
import { quantile } from "./stats";

export type IngestRun = {
  events: number;
  seconds: number;
  eventsPerS: number;
  requests: number;
  batchP50Ms: number;
  batchP95Ms: number;
  duplicates: number;
  rejected: number;
  errors: Record<string, number>;
};

// Every batch template carries this placeholder in its event ids; each send replaces it with a
// unique token, so templates can be reused without generating JSON in the timed loop.
const PLACEHOLDER = "~ID~";
// Each event's occurredAt is a marker "~T<ms>~" that each send turns into a time <ms> before it:
// live gateways report calls that just happened, each at its own time. (Sent as generated, each
// template's 500 timestamps went into the indexes again at every reuse, ~20 times a run, while the
// COPY baseline's rows were all fresh.)
const MARKS = /(~ID~|~T\d+~)/;
const EPOCH = Date.parse("2000-01-01T00:00:00.000Z");

/** A batch body cut at its markers: text, marker, text, … (odd indexes are markers). */
type Template = { gatewayIdx: number; pieces: string[]; ago: number[] };

/** Pre-generate batch bodies (realistic, skewed) outside the timed loop. */
export function makeTemplates(fleet: Fleet, seed: number, count: number, batch: number): Template[] {
  const stream = eventStream(fleet, seed, PLACEHOLDER);
  return Array.from({ length: count }, () => {
    const gatewayIdx = stream.pickGateway();
    const events = Array.from({ length: batch }, () => {
      const e = stream.next(gatewayIdx, EPOCH);
      return { ...e, occurredAt: `~T${EPOCH - Date.parse(e.occurredAt)}~` };
    });
    const pieces = JSON.stringify({ events }).split(MARKS);
    return { gatewayIdx, pieces, ago: pieces.map((p, i) => (i % 2 && p !== PLACEHOLDER ? Number(p.slice(2, -1)) : -1)) };
  });
}

/** A template as sent now: unique event ids, and each event's time its offset before now. */
export function bodyOf(template: Template, token: string, now = Date.now()): string {
  const { pieces, ago } = template;
  let body = pieces[0];
  for (let i = 1; i < pieces.length; i += 2) body += (ago[i] < 0 ? token : new Date(now - ago[i]).toISOString()) + pieces[i + 1];
  return body;
}

let sendCounter = 0;

/**
 * POST a body over a kept-alive connection with node:http: the senders share the bench machine
 * with the server and Postgres, and fetch (undici) spent about twice node:http's CPU per 190 KB
 * batch, CPU the real gateways spend on their own machines.
 */
function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * `senders` concurrent gateways-in-a-loop, each posting signed batches to
 * POST /api/v1/connector/events for `seconds`; counts what the server accepted.
 */
export async function runSenders(baseUrl: string, fleet: Fleet, templates: Template[], opts: { senders: number; seconds: number }): Promise<IngestRun> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let events = 0;
  let duplicates = 0;
  let rejected = 0;
  let next = 0;
  const url = new URL("/api/v1/connector/events", baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.senders });
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.senders }, async () => {
      while (performance.now() < end) {
        const tpl = templates[next++ % templates.length];
        const body = bodyOf(tpl, `b${process.pid}-${++sendCounter}`);
        const gw = fleet.gateways[tpl.gatewayIdx];
        const headers = { ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" };
        const t = performance.now();
        try {
          const res = await post(agent, url, headers, body);
          const json = JSON.parse(res.text) as { accepted?: number; duplicates?: number; rejected?: unknown[]; error?: { code: string } };
          latencies.push(performance.now() - t);
          if (res.status !== 202) {
            const code = `${res.status} ${json.error?.code ?? ""}`.trim();
            errors[code] = (errors[code] ?? 0) + 1;
            if (res.status === 429) await new Promise((r) => setTimeout(r, 100));
            continue;
          }
          events += json.accepted ?? 0;
          duplicates += json.duplicates ?? 0;
          rejected += json.rejected?.length ?? 0;
        } catch (err) {
          const code = (err as Error).message.slice(0, 60);
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { events, seconds, eventsPerS: events / seconds, requests: latencies.length, batchP50Ms: quantile(latencies, 0.5), batchP95Ms: quantile(latencies, 0.95), duplicates, rejected, errors };
}

const COLUMNS =
  "occurred_at, gateway_id, event_id, agent_id, agent_name, session_key, tool_name, tool_version, tool_hash, params, result, decision, block_reason, duration_ms, error, egress_hosts, tokens_in, tokens_out, cost_usd";

/** An event as the row ingestion stores (agent attributed by external id; no secrets to redact here). */
function rowOf(fleet: Fleet, gatewayIdx: number, e: BenchEvent): unknown[] {
  const agent = fleet.agents[Number(e.agentName.slice("bench-agent-".length))];
  return [
    e.occurredAt,
    fleet.gateways[gatewayIdx].id,
    e.eventId,
    agent.id,
    e.agentName,
    e.sessionKey,
    e.toolName,
    e.toolVersion,
    null,
    JSON.stringify(e.params),
    e.result ? JSON.stringify(e.result) : null,
    e.decision,
    e.blockReason ?? null,
    e.durationMs,
    e.error ?? null,
    e.egressHosts ? pgTextArray(e.egressHosts) : null,
    e.tokensIn,
    e.tokensOut,
    String(e.costUsd),
  ];
}

/** COPY text for `batches` batches of `batch` rows, generated exactly like the HTTP batches. */
export function makeCopyBatches(fleet: Fleet, seed: number, prefix: string, batches: number, batch: number): string[] {
  const stream = eventStream(fleet, seed, prefix);
  return Array.from({ length: batches }, () => {
    const g = stream.pickGateway();
    let text = "";
    for (let i = 0; i < batch; i++) text += rowOf(fleet, g, stream.next(g)).map(copyText).join("\t") + "\n";
    return text;
  });
}

/** Run `work` over `items` on `connections` connections (each takes the next item); rows written per second. */
export async function onConnections<T>(
  url: string,
  connections: number,
  items: T[],
  work: (c: pg.Client, item: T) => Promise<number>,
): Promise<{ events: number; seconds: number; eventsPerS: number }> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let next = 0;
  let events = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = next++; i < items.length; i = next++) {
        const rows = await work(c, items[i]); // not `events += await …`: that adds to the value read before the await
        events += rows;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return { events, seconds, eventsPerS: events / seconds };
}

/** Raw COPY of pre-built batches into tool_calls over `connections` connections (one COPY per batch). */
export async function runCopy(url: string, batches: string[], connections: number): Promise<{ events: number; seconds: number; eventsPerS: number }> {
  return onConnections(url, connections, batches, (c, batch) => copyFrom(c, `COPY tool_calls (${COLUMNS}) FROM STDIN`, batch));
}

/** The naive baseline: one INSERT statement (and commit) per event, `connections` at a time. */
export async function runNaive(url: string, fleet: Fleet, seed: number, prefix: string, count: number, connections: number): Promise<{ events: number; seconds: number; eventsPerS: number }> {
  const stream = eventStream(fleet, seed, prefix);
  const rows: unknown[][] = [];
  while (rows.length < count) {
    const g = stream.pickGateway();
    for (let i = 0; i < 50 && rows.length < count; i++) rows.push(rowOf(fleet, g, stream.next(g)));
  }
  const sql = `INSERT INTO tool_calls (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT (gateway_id, event_id, occurred_at) DO NOTHING`;
  return onConnections(url, connections, rows, async (c, row) => (await c.query(sql, row)).rowCount ?? 0);
}
