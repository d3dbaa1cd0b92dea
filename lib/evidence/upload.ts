import "server-only";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Actor } from "@/lib/auth/actor";
import { recordAuditStandalone } from "@/lib/audit/record";
import { wardenPublicKey } from "@/lib/signing/keys";
import { AppError } from "@/lib/errors";
import { verifyEvidenceBundle, type VerifyReport } from "./verify";

/** The largest bundle the upload check accepts. */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/**
 * Verify an uploaded bundle with this server's own public key. The body is streamed straight
 * through the verifier (never held in memory or written to disk) and cut off past `limit` bytes.
 */
export async function verifyUploadedBundle(actor: Actor, body: ReadableStream<Uint8Array> | null, contentLength: string | null, limit = MAX_UPLOAD_BYTES): Promise<VerifyReport> {
  let seen = 0;
  // A refused upload is audited as a failure with its reason; a bundle that does not verify is a
  // failure too (its report says what broke). Only a bundle that verifies is a success.
  const refuse = async (message: string, err?: unknown): Promise<never> => {
    await recordAuditStandalone(actor, { action: "evidence.verify", outcome: "failure", targetType: "evidence_export", targetId: null, after: { ok: false, bytes: seen, error: message } });
    throw err ?? new AppError("invalid", message);
  };
  if (!body) return refuse("Send the bundle (.tar.gz) as the request body.");
  if (contentLength && Number(contentLength) > limit) return refuse(`The bundle is larger than ${fmtBytes(limit)}.`);
  let tooBig = false;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) {
        tooBig = true;
        return cb(new Error("upload too large"));
      }
      cb(null, chunk);
    },
  });
  const source = Readable.fromWeb(body as unknown as WebReadableStream<Uint8Array>);
  source.on("error", (err) => cap.destroy(err));
  const key = await wardenPublicKey();
  let report: VerifyReport;
  try {
    report = await verifyEvidenceBundle(source.pipe(cap), { publicKeyPem: key.publicKeyPem });
  } catch (err) {
    return refuse(err instanceof AppError ? err.message : "The bundle could not be read.", err);
  }
  if (tooBig) return refuse(`The bundle is larger than ${fmtBytes(limit)}.`);
  const count = (s: string) => report.files.filter((f) => f.status === s).length;
  await recordAuditStandalone(actor, {
    action: "evidence.verify",
    outcome: report.ok ? "success" : "failure",
    targetType: "evidence_export",
    targetId: report.manifest?.exportId ?? null,
    after: { ok: report.ok, signature: report.signature, bytes: seen, altered: count("altered"), missing: count("missing"), extra: count("extra") },
  });
  return report;
}

function fmtBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(0)} GB` : `${(n / 1024 ** 2).toFixed(0)} MB`;
}
