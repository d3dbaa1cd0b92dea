import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { makeUser, rid } from "@/test/factories";

// Its own file, so its own database (the big insert never slows the other evidence tests).
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-evidence-mem-"));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const { db } = await import("@/lib/db");
const { startEvidenceExport, waitForExport, openExportBundle } = await import("./service");
const { CHUNK_BYTES } = await import("./chunks");
const { readTar } = await import("./tar");

const MB = 1024 * 1024;
/** Peak RSS growth allowed while exporting, whatever the row count: the export streams. */
const RSS_CEILING = 200 * MB;
const BIG = process.env.WARDEN_BIG_TESTS === "1";

/** Insert `n` synthetic tool calls across [from, to) with one INSERT … SELECT (2 % blocked). */
async function insertCalls(n: number, from: Date, to: Date) {
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "load" } });
  const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "load", purpose: "memory test", gatewayId: gw.id } });
  const stepMs = (to.getTime() - from.getTime()) / n;
  await db.$executeRaw`
    insert into tool_calls (occurred_at, gateway_id, event_id, agent_id, agent_name, session_key, tool_name, tool_version, decision, block_reason, duration_ms, egress_hosts, params, result, tokens_in, tokens_out, cost_usd)
    select ${from}::timestamptz + (i * ${stepMs}::float8) * interval '1 millisecond',
           ${gw.id}::uuid, 'ev-' || i, ${agent.id}::uuid, ${agent.name}, 'agent:main:' || (i % 97),
           case when i % 50 = 0 then 'exec' else 'web_fetch' end, '1.0.0',
           case when i % 50 = 0 then 'blocked' else 'allowed' end::"CallDecision",
           case when i % 50 = 0 then 'not on the allowlist' end, 5 + i % 200,
           array['example.com'], jsonb_build_object('url', 'https://example.com/page/' || i), '{"status":200}'::jsonb, 120, 480, 0.000125
      from generate_series(0, ${n - 1}) as i`;
  return { gw, agent };
}

/**
 * Export [from, to] while sampling RSS (the build streams the archive into the database in ~1 MB
 * chunks), then download it the way the route does while still sampling (the download streams it
 * back out chunk by chunk); returns the peak growth over the starting RSS.
 */
async function exportMeasured(from: Date, to: Date) {
  const { actor } = await makeUser("auditor");
  // Warm up first (module loading, Prisma's query plans, the signing key): not part of the ceiling.
  const warm = await startEvidenceExport(actor, { from: new Date(from.getTime() - 120_000).toISOString(), to: new Date(from.getTime() - 60_000).toISOString() });
  await waitForExport(warm.id);
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  let heapAtPeak = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak) {
      peak = m.rss;
      heapAtPeak = m.heapUsed;
    }
  }, 20);
  const started = Date.now();
  const { id } = await startEvidenceExport(actor, { from: from.toISOString(), to: to.toISOString() });
  const status = await waitForExport(id);
  const ms = Date.now() - started;
  expect(status.error).toBeNull();
  expect(status.state).toBe("done");
  // Stored as chunks of at most CHUNK_BYTES, all of this attempt.
  const chunks = await db.$queryRaw<{ n: number; max: number; total: bigint }[]>`
    select count(*)::int as n, max(length(data))::int as max, sum(length(data))::bigint as total from evidence_export_chunks where export_id = ${id}::uuid`;
  expect(chunks[0]).toMatchObject({ n: Math.ceil(status.bytes! / CHUNK_BYTES), max: Math.min(CHUNK_BYTES, status.bytes!) });
  expect(Number(chunks[0].total)).toBe(status.bytes);
  const lines = await csvLines(id);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { lines, growth: peak - base, heapAtPeak, ms, bytes: status.bytes! };
}

/** Count the CSV's CRLF-terminated lines by streaming the bundle out of the database (never unpacked into memory). */
async function csvLines(id: string): Promise<number> {
  let lines = 0;
  const { body } = await openExportBundle(id);
  await readTar(Readable.fromWeb(body as WebReadableStream<Uint8Array>).pipe(createGunzip()), {
    onEntry: (h) => {
      if (h.path !== "tool_calls/tool_calls.csv") return;
      return (chunk) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      };
    },
  });
  return lines;
}

/** Each run gets its own window (`daysAgo`), so runs in one database never see each other's rows. */
async function run(n: number, daysAgo: number) {
  const to = new Date(Date.now() - daysAgo * 86_400_000);
  const from = new Date(to.getTime() - 2 * 3_600_000);
  const t0 = Date.now();
  await insertCalls(n, from, new Date(to.getTime() - 1));
  const insertMs = Date.now() - t0;
  const r = await exportMeasured(from, to);
  console.log(
    `[evidence memory] ${n.toLocaleString("en")} tool calls: insert ${insertMs} ms, export ${r.ms} ms, bundle ${(r.bytes / MB).toFixed(1)} MB, peak RSS growth over export + download ${(r.growth / MB).toFixed(1)} MB (JS heap at peak ${(r.heapAtPeak / MB).toFixed(0)} MB)`,
  );
  expect(r.lines).toBe(n + 1);
  expect(r.growth).toBeLessThan(RSS_CEILING);
}

describe("evidence export memory ceiling", () => {
  it("exports 200,000 tool calls with bounded memory", { timeout: 240_000 }, async () => {
    await run(200_000, 1);
  });

  it.runIf(BIG)("exports 1,000,000 tool calls with bounded memory (WARDEN_BIG_TESTS=1)", { timeout: 600_000 }, async () => {
    await run(1_000_000, 3);
  });
});
