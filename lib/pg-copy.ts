/**
 * COPY … FROM STDIN for node-postgres: the text format's escaping (values out, never parsing) and
 * the sender, pg-copy-streams. Ingestion (lib/tool-calls/ingest.ts) stores tool calls this way;
 * the bench uses it for its baseline.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyStreamFrom } from "pg-copy-streams";

/** Escape one value for COPY's text format (NULL is \N). */
export function copyText(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  const s = typeof v === "string" ? v : String(v);
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPED, (c) => ESCAPES[c]) : s;
}
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A Postgres array literal of text values, e.g. {"a","b"} (for a text[] column in COPY or a cast). */
export function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

/** The size of the pieces a whole-buffer COPY is written in (one CopyData message each). */
const PIECE = 256 * 1024;

function* pieces(buf: Buffer): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += PIECE) yield buf.subarray(i, i + PIECE);
}

/**
 * COPY … FROM STDIN with pg-copy-streams: `data` is the whole text (written in 256 KiB pieces) or
 * any (async) iterable of chunks, streamed with back-pressure. Resolves with the number of rows
 * copied; rejects with the server's error (a failed COPY stores nothing), after which the
 * connection takes its next query as usual.
 */
export async function copyFrom(client: pg.Client | pg.PoolClient, sql: string, data: string | Buffer | Iterable<Buffer | string> | AsyncIterable<Buffer | string>): Promise<number> {
  const source = typeof data === "string" ? pieces(Buffer.from(data)) : Buffer.isBuffer(data) ? pieces(data) : data;
  const stream = client.query(copyStreamFrom(sql));
  await pipeline(Readable.from(source, { objectMode: false }), stream);
  return stream.rowCount;
}
