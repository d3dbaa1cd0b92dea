import { createReadStream } from "node:fs";
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";

/*
 * A minimal streaming ustar (POSIX.1-1988) writer and reader: enough for evidence bundles, with no
 * dependency. Pure Node (no DB, no Next) so the offline verifier can use it as well.
 */

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
/** The largest size the 11 octal digits of a ustar header hold; bigger sizes use base-256. */
const MAX_OCTAL_SIZE = 0o77777777777;

/** Wait for the stream to drain when `write` says its buffer is full (backpressure). */
export async function writeWithBackpressure(out: Writable, chunk: Buffer | string): Promise<void> {
  if (!out.write(chunk)) {
    // 'error' rejects the wait, so a broken output never hangs the export.
    await once(out, "drain");
  }
}

function writeString(buf: Buffer, offset: number, length: number, value: string) {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length) throw new Error(`tar: "${value}" does not fit in ${length} bytes`);
  bytes.copy(buf, offset);
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number) {
  // length-1 digits, zero padded, NUL terminated.
  writeString(buf, offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
}

function writeSize(buf: Buffer, offset: number, size: number) {
  if (size <= MAX_OCTAL_SIZE) return writeOctal(buf, offset, 12, size);
  // GNU base-256: high bit of the first byte set, the number big-endian in the rest.
  let n = BigInt(size);
  for (let i = offset + 11; i > offset; i--) {
    buf[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  buf[offset] = 0x80;
}

/** Split a path into ustar's name (≤100 bytes) and prefix (≤155 bytes) fields. */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`tar: path too long: ${path}`);
}

/** A 512-byte ustar header for a regular file. */
export function tarHeader(path: string, size: number, mtime: Date = new Date()): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(path);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeSize(h, 124, size);
  writeOctal(h, 136, 12, Math.floor(mtime.getTime() / 1000));
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h[156] = 0x30; // '0': regular file
  writeString(h, 257, 6, "ustar\0");
  writeString(h, 263, 2, "00");
  writeString(h, 265, 32, "warden");
  writeString(h, 297, 32, "warden");
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  writeString(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * Writes a tar stream into `out` (typically a gzip stream piped to a file), one member at a time,
 * respecting backpressure; members from disk are streamed, never read whole into memory.
 */
export class TarWriter {
  constructor(private readonly out: Writable, private readonly mtime = new Date()) {}

  /** Append an in-memory member (small files: manifest, signature, key). */
  async addBuffer(path: string, data: Buffer | string): Promise<void> {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8");
    await writeWithBackpressure(this.out, tarHeader(path, buf.length, this.mtime));
    if (buf.length) await writeWithBackpressure(this.out, buf);
    const pad = padding(buf.length);
    if (pad) await writeWithBackpressure(this.out, ZERO_BLOCK.subarray(0, pad));
  }

  /** Append a member streamed from a file of known size (checked: a file that changed size is an error). */
  async addFile(path: string, file: string, size: number): Promise<void> {
    await writeWithBackpressure(this.out, tarHeader(path, size, this.mtime));
    let written = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      written += (chunk as Buffer).length;
      await writeWithBackpressure(this.out, chunk as Buffer);
    }
    if (written !== size) throw new Error(`tar: ${path} is ${written} bytes, expected ${size}`);
    const pad = padding(size);
    if (pad) await writeWithBackpressure(this.out, ZERO_BLOCK.subarray(0, pad));
  }

  /** Two zero blocks end the archive (the caller then ends `out`). */
  async finish(): Promise<void> {
    await writeWithBackpressure(this.out, Buffer.alloc(BLOCK * 2));
  }
}

// ───────────────────────────── reading ─────────────────────────────

export type TarEntryHeader = { path: string; size: number; type: string };

function readString(buf: Buffer, offset: number, length: number): string {
  const end = buf.indexOf(0, offset);
  return buf.toString("utf8", offset, end === -1 || end > offset + length ? offset + length : end);
}

function readNumber(buf: Buffer, offset: number, length: number): number {
  if (buf[offset] & 0x80) {
    let n = 0n;
    for (let i = offset + 1; i < offset + length; i++) n = (n << 8n) | BigInt(buf[i]);
    return Number(n);
  }
  const s = readString(buf, offset, length).trim();
  const n = s ? parseInt(s, 8) : 0;
  if (Number.isNaN(n)) throw new Error("tar: bad number in header");
  return n;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum === readNumber(h, 148, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp === -1) break;
    const len = parseInt(data.toString("utf8", i, sp), 10);
    if (!len) break;
    const record = data.toString("utf8", sp + 1, i + len - 1);
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

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
 * Stream-parse a tar from `input` (already gunzipped), calling the visitor per regular file.
 * Memory stays bounded: content chunks are handed to the visitor as they arrive. Understands
 * ustar prefix, pax `path`/`size` and GNU long names, so re-packed archives are read too.
 */
export async function readTar(input: Readable | AsyncIterable<Buffer>, visitor: TarVisitor): Promise<void> {
  let pending: Buffer[] = [];
  let pendingLen = 0;
  type State = "header" | "body" | "padding" | "meta" | "done";
  let state = "header" as State;
  let remaining = 0;
  let current: TarEntryHeader | null = null;
  let sink: ((chunk: Buffer) => void) | void = undefined;
  let meta: { kind: string; chunks: Buffer[] } | null = null;
  let paxNext: Record<string, string> = {};
  let gnuLongName: string | null = null;
  let zeroBlocks = 0;

  const take = (n: number): Buffer => {
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    pending = rest.length ? [rest] : [];
    pendingLen = rest.length;
    return head;
  };

  for await (const raw of input as AsyncIterable<Buffer>) {
    pending.push(raw);
    pendingLen += raw.length;
    for (;;) {
      if (state === "done") break;
      if (state === "header") {
        if (pendingLen < BLOCK) break;
        const h = take(BLOCK);
        if (h.equals(ZERO_BLOCK)) {
          if (++zeroBlocks >= 2) state = "done";
          continue;
        }
        zeroBlocks = 0;
        if (!checksumOk(h)) throw new Error("tar: header checksum mismatch (not a tar archive, or corrupted)");
        const type = String.fromCharCode(h[156] || 0x30);
        const magic = readString(h, 257, 6);
        const prefix = magic.startsWith("ustar") ? readString(h, 345, 155) : "";
        let path = prefix ? `${prefix}/${readString(h, 0, 100)}` : readString(h, 0, 100);
        let size = readNumber(h, 124, 12);
        if (type === "x" || type === "g" || type === "L") {
          meta = { kind: type, chunks: [] };
          remaining = size;
          state = remaining ? "meta" : "header";
          if (!remaining) meta = null;
          continue;
        }
        if (gnuLongName) path = gnuLongName;
        if (paxNext.path) path = paxNext.path;
        if (paxNext.size) size = Number(paxNext.size);
        gnuLongName = null;
        paxNext = {};
        current = { path: normalisePath(path), size, type: type === "\0" || type === "7" ? "0" : type };
        sink = current.type === "0" ? visitor.onEntry(current) : undefined;
        remaining = size;
        state = "body";
        if (remaining === 0) {
          if (current.type === "0") await visitor.onEntryEnd?.(current);
          state = "header";
        }
        continue;
      }
      if (state === "meta" && meta) {
        if (pendingLen === 0) break;
        const chunk = take(Math.min(remaining, pendingLen));
        meta.chunks.push(chunk);
        remaining -= chunk.length;
        if (remaining === 0) {
          const data = Buffer.concat(meta.chunks);
          if (meta.kind === "x") paxNext = parsePax(data);
          if (meta.kind === "L") gnuLongName = readString(data, 0, data.length);
          remaining = padding(data.length);
          meta = null;
          state = remaining ? "padding" : "header";
        }
        continue;
      }
      if (state === "body" && current) {
        if (pendingLen === 0) break;
        const chunk = take(Math.min(remaining, pendingLen));
        if (sink) sink(chunk);
        remaining -= chunk.length;
        if (remaining === 0) {
          if (current.type === "0") await visitor.onEntryEnd?.(current);
          remaining = padding(current.size);
          state = remaining ? "padding" : "header";
        }
        continue;
      }
      if (state === "padding") {
        if (pendingLen === 0) break;
        const n = Math.min(remaining, pendingLen);
        take(n);
        remaining -= n;
        if (remaining === 0) state = "header";
        continue;
      }
      break;
    }
  }
  const end = state as State;
  if (end === "body" || end === "meta" || (end === "padding" && remaining > 0)) throw new Error("tar: archive ends in the middle of a member (truncated)");
}
