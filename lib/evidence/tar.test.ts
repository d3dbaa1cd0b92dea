import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { unpackTarGz } from "@/test/bundles";
import { TarWriter, readTar, tarHeader } from "./tar";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-tar-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const longPath = `${"deep/".repeat(25)}file-with-a-long-name.jsonl`; // > 100 bytes: uses the ustar prefix
const members = [
  { path: "a/empty.txt", content: Buffer.alloc(0) },
  { path: "a/one-block.bin", content: randomBytes(512) },
  { path: "b/odd.bin", content: randomBytes(513) },
  { path: longPath, content: Buffer.from("{\"x\":1}\n") },
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

describe("ustar writer and reader", () => {
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
    expect(fs.readFileSync(path.join(out, longPath), "utf8")).toBe("{\"x\":1}\n");
    // Re-packed by GNU tar ("./" prefixes, directory entries, its own header flavour).
    const repacked = path.join(dir, "gnu-repacked.tar.gz");
    execFileSync("tar", ["czf", repacked, "-C", out, "."]);
    const back = await unpackTarGz(repacked);
    for (const m of members) expect(back.find((b) => b.path === m.path)?.content.equals(m.content), m.path).toBe(true);
  });

  it("rejects a corrupted header and a truncated archive", async () => {
    const h = tarHeader("x.txt", 10);
    h[0] ^= 0xff;
    await expect(readTar(Readable.from([h]), { onEntry: () => undefined })).rejects.toThrow(/checksum/);
    await expect(readTar(Readable.from([tarHeader("x.txt", 10), Buffer.from("abc")]), { onEntry: () => undefined })).rejects.toThrow(/truncated/);
  });

  it("sizes past the 8 GiB octal limit use base-256", () => {
    const h = tarHeader("big.bin", 9 * 1024 ** 3);
    expect(h[124] & 0x80).toBe(0x80);
  });
});
