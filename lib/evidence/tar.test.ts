import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { once } from "node:events";
import { createGzip, gunzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { tarOf, unpackTarGz } from "@/test/bundles";
import { TarWriter, readTar } from "./tar";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-tar-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const longPath = `${"deep/".repeat(25)}file-with-a-long-name.jsonl`; // > 100 bytes: uses the ustar prefix
const members = [
  { path: "a/empty.txt", content: Buffer.alloc(0) },
  { path: "a/one-block.bin", content: randomBytes(512) },
  { path: "b/odd.bin", content: randomBytes(513) },
  { path: longPath, content: Buffer.from('{"x":1}\n') },
  { path: "ünïcödé/naïve.txt", content: Buffer.from("ok") },
];

async function write(file: string) {
  const gz = createGzip();
  const done = pipeline(gz, fs.createWriteStream(file));
  const tar = new TarWriter(gz);
  for (const m of members) {
    if (m.content.length > 100) {
      const src = path.join(dir, `src-${randomBytes(4).toString("hex")}`);
      fs.writeFileSync(src, m.content);
      await tar.addFile(m.path, src, m.content.length);
    } else await tar.addBuffer(m.path, m.content);
  }
  await tar.finish();
  gz.end();
  await done;
}

describe("tar writer and reader (tar-stream)", () => {
  it("round-trips empty, block-sized, odd-sized, long-named and non-ASCII members", async () => {
    const file = path.join(dir, "rt.tar.gz");
    await write(file);
    const back = await unpackTarGz(file);
    expect(back.map((m) => m.path)).toEqual(members.map((m) => m.path));
    back.forEach((m, i) => expect(m.content.equals(members[i].content), m.path).toBe(true));
  });

  it("GNU tar reads what we write, and we read what GNU tar writes", async () => {
    const file = path.join(dir, "gnu.tar.gz");
    await write(file);
    const listed = execFileSync("tar", ["tzf", file], { encoding: "utf8" }).trim().split("\n");
    expect(listed).toEqual(members.map((m) => m.path));
    const out = path.join(dir, "x");
    fs.mkdirSync(out);
    execFileSync("tar", ["xzf", file, "-C", out]);
    expect(fs.readFileSync(path.join(out, longPath), "utf8")).toBe('{"x":1}\n');
    // Re-packed by GNU tar ("./" prefixes, directory entries, its own header flavour).
    const repacked = path.join(dir, "gnu-repacked.tar.gz");
    execFileSync("tar", ["czf", repacked, "-C", out, "."]);
    const back = await unpackTarGz(repacked);
    for (const m of members) expect(back.find((b) => b.path === m.path)?.content.equals(m.content), m.path).toBe(true);
  });

  it("rejects a corrupted header and a truncated archive", async () => {
    const good = await tarOf([["x.txt", "0123456789"]]);
    const bad = Buffer.from(good);
    bad[0] ^= 0xff;
    await expect(readTar(Readable.from([bad]), { onEntry: () => undefined })).rejects.toThrow(/^tar: /);
    await expect(readTar(Readable.from([good.subarray(0, 515)]), { onEntry: () => undefined })).rejects.toThrow(/truncated/);
    await expect(readTar(Readable.from([good.subarray(0, 300)]), { onEntry: () => undefined })).rejects.toThrow(/truncated/);
  });

  it("sizes past the 8 GiB octal limit are written and read as base-256", async () => {
    const pack = tarStream.pack();
    pack.entry({ name: "big.bin", size: 9 * 1024 ** 3 });
    const [head] = (await once(pack, "data")) as [Buffer];
    expect(head[124] & 0x80).toBe(0x80);
    const seen: number[] = [];
    await expect(readTar(Readable.from([head.subarray(0, 512), Buffer.alloc(1024)]), { onEntry: (h) => void seen.push(h.size) })).rejects.toThrow(/truncated/);
    expect(seen).toEqual([9 * 1024 ** 3]);
  });

  it("reads bundles written by Warden's earlier hand-written ustar writer (prefix split, non-ASCII and empty members)", async () => {
    // Written on 2026-12-07 by the writer this library replaced (lib/evidence/tar.ts before tar-stream).
    const old = gunzipSync(Buffer.from(OLD_WRITER_TAR_GZ, "base64"));
    const back: { path: string; content: string }[] = [];
    let chunks: Buffer[] = [];
    await readTar(Readable.from([old]), { onEntry: () => ((chunks = []), (c) => chunks.push(c)), onEntryEnd: (h) => void back.push({ path: h.path, content: Buffer.concat(chunks).toString() }) });
    expect(back).toEqual([
      { path: "manifest.json", content: '{"v":1}\n' },
      { path: `${"deep/".repeat(25)}long-name.jsonl`, content: "x\n" },
      { path: "ünïcödé/naïve.txt", content: "ok" },
      { path: "a/empty.txt", content: "" },
    ]);
  });

  it("hostile archives: huge pax headers, NUL in pax paths and negative sizes are refused; links and directories are not files", async () => {
    const entry = await tarOf([["a.txt", "abc"]]);
    // A pax header (type x) that declares 64 MiB: refused at its header, never buffered.
    const pax = withHeader(entry.subarray(0, 512), (h) => {
      h[156] = "x".charCodeAt(0);
      h.write("00400000000\0", 124, "latin1");
    });
    await expect(readTar(Readable.from([pax, Buffer.alloc(4096)]), { onEntry: () => undefined })).rejects.toThrow(/^tar: /);
    // A pax path with a NUL byte.
    const record = (k: string, v: string) => {
      const body = ` ${k}=${v}\n`;
      let n = body.length + 1;
      while (`${n}${body}`.length !== n) n++;
      return `${n}${body}`;
    };
    const nulPath = Buffer.from(record("path", "ok\0../../etc/passwd"));
    const paxHead = withHeader(entry.subarray(0, 512), (h) => {
      h[156] = "x".charCodeAt(0);
      h.write(nulPath.length.toString(8).padStart(11, "0") + "\0", 124, "latin1");
    });
    const padded = Buffer.concat([nulPath, Buffer.alloc((512 - (nulPath.length % 512)) % 512)]);
    await expect(readTar(Readable.from([Buffer.concat([paxHead, padded, entry])]), { onEntry: () => undefined })).rejects.toThrow(/^tar: /);
    // A negative base-256 size.
    const negative = withHeader(entry.subarray(0, 512), (h) => h.fill(0xff, 124, 136));
    await expect(readTar(Readable.from([negative, Buffer.alloc(1024)]), { onEntry: () => undefined })).rejects.toThrow(/^tar: /);
    // A symlink and a directory before a file: only the file reaches the visitor.
    const link = withHeader(entry.subarray(0, 512), (h) => {
      h.fill(0, 0, 100);
      h.write("link", 0);
      h[156] = "2".charCodeAt(0);
      h.write("/etc/passwd", 157);
      h.write("00000000000\0", 124, "latin1");
    });
    const dirEntry = withHeader(link, (h) => {
      h.fill(0, 0, 100);
      h.write("d/", 0);
      h[156] = "5".charCodeAt(0);
      h.fill(0, 157, 257);
    });
    const seen: string[] = [];
    await readTar(Readable.from([Buffer.concat([link, dirEntry, entry])]), { onEntry: (h) => void seen.push(h.path) });
    expect(seen).toEqual(["a.txt"]);
  });

  it("errors thrown by the visitor pass through unchanged", async () => {
    const entry = await tarOf([["a.txt", "abc"]]);
    const boom = new Error("visitor failed");
    await expect(readTar(Readable.from([entry]), { onEntry: () => undefined, onEntryEnd: () => Promise.reject(boom) })).rejects.toBe(boom);
  });
});

/** A copy of a 512-byte header changed by `edit`, with its checksum recomputed. */
function withHeader(header: Buffer, edit: (h: Buffer) => void): Buffer {
  const h = Buffer.from(header.subarray(0, 512));
  edit(h);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return h;
}

const OLD_WRITER_TAR_GZ =
  "H4sIAAAAAAACA+3WMQ6CMBSA4c6ewrgL75W2Jt6mkWpUKAQqYowHcnJzcuvFTNxk0JgIhPC+oR06tcnfNtV2uzalC3ZlZlk7AACUEK8ZAJozAAJDiVyqiCshGWCEsGBTYB04lE4XDOCoi9h8OIFv6wN1nlWzJV4mjIxSktnN3OrUvC6ApJ/+gb/3L1ApHHj/sTF52NPww/ZrKn/U/MP628rfY38Nrfa3ygSudj33jyqSkt7/LmR7amDMdGjS3J3+H/1P/Tf//1xyQf0TQkibnjJuinEAEgAA";
