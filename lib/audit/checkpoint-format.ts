import { createHash, createPublicKey, verify as edVerify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "@/lib/signing/canonical";

/*
 * A checkpoint of the audit chain: "at time `at`, the chain's head was row `headId` with hash
 * `headHash`, and `count` rows had ids up to it", signed with Warden's Ed25519 key. Because each
 * row's hash covers the previous hash, one checkpoint vouches for every row up to its head.
 * Pure Node (no database, no Next): the server, the CLI and the offline bundle check share it.
 */

export const CHECKPOINT_TYPE = "warden.audit.checkpoint";

export const ZCheckpoint = z.strictObject({
  v: z.literal(1),
  type: z.literal(CHECKPOINT_TYPE),
  headId: z.string().regex(/^(0|[1-9][0-9]{0,18})$/, "a row id (digits)"),
  headHash: z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits"),
  count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "an ISO time in UTC"),
  keyId: z.string().regex(/^[0-9a-f]{16}$/, "16 hex digits"),
  reason: z.enum(["interval", "export"]),
  /** Ed25519 over the canonical JSON of every other field (base64, 64 bytes). */
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, "a base64 Ed25519 signature"),
});
export type TCheckpoint = z.infer<typeof ZCheckpoint>;
export type CheckpointPayload = Omit<TCheckpoint, "sig">;

/** The exact bytes a checkpoint's signature covers. */
export function checkpointSignedBytes(cp: CheckpointPayload | TCheckpoint): Buffer {
  const { v, type, headId, headHash, count, at, keyId, reason } = cp;
  return Buffer.from(canonicalJson({ v, type, headId, headHash, count, at, keyId, reason }), "utf8");
}

/** One line of a checkpoint file (JSONL): keys in a fixed order, no trailing newline. */
export function checkpointLine(cp: TCheckpoint): string {
  const { v, type, headId, headHash, count, at, keyId, reason, sig } = cp;
  return JSON.stringify({ v, type, headId, headHash, count, at, keyId, reason, sig });
}

/** Key id as Warden computes it: the first 16 hex digits of SHA-256 over the SPKI DER of the key. */
export function publicKeyId(key: string | KeyObject): string {
  const der = (typeof key === "string" ? createPublicKey(key) : key).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

/** Whether the checkpoint is signed by this key (and names it). */
export function checkpointSignatureValid(cp: TCheckpoint, key: KeyObject, keyId: string): boolean {
  if (cp.keyId !== keyId) return false;
  try {
    return edVerify(null, checkpointSignedBytes(cp), key, Buffer.from(cp.sig, "base64"));
  } catch {
    return false;
  }
}

/** A checkpoint as given to verification, or a line that is not one. */
export type CheckpointEntry = { source: string; line?: number } & ({ cp: TCheckpoint } | { malformed: string });

/** Parse one JSON value as a checkpoint: the checkpoint, or why it is not one. */
export function parseCheckpoint(value: unknown): { ok: true; cp: TCheckpoint } | { ok: false; error: string } {
  const parsed = ZCheckpoint.safeParse(value);
  if (parsed.success) return { ok: true, cp: parsed.data };
  return {
    ok: false,
    error: parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "(checkpoint)"}: ${i.message}`)
      .join("; "),
  };
}

/** Parse one line of a checkpoint file (blank lines are skipped by the caller). */
export function parseCheckpointLine(line: string): { ok: true; cp: TCheckpoint } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, error: "not valid JSON" };
  }
  return parseCheckpoint(value);
}
