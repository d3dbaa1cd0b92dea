import "server-only";
import { createPublicKey } from "node:crypto";
import { db } from "@/lib/db";
import { GENESIS_HASH, chainHash } from "@/lib/signing/canonical";
import { checkpointLine, checkpointSignatureValid, publicKeyId, type CheckpointEntry, type TCheckpoint } from "./checkpoint-format";

export type CheckpointProblem = "truncated" | "rewritten" | "badSignature" | "malformed" | "unchecked";

/** One checkpoint the chain does not satisfy (or that could not be used). */
export type CheckpointFailure = {
  problem: CheckpointProblem;
  /** Where it came from ("file", "given", a file name) and its line there. */
  source: string;
  line?: number;
  headId?: string;
  count?: number;
  at?: string;
  /** The first row the failure concerns: the first missing id (truncated) or the first row no checkpoint still vouches for (rewritten). */
  firstRowConcerned?: string | null;
  /** Rows with ids up to the checkpoint's head that are gone (truncated). */
  missing?: number;
  detail: string;
};

export type CheckpointReport = {
  /** Checkpoints given (after removing exact duplicates). */
  checked: number;
  /** Signed by the trusted key and satisfied by the chain. */
  verified: number;
  failed: CheckpointFailure[];
  /** All failures, when `failed` was cut to its first MAX_FAILURES. */
  failedTotal: number;
  /** The highest head a valid checkpoint vouches for, its time, and how many rows came after it (not yet anchored). */
  anchoredUpToId: string | null;
  anchoredAt: string | null;
  unanchoredRows: number;
  keyId: string;
};

export type VerifyResult = { ok: boolean; checked: number; firstBrokenId: string | null; reason?: string; checkpoints?: CheckpointReport };

export type VerifyOptions = {
  /** Rows per query (the walk never holds the chain in memory). */
  batchSize?: number;
  /** Checkpoints to check the chain against; omitted = the chain alone (no `checkpoints` in the result). */
  checkpoints?: CheckpointEntry[];
  /** The key checkpoints must be signed with (required with `checkpoints`). */
  publicKeyPem?: string;
};

const MAX_FAILURES = 100;

type Pending = { cp: TCheckpoint; headId: bigint; source: string; line?: number };

/**
 * Walk the chain in id order (in pages, never all rows in memory) and report the first broken
 * link. With checkpoints, also check each one: its signature, and that the chain still has its
 * head row with the same hash and the same number of rows up to it. Deleting the newest rows, or
 * rewriting a row and recomputing every later hash, leaves a chain that verifies on its own; only
 * a checkpoint made before the change (and kept outside the database) shows it.
 */
export async function verifyAuditChain(opts: VerifyOptions = {}): Promise<VerifyResult> {
  const batchSize = opts.batchSize ?? 2000;
  const failures: (CheckpointFailure & { order: bigint })[] = [];
  const withCheckpoints = opts.checkpoints !== undefined;
  const pending: Pending[] = [];
  let keyId = "";
  let given = 0;
  if (withCheckpoints) {
    const needsKey = opts.checkpoints!.some((e) => "cp" in e);
    if (needsKey && !opts.publicKeyPem) throw new Error("verifyAuditChain: checkpoints need a public key");
    const key = opts.publicKeyPem ? createPublicKey(opts.publicKeyPem) : null;
    keyId = key ? publicKeyId(key) : "";
    const seen = new Set<string>();
    for (const e of opts.checkpoints!) {
      const at = { source: e.source, ...(e.line !== undefined ? { line: e.line } : {}) };
      if ("malformed" in e) {
        given++;
        failures.push({ ...at, problem: "malformed", detail: `not a checkpoint: ${e.malformed}`, order: -1n });
        continue;
      }
      // The same checkpoint from two sources counts once (the whole line: an altered copy with the
      // genuine signature is a checkpoint of its own, and fails).
      const whole = checkpointLine(e.cp);
      if (seen.has(whole)) continue;
      seen.add(whole);
      given++;
      const about = { headId: e.cp.headId, count: e.cp.count, at: e.cp.at };
      if (e.cp.keyId !== keyId)
        failures.push({
          ...at,
          ...about,
          problem: "badSignature",
          detail: `signed with key ${e.cp.keyId}, not the trusted key ${keyId} (another installation, a replaced database, or a forgery)`,
          order: -1n,
        });
      else if (!checkpointSignatureValid(e.cp, key!, keyId))
        failures.push({ ...at, ...about, problem: "badSignature", detail: "the signature does not match its content (altered or forged)", order: -1n });
      else pending.push({ cp: e.cp, headId: BigInt(e.cp.headId), ...at });
    }
    pending.sort((a, b) => (a.headId < b.headId ? -1 : a.headId > b.headId ? 1 : 0));
  }

  let prev = GENESIS_HASH;
  let checked = 0;
  let cursor: bigint | null = null;
  let lastRowId: bigint | null = null;
  let brokenAt: { id: string; reason: string } | null = null;
  // The first row after the head of the last checkpoint the chain satisfied: where a rewrite may begin.
  let firstUnvouched: string | null = null;
  let anchored: { headId: string; at: string; count: number } | null = null;
  let verified = 0;
  let i = 0;

  const describe = (p: Pending) => ({ source: p.source, ...(p.line !== undefined ? { line: p.line } : {}), headId: p.cp.headId, count: p.cp.count, at: p.cp.at });
  const satisfied = (p: Pending) => {
    verified++;
    if (!anchored || BigInt(anchored.headId) <= p.headId) anchored = { headId: p.cp.headId, at: p.cp.at, count: p.cp.count };
  };
  const rewritten = (p: Pending, why: string, first: string | null) =>
    failures.push({
      ...describe(p),
      problem: "rewritten",
      firstRowConcerned: first,
      detail: `${why}: rows up to #${p.cp.headId} were changed since the checkpoint of ${p.cp.at}${first ? `; the first row no checkpoint still vouches for is #${first}` : ""}`,
      order: first ? BigInt(first) : p.headId,
    });
  /** A checkpoint whose head row is gone; `present` rows with ids up to it remain. */
  const headMissing = (p: Pending, next: bigint | null) => {
    const missing = p.cp.count - checked;
    if (missing > 0) {
      const first = ((lastRowId ?? 0n) + 1n).toString();
      failures.push({
        ...describe(p),
        problem: "truncated",
        firstRowConcerned: first,
        missing,
        detail: `the checkpoint of ${p.cp.at} had ${p.cp.count} rows up to #${p.cp.headId}; ${missing} of them are gone: every row after #${lastRowId ?? 0} up to #${p.cp.headId}${next !== null ? ` (the chain continues at #${next})` : " (the chain ends there)"}`,
        order: BigInt(first),
      });
    } else rewritten(p, `its head row #${p.cp.headId} is gone but the rows up to it number ${checked}`, firstUnvouched ?? (next !== null ? next.toString() : null));
  };

  // A checkpoint of the empty chain.
  while (i < pending.length && pending[i].headId === 0n) {
    const p = pending[i++];
    if (p.cp.count === 0 && p.cp.headHash === GENESIS_HASH) satisfied(p);
    else rewritten(p, "a checkpoint of the empty chain that is not empty", null);
  }

  walk: for (;;) {
    const rows: Awaited<ReturnType<typeof db.auditEvent.findMany>> = await db.auditEvent.findMany({
      where: cursor === null ? {} : { id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) break;
    for (const r of rows) {
      const id = r.id.toString();
      while (i < pending.length && pending[i].headId < r.id) headMissing(pending[i++], r.id);
      if (r.prevHash !== prev) {
        brokenAt = { id, reason: "previous hash does not match (a row before it was removed or altered)" };
        break walk;
      }
      const expected = chainHash(prev, {
        id,
        createdAt: r.createdAt,
        actorType: r.actorType,
        actorId: r.actorId,
        actorLabel: r.actorLabel,
        role: r.role,
        action: r.action,
        outcome: r.outcome,
        targetType: r.targetType,
        targetId: r.targetId,
        before: r.before ?? null,
        after: r.after ?? null,
        ip: r.ip,
        userAgent: r.userAgent,
      });
      if (expected !== r.hash) {
        brokenAt = { id, reason: "content does not match its hash (the row was altered)" };
        break walk;
      }
      prev = r.hash;
      checked++;
      lastRowId = r.id;
      firstUnvouched ??= id;
      let matched = false;
      while (i < pending.length && pending[i].headId === r.id) {
        const p = pending[i++];
        if (p.cp.headHash !== r.hash) rewritten(p, `row #${id} no longer has the hash the checkpoint recorded`, firstUnvouched);
        else if (p.cp.count !== checked) rewritten(p, `the chain has ${checked} rows up to #${id}, the checkpoint recorded ${p.cp.count}`, firstUnvouched);
        else {
          satisfied(p);
          matched = true;
        }
      }
      if (matched) firstUnvouched = null;
    }
    cursor = rows[rows.length - 1].id;
  }
  for (; i < pending.length; i++) {
    if (brokenAt) failures.push({ ...describe(pending[i]), problem: "unchecked", detail: `not checked: the chain breaks at #${brokenAt.id}, before its head`, order: BigInt(brokenAt.id) });
    else headMissing(pending[i], null);
  }

  const result: VerifyResult = brokenAt ? { ok: false, checked, firstBrokenId: brokenAt.id, reason: brokenAt.reason } : { ok: true, checked, firstBrokenId: null };
  if (!withCheckpoints) return result;

  const rowFailures = failures.filter((f) => f.problem === "truncated" || f.problem === "rewritten").sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  const firstRow = rowFailures[0];
  if (firstRow && (!brokenAt || BigInt(firstRow.firstRowConcerned ?? brokenAt.id) < BigInt(brokenAt.id))) {
    Object.assign(result, { ok: false, firstBrokenId: firstRow.firstRowConcerned ?? null, reason: `checkpoint ${firstRow.problem}: ${firstRow.detail}` });
  } else if (!brokenAt && failures.length) {
    const f = failures[0];
    Object.assign(result, {
      ok: false,
      firstBrokenId: null,
      reason: `${failures.length} checkpoint(s) could not be used (${f.problem}${f.line !== undefined ? `, ${f.source} line ${f.line}` : ""}: ${f.detail})`,
    });
  }
  const a = anchored as { headId: string; at: string; count: number } | null;
  result.checkpoints = {
    checked: given,
    verified,
    failed: failures.slice(0, MAX_FAILURES).map((f) => {
      const { order, ...rest } = f;
      void order;
      return rest;
    }),
    failedTotal: failures.length,
    anchoredUpToId: a?.headId ?? null,
    anchoredAt: a?.at ?? null,
    unanchoredRows: brokenAt ? 0 : Math.max(0, checked - (a?.count ?? 0)),
    keyId,
  };
  return result;
}
