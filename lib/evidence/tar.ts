import { createReadStream } from "node:fs";
import { once } from "node:events";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tarStream from "tar-stream";

/*
 * Evidence bundles are tar archives (gzipped by the caller), written and read with tar-stream: the
 * verifier reads bundles uploaded by anyone, so the parsing of headers (ustar, pax, GNU long names,
 * base-256 sizes) is a maintained library's. What Warden adds: streaming with back-pressure, a
 * size check on members written from disk, and a simple visitor over regular files. Pure Node (no
 * DB, no Next) so the offline verifier can use it as well.
 */

/** Wait for the stream to drain when `write` says its buffer is full (backpressure). */
export async function writeWithBackpressure(out: Writable | NodeJS.WritableStream, chunk: Buffer | string): Promise<void> {
  if (!out.write(chunk)) {
    // 'error' rejects the wait, so a broken output never hangs the export.
    await once(out as NodeJS.EventEmitter, "drain");
  }
}

/**
 * Writes a tar stream into `out` (typically a gzip stream piped to a file), one member at a time,
 * respecting backpressure; members from disk are streamed, never read whole into memory. Regular
 * files, mode 0644, owner "warden", the given mtime; paths over ustar's 100/155 bytes or not ASCII
 * get a pax header.
 */
export class TarWriter {
  private readonly pack = tarStream.pack();
  private readonly piped: Promise<void>;

  constructor(
    out: Writable,
    private readonly mtime = new Date(),
  ) {
    // `out` stays open after the archive: the caller ends it (e.g. gzip.end()).
    this.piped = pipeline(this.pack, out, { end: false });
    this.piped.catch(() => {}); // awaited in finish(); an earlier failure surfaces through the writes
  }

  private header(path: string, size: number): Partial<import("tar-stream").Header> & { name: string } {
    return { name: path, size, mode: 0o644, uid: 0, gid: 0, uname: "warden", gname: "warden", mtime: this.mtime, type: "file" };
  }

  /** Append an in-memory member (small files: manifest, signature, key). */
  async addBuffer(path: string, data: Buffer | string): Promise<void> {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8");
    await new Promise<void>((resolve, reject) => {
      this.pack.entry(this.header(path, buf.length), buf, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Append a member streamed from a file of known size (checked: a file that changed size is an error). */
  async addFile(path: string, file: string, size: number): Promise<void> {
    let written = 0;
    let done!: Promise<void>;
    const entry = this.entry(path, size, (p) => (done = p));
    try {
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
        written += (chunk as Buffer).length;
        if (written > size) break;
        await writeWithBackpressure(entry, chunk as Buffer);
      }
      if (written !== size) throw new Error(`tar: ${path} is ${written > size ? "more than " : ""}${written} bytes, expected ${size}`);
      entry.end(undefined);
      await done;
    } catch (err) {
      entry.destroy(err as Error);
      done.catch(() => {});
      throw err;
    }
  }

  private entry(path: string, size: number, onDone: (p: Promise<void>) => void) {
    let entry!: ReturnType<tarStream.Pack["entry"]>;
    onDone(
      new Promise<void>((resolve, reject) => {
        entry = this.pack.entry(this.header(path, size), (err) => (err ? reject(err) : resolve()));
      }),
    );
    return entry;
  }

  /** End the archive (two zero blocks) and wait until all of it reached `out` (the caller then ends `out`). */
  async finish(): Promise<void> {
    this.pack.finalize();
    await this.piped;
  }
}

// ───────────────────────────── reading ─────────────────────────────

export type TarEntryHeader = { path: string; size: number; type: string };

/** Normalise member paths ("./a/b" → "a/b") so archives re-packed by other tools still verify. */
function normalisePath(p: string): string {
  return p.replace(/^(\.\/)+/, "").replace(/\/+/g, "/");
}

export type TarVisitor = {
  /** Called at each regular file's header; return a sink for its content chunks (or nothing to skip it). */
  onEntry(header: TarEntryHeader): ((chunk: Buffer) => void) | void;
  /** Called once the entry's content is complete. */
  onEntryEnd?(header: TarEntryHeader): void | Promise<void>;
};

/**
 * Stream-parse a tar from `input` (already gunzipped) with tar-stream, calling the visitor per
 * regular file (type "0", "\0" or "7"; directories, links and the rest are skipped). Memory stays
 * bounded: content chunks are handed to the visitor as they arrive (tar-stream itself caps pax and
 * long-name headers at 4 MiB). A corrupted header or a truncated archive rejects with an Error
 * whose message starts with "tar:".
 */
export async function readTar(input: Readable | AsyncIterable<Buffer>, visitor: TarVisitor): Promise<void> {
  const extract = tarStream.extract();
  const source = input instanceof Readable ? input : Readable.from(input);
  const feeding = pipeline(source, extract);
  feeding.catch(() => {}); // its failure also ends the iteration below, with the same error
  // The visitor's own errors pass through as they are; only the archive's are reworded.
  let visitorError: { err: unknown } | null = null;
  const visit = async (fn: () => unknown) => {
    try {
      await fn();
    } catch (err) {
      visitorError = { err };
      throw err;
    }
  };
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (h.type !== "file" && h.type !== "contiguous-file") {
        entry.resume();
        continue;
      }
      const header: TarEntryHeader = { path: normalisePath(h.name), size: h.size ?? 0, type: "0" };
      const sinks: ((chunk: Buffer) => void)[] = [];
      await visit(() => {
        const sink = visitor.onEntry(header);
        if (sink) sinks.push(sink);
      });
      for await (const chunk of entry) for (const sink of sinks) await visit(() => sink(chunk as Buffer));
      await visit(() => visitor.onEntryEnd?.(header));
    }
    await feeding;
  } catch (err) {
    source.destroy();
    if (visitorError) throw (visitorError as { err: unknown }).err;
    // The iterator may only say "destroyed": the parser's own error is the pipeline's.
    const cause =
      (await feeding.then(
        () => null,
        (e: unknown) => e,
      )) ?? err;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Error(message.startsWith("tar:") ? message : `tar: ${/unexpected end/i.test(message) ? "the archive ends in the middle of a member (truncated)" : message}`);
  }
}
