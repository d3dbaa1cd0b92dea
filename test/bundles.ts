import fs from "node:fs";
import { createGunzip } from "node:zlib";
import { PassThrough } from "node:stream";
import { TarWriter, readTar } from "@/lib/evidence/tar";

/** A member of a .tar.gz read whole into memory. */
export type BundleEntry = { path: string; content: Buffer };

/** Read every member of a .tar.gz into memory (small test bundles only). */
export async function unpackTarGz(file: string): Promise<BundleEntry[]> {
  const out: BundleEntry[] = [];
  let chunks: Buffer[] = [];
  await readTar(fs.createReadStream(file).pipe(createGunzip()), {
    onEntry: () => {
      chunks = [];
      return (c) => chunks.push(c);
    },
    onEntryEnd: (h) => {
      out.push({ path: h.path, content: Buffer.concat(chunks) });
    },
  });
  return out;
}

/** An uncompressed tar of in-memory members, written by Warden's TarWriter (for tests that mutate bundles). */
export async function tarOf(files: [string, string | Buffer][]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const tar = new TarWriter(out, new Date(0));
  for (const [p, c] of files) await tar.addBuffer(p, c);
  await tar.finish();
  out.end();
  return Buffer.concat(chunks);
}

/** Save a finished export's archive to `file`, read from the database as the download route streams it. */
export async function saveExport(id: string, file: string): Promise<string> {
  const { openExportBundle } = await import("@/lib/evidence/service");
  const { body } = await openExportBundle(id);
  const { Readable } = await import("node:stream");
  const { pipeline } = await import("node:stream/promises");
  await pipeline(Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>), fs.createWriteStream(file));
  return file;
}
