import fs from "node:fs";
import { createGunzip } from "node:zlib";
import { readTar } from "@/lib/evidence/tar";

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
