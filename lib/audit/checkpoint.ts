import "server-only";
import { constants as FS } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { createPublicKey } from "node:crypto";
import { db } from "@/lib/db";
import { notify } from "@/lib/notify";
import { signWithWardenKey, storedWardenPublicKeyPem, wardenPublicKey } from "@/lib/signing/keys";
import { GENESIS_HASH } from "@/lib/signing/canonical";
import {
  CHECKPOINT_TYPE,
  checkpointLine,
  checkpointSignatureValid,
  checkpointSignedBytes,
  parseCheckpointLine,
  publicKeyId,
  type CheckpointEntry,
  type CheckpointPayload,
  type TCheckpoint,
} from "./checkpoint-format";
import { verifyAuditChain, type CheckpointReport, type VerifyResult } from "./verify";
import { settings } from "@/lib/env";

/*
 * Anchoring the audit chain outside the database. The hash chain alone cannot show that the
 * newest rows were deleted, or that a row was rewritten and every later hash recomputed: whoever
 * owns the database can do both. So Warden signs checkpoints (head id, head hash, row count,
 * time) with its Ed25519 key — sealed with WARDEN_SECRET, which the database owner lacks — and
 * sends each one out: a webhook event, an append-only file outside the data folder, and every
 * evidence bundle. `audit verify` checks the chain against the checkpoints it is given.
 */

// Serialises checkpoint making across replicas (the chain itself uses 7_210_001).
const CHECKPOINT_LOCK = 7_210_002;
const DEFAULT_MINUTES = 15;
/**
 * Checkpoints read from one file at most: the newest are kept, since each vouches for every row
 * before it (older ones only narrow down where a rewrite begins). 20,000 is about seven months
 * at 15 minutes, and bounds the signature checks of one verification to about a second.
 */
export const MAX_FILE_CHECKPOINTS = 20_000;

/** WARDEN_AUDIT_CHECKPOINT_MINUTES (default 15; 0 or "off" = no scheduled checkpoints). */
export function checkpointMinutes(): number {
  const raw = settings.auditCheckpointMinutes().trim().toLowerCase();
  if (raw === "") return DEFAULT_MINUTES;
  if (raw === "off" || raw === "0") return 0;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? Math.min(Math.max(n, 1), 1440) : DEFAULT_MINUTES;
}

/**
 * Where checkpoints are appended: WARDEN_AUDIT_CHECKPOINT_FILE, "off" for nowhere; by default
 * `<data folder>-audit/checkpoints.jsonl` beside (not inside) the data folder, so resetting or
 * restoring the data folder or the database does not take the anchors with it.
 */
export function checkpointFilePath(): string | null {
  const raw = settings.auditCheckpointFile().trim();
  if (raw.toLowerCase() === "off") return null;
  if (raw) return path.resolve(raw);
  const data = path.resolve(settings.dataDir() || path.join(process.cwd(), ".warden"));
  return path.join(path.dirname(data), `${path.basename(data)}-audit`, "checkpoints.jsonl");
}

/**
 * Append one line to the checkpoint file: opened with O_APPEND (every write lands at the end,
 * also under `chattr +a`), created 0600, never truncated or rewritten, symlinks refused. A line
 * left without its newline by a crash is closed first, so each line stays self-contained.
 */
export async function appendCheckpointLine(line: string, file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const fh = await fs.open(file, FS.O_RDWR | FS.O_APPEND | FS.O_CREAT | FS.O_NOFOLLOW, 0o600);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    let prefix = "";
    if (st.size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, st.size - 1);
      if (last[0] !== 0x0a) prefix = "\n";
    }
    await fh.write(`${prefix}${line}\n`);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

type Row = { headId: bigint; headHash: string; count: bigint; at: Date; keyId: string; reason: string; signature: string };

function fromRow(r: Row): TCheckpoint {
  return {
    v: 1,
    type: CHECKPOINT_TYPE,
    headId: r.headId.toString(),
    headHash: r.headHash,
    count: Number(r.count),
    at: r.at.toISOString(),
    keyId: r.keyId,
    reason: r.reason === "export" ? "export" : "interval",
    sig: r.signature,
  };
}

/**
 * Make, store and send a checkpoint of the chain's current head. "interval" checkpoints are
 * skipped when another replica is making one, when the head has not moved since the newest
 * validly signed checkpoint, or when that one is less than half an interval old; "export" ones
 * are always made (an empty chain gets head 0 with the genesis hash). The row, the webhook
 * deliveries and the file line are written after one commit; a file that cannot be written is
 * logged, never fatal (the other two still leave).
 */
export async function createAuditCheckpoint(reason: "interval" | "export", now = new Date()): Promise<TCheckpoint | null> {
  const key = await wardenPublicKey();
  const publicKey = createPublicKey(key.publicKeyPem);
  const cp = await db.$transaction(async (tx) => {
    if (reason === "interval") {
      const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(${CHECKPOINT_LOCK}) as locked`;
      if (!locked) return null;
    } else await tx.$executeRaw`select pg_advisory_xact_lock(${CHECKPOINT_LOCK})`;
    // One statement, one snapshot: ids are taken under the chain's lock until commit, so every
    // row below the head we see has committed (or never will).
    const [head] = await tx.$queryRaw<{ id: string; hash: string; count: string }[]>`
      select h.id::text as id, h.hash, (select count(*) from audit_events where id <= h.id)::text as count
        from (select id, hash from audit_events order by id desc limit 1) h`;
    if (!head && reason === "interval") return null;
    const headId = head?.id ?? "0";
    const headHash = head?.hash ?? GENESIS_HASH;
    if (reason === "interval") {
      // Only a checkpoint that verifies counts: rows forged into this table cannot silence the next one.
      const last = await tx.auditCheckpoint.findFirst({ orderBy: { id: "desc" } });
      const lastCp = last ? fromRow(last) : null;
      if (lastCp && checkpointSignatureValid(lastCp, publicKey, key.keyId)) {
        if (lastCp.headId === headId && lastCp.headHash === headHash) return null;
        const age = now.getTime() - new Date(lastCp.at).getTime();
        if (age >= 0 && age < (checkpointMinutes() * 60_000) / 2) return null;
      }
    }
    const payload: CheckpointPayload = { v: 1, type: CHECKPOINT_TYPE, headId, headHash, count: Number(head?.count ?? 0), at: now.toISOString(), keyId: key.keyId, reason };
    const signed = await signWithWardenKey(checkpointSignedBytes(payload));
    if (signed.keyId !== key.keyId) throw new Error("the signing key changed while making a checkpoint");
    const made: TCheckpoint = { ...payload, sig: signed.signature };
    await tx.auditCheckpoint.create({ data: { headId: BigInt(headId), headHash, count: BigInt(made.count), at: now, keyId: made.keyId, reason, signature: made.sig } });
    await notify(tx, "audit.checkpoint", `Audit checkpoint: ${made.count} events, head #${headId} (${headHash.slice(0, 12)}…), ${reason}`, {}, { checkpoint: made, line: checkpointLine(made) });
    return made;
  });
  if (!cp) return null;
  const file = checkpointFilePath();
  if (file) await appendCheckpointLine(checkpointLine(cp), file).catch((err) => console.error(`warden: could not append the audit checkpoint to ${file}: ${(err as Error).message}`));
  return cp;
}

/** Where a file's checkpoints came from and how many were read. */
export type CheckpointSource = { source: string; entries: number; skipped?: number; error?: string };

/**
 * Read a checkpoint file line by line (streaming); a missing file has none. Lines that are not
 * checkpoints are kept as "malformed" entries (the file is written only by Warden). At most
 * MAX_FILE_CHECKPOINTS, the newest.
 */
export async function readCheckpointFile(file: string, source: string): Promise<{ entries: CheckpointEntry[]; info: CheckpointSource }> {
  const entries: CheckpointEntry[] = [];
  let skipped = 0;
  let fh: fs.FileHandle | null = null;
  try {
    fh = await fs.open(file, FS.O_RDONLY);
    const lines = createInterface({ input: fh.createReadStream({ encoding: "utf8", autoClose: false }), crlfDelay: Infinity });
    let n = 0;
    for await (const text of lines) {
      n++;
      if (!text.trim()) continue;
      if (text.length > 4096) {
        entries.push({ source, line: n, malformed: "line too long" });
      } else {
        const parsed = parseCheckpointLine(text);
        entries.push(parsed.ok ? { source, line: n, cp: parsed.cp } : { source, line: n, malformed: parsed.error });
      }
      if (entries.length >= 2 * MAX_FILE_CHECKPOINTS) {
        skipped += entries.length - MAX_FILE_CHECKPOINTS;
        entries.splice(0, entries.length - MAX_FILE_CHECKPOINTS);
      }
    }
    if (entries.length > MAX_FILE_CHECKPOINTS) {
      skipped += entries.length - MAX_FILE_CHECKPOINTS;
      entries.splice(0, entries.length - MAX_FILE_CHECKPOINTS);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], info: { source, entries: 0 } };
    return { entries, info: { source, entries: entries.length, error: `could not read the checkpoint file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` } };
  } finally {
    await fh?.close();
  }
  return { entries, info: { source, entries: entries.length, ...(skipped ? { skipped } : {}) } };
}

/** The key checkpoints must verify under: Warden's own (from the sealed private key), else the database's copy. */
export async function trustedCheckpointKey(): Promise<{ publicKeyPem: string; keyId: string; source: "warden" | "database" } | null> {
  try {
    const k = await wardenPublicKey();
    return { publicKeyPem: k.publicKeyPem, keyId: k.keyId, source: "warden" };
  } catch {
    // No WARDEN_SECRET here (a CLI run): the stored public key. Replacing it only makes genuine
    // checkpoints fail, so it cannot hide a change; say which key was used anyway.
    const pem = await storedWardenPublicKeyPem();
    return pem ? { publicKeyPem: pem, keyId: publicKeyId(pem), source: "database" } : null;
  }
}

export type AuditTrailReport = VerifyResult & { checkpoints: CheckpointReport & { sources: CheckpointSource[]; keySource: "warden" | "database" | "provided" | "none" } };

/**
 * `audit verify` for the API, the console and the CLI: the chain, checked against the checkpoints
 * given and (unless told not to) those in the server's checkpoint file.
 */
export async function verifyAuditTrail(opts: { given?: CheckpointEntry[]; givenSource?: string; serverFile?: boolean; files?: string[]; publicKeyPem?: string } = {}): Promise<AuditTrailReport> {
  const entries: CheckpointEntry[] = [];
  const sources: CheckpointSource[] = [];
  if (opts.given) {
    entries.push(...opts.given);
    sources.push({ source: opts.givenSource ?? "given", entries: opts.given.length });
  }
  const files = [...(opts.files ?? [])];
  const serverFile = opts.serverFile === false ? null : checkpointFilePath();
  for (const [file, label] of [...files.map((f) => [f, f] as const), ...(serverFile ? [[serverFile, "server file"] as const] : [])]) {
    const read = await readCheckpointFile(file, label);
    entries.push(...read.entries);
    sources.push(read.info);
  }
  let key: { publicKeyPem: string; keyId: string; source: "warden" | "database" | "provided" } | null = null;
  if (opts.publicKeyPem) key = { publicKeyPem: opts.publicKeyPem, keyId: publicKeyId(opts.publicKeyPem), source: "provided" };
  else if (entries.length) key = await trustedCheckpointKey();
  const res = await verifyAuditChain(key ? { checkpoints: entries, publicKeyPem: key.publicKeyPem } : { checkpoints: entries.filter((e) => "malformed" in e) });
  const unreadable = sources.filter((s) => s.error);
  if (key === null && entries.some((e) => "cp" in e)) {
    Object.assign(res, { ok: false, reason: "Warden has no signing key to check the checkpoints with" });
  } else if (unreadable.length && res.ok) {
    Object.assign(res, { ok: false, reason: `${unreadable[0].source}: ${unreadable[0].error}` });
  }
  return { ...res, checkpoints: { ...res.checkpoints!, keyId: key?.keyId ?? "", sources, keySource: key?.source ?? "none" } };
}
