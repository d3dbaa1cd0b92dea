import "server-only";
import { Writable } from "node:stream";
import pg from "pg";
import { env } from "@/lib/env";

/**
 * An export's archive lives in evidence_export_chunks, CHUNK_BYTES per row (the last one shorter),
 * keyed by (export, attempt, seq): streamed in while the bundle is packed, streamed out on
 * download, so no process ever holds a whole archive and any replica can serve it.
 */
export const CHUNK_BYTES = 1 << 20;

declare global {
  var __wardenEvidencePool: pg.Pool | undefined;
}

/**
 * The chunks go through node-postgres, not Prisma: a Buffer parameter is sent as binary, and a
 * result is decoded straight into a Buffer. (Through Prisma's raw queries a downloaded
 * 13 MB archive grew the process by about 90 MB.)
 */
function pool(): pg.Pool {
  if (!globalThis.__wardenEvidencePool) {
    const p = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4, idleTimeoutMillis: 30_000, allowExitOnIdle: true, application_name: "warden-evidence-chunks" });
    p.on("error", (err: Error) => console.error("warden: evidence export database connection lost:", err.message));
    globalThis.__wardenEvidencePool = p;
  }
  return globalThis.__wardenEvidencePool;
}

/** The claim a build holds on its export: chunks and progress are written only while it holds. */
export type Claim = { id: string; owner: string; attempt: number };

/** Thrown when a write finds that the claim is no longer this build's (lease expired and taken over, or released). */
export class LeaseLostError extends Error {
  constructor(id: string) {
    super(`export ${id}: this replica no longer holds its lease`);
  }
}

/**
 * A Writable that stores what it is given as chunks of the claimed attempt, one INSERT per
 * CHUNK_BYTES (its callback waits for the insert: back-pressure reaches the gzip and the tar).
 * Each insert is conditional on the claim and locks the export row FOR SHARE, so once another
 * replica has taken the export over (or this one released it), no chunk of the old attempt lands.
 */
export class ChunkWriter extends Writable {
  private parts: Buffer[] = [];
  private size = 0;
  private seq = 0;
  bytes = 0;

  constructor(private readonly claim: Claim) {
    super({ highWaterMark: CHUNK_BYTES });
  }

  private async flush(all: boolean): Promise<void> {
    while (this.size >= CHUNK_BYTES || (all && this.size > 0)) {
      const joined = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
      const data = joined.subarray(0, Math.min(CHUNK_BYTES, joined.length));
      const rest = joined.subarray(data.length);
      this.parts = rest.length ? [rest] : [];
      this.size = rest.length;
      const { id, owner, attempt } = this.claim;
      const { rowCount } = await pool().query(
        `insert into evidence_export_chunks (export_id, attempt, seq, data)
         select e.id, $2::int, $3::int, $4::bytea
           from evidence_exports e
          where e.id = $1::uuid and e.state = 'running' and e.lease_owner = $5 and e.attempts = $2::int
            for share`,
        [id, attempt, this.seq, data, owner],
      );
      if (rowCount !== 1) throw new LeaseLostError(id);
      this.seq++;
      this.bytes += data.length;
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size < CHUNK_BYTES) return cb();
    this.flush(false).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.flush(true).then(() => cb(), cb);
  }
}

/**
 * The archive of a finished attempt as a stream, read one chunk (one query) at a time as the
 * client takes it. `expectedBytes` is checked: a missing chunk (the export deleted meanwhile)
 * errors the stream instead of sending a short file as if it were whole.
 */
export function chunkStream(id: string, attempt: number, expectedBytes: number): ReadableStream<Uint8Array> {
  let seq = 0;
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (sent >= expectedBytes) return controller.close();
        const { rows } = await pool().query<{ data: Buffer }>("select data from evidence_export_chunks where export_id = $1::uuid and attempt = $2::int and seq = $3::int", [id, attempt, seq]);
        if (!rows.length || rows[0].data.length === 0) return controller.error(new Error(`export ${id}: chunk ${seq} is missing (was the export deleted?)`));
        const data = rows[0].data;
        seq++;
        sent += data.length;
        if (sent > expectedBytes) return controller.error(new Error(`export ${id}: the stored archive is longer than recorded`));
        controller.enqueue(data instanceof Buffer ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        if (sent === expectedBytes) controller.close();
      },
    },
    // One chunk at a time in memory: the next query runs only once the client has taken this one.
    { highWaterMark: 0 },
  );
}
