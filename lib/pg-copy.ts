/**
 * COPY … FROM STDIN for node-postgres: the text format's escaping and a minimal sender. Ingestion
 * (lib/tool-calls/ingest.ts) stores tool calls this way; the bench uses it for its baseline.
 */
import type pg from "pg";

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

type PgConnection = { query: (text: string) => void; sendCopyFromChunk: (b: Buffer) => void; endCopyFrom: () => void };

/**
 * COPY … FROM STDIN through node-postgres without extra packages: a "submittable" that sends the
 * data when the server asks for it (what pg-copy-streams does, minus streaming back-pressure).
 * Resolves with the number of rows copied; rejects with the server's error (a failed COPY stores
 * nothing).
 */
export function copyFrom(client: pg.Client | pg.PoolClient, sql: string, data: string | Buffer): Promise<number> {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  return new Promise((resolve, reject) => {
    let rows = 0;
    const submittable = {
      submit(connection: PgConnection) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: PgConnection) {
        for (let i = 0; i < buf.length; i += 256 * 1024) connection.sendCopyFromChunk(buf.subarray(i, i + 256 * 1024));
        connection.endCopyFrom();
      },
      handleCommandComplete(msg: { text?: string }) {
        rows = Number(/COPY (\d+)/.exec(msg.text ?? "")?.[1] ?? 0);
      },
      // node-postgres drops its active query on an error (no ReadyForQuery reaches it after one),
      // so an error settles the promise here; the connection takes its next query when ready.
      handleError(err: Error) {
        reject(err);
      },
      handleReadyForQuery() {
        resolve(rows);
      },
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    (client as unknown as { query: (s: unknown) => void }).query(submittable);
  });
}
