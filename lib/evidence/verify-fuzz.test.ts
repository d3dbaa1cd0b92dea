import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { verifyEvidenceBundle } from "./verify";
import { mulberry32 } from "@/lib/prng";
import { tarOf } from "@/test/bundles";

// Uploaded bundles are untrusted bytes: 3,000 seeded mutations (flipped bytes, truncation, no gzip) of a
// small bundle must each end in a failed report, never an exception (a 500 on the upload route).
it("the verifier reports, never throws, on mutated, truncated or non-gzip bundles", { timeout: 120_000 }, async () => {
  const rnd = mulberry32(7);
  const base = await tarOf([
    ["manifest.json", JSON.stringify({ files: [{ path: "a.txt", sha256: "00", bytes: 3 }] })],
    ["manifest.sig", "abc"],
    ["a.txt", "abc"],
    ["audit/checkpoints.jsonl", '{"v":1}\n'],
    ["audit/events.jsonl", '{"id":"1"}\n'],
  ]);
  let n = 0;
  for (let i = 0; i < 3000; i++) {
    const t = Buffer.from(base);
    const k = 1 + Math.floor(rnd() * 8);
    for (let j = 0; j < k; j++) t[Math.floor(rnd() * t.length)] = Math.floor(rnd() * 256);
    const cut = rnd() < 0.2 ? t.subarray(0, Math.floor(rnd() * t.length)) : t;
    const gz = rnd() < 0.1 ? cut : gzipSync(cut);
    const r = await verifyEvidenceBundle(Readable.from([gz]), { publicKeyPem: null });
    expect(r.ok).toBe(false);
    n++;
  }
  expect(n).toBe(3000);
});
