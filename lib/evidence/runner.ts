import "server-only";
import { randomBytes } from "node:crypto";
import { replicaId } from "@/lib/replica";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit, recordAuditStandalone } from "@/lib/audit/record";
import { runInBackground } from "@/lib/background";
import { holdExitFor, isShuttingDown, shutdownSignal } from "@/lib/shutdown";
import { buildEvidenceBundle, type BuildResult } from "./build";
import { ChunkWriter, LeaseLostError, type Claim } from "./chunks";
import { ZStoredParams, type StoredParams } from "./schema";
import { settings } from "@/lib/env";

/**
 * Who builds evidence exports. Any replica claims queued exports, or running ones whose lease
 * expired (their replica died), with FOR UPDATE SKIP LOCKED: each claim is one replica's, and
 * `attempts` counts claims. While it builds, the replica renews its lease every second with the
 * progress; every chunk and the final state are written only while the claim holds, so a replica
 * that lost its lease (paused, partitioned) cannot overwrite its successor's work. After
 * MAX_ATTEMPTS claims that all died, the export fails with a clear error. On SIGTERM a replica
 * hands its exports back at once (state queued, the attempt not counted) and stops building them:
 * another replica, or this one after its restart, starts them again from the beginning.
 *
 * runPendingExports() is the periodic entry point (every replica, every few seconds) and the
 * post-commit kick after a request.
 */

/** Builds at once per replica (each streams a whole window out of Postgres). */
export const MAX_RUNNING = 2;
/** Claims of one export before it is given up (each one's replica stopped while building it). */
export const MAX_ATTEMPTS = 3;
/** The lease is renewed (with the progress) this often. */
export const RENEW_EVERY_MS = 1_000;

/** WARDEN_EXPORT_LEASE_SECONDS (default 30): how long a silent replica keeps an export before another takes it over. */
export function leaseMs(): number {
  return settings.exportLeaseMs();
}

/** WARDEN_EVIDENCE_EXPORT_RETENTION_DAYS (default 14): finished and failed exports (rows and archives) are deleted after this. */
export function retentionDays(): number {
  return settings.evidenceExportRetentionDays();
}

/** This process's identity in lease_owner: the replica's name (lib/replica.ts). */
const defaultOwner = replicaId;

/** This process's scratch folders: os.tmpdir()/warden-export-<pid>-<token>-XXXXXX. */
const SCRATCH_PREFIX = "warden-export-";
const scratchToken = ((globalThis as { __wardenScratchToken?: string }).__wardenScratchToken ??= randomBytes(4).toString("hex"));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove scratch folders that processes killed mid-build left in the temp folder: those of a pid
 * that no longer runs, or of this pid but another token (an earlier process that had it).
 */
async function sweepScratch(): Promise<void> {
  const tmp = os.tmpdir();
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    const m = /^warden-export-(\d+)-([0-9a-f]{8})-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid ? m[2] === scratchToken : alive(pid)) continue;
    await fs.rm(path.join(tmp, name), { recursive: true, force: true }).catch(() => {});
  }
}

type Row = { id: string; attempts: number; params: unknown; file_name: string; requested_by: string };
type Active = { claim: Claim; abort: AbortController; done: Promise<void> };

class ShutdownAbort extends Error {
  constructor() {
    super("the server is shutting down");
  }
}

const RETENTION_EVERY_MS = 60_000;
const GIVE_UP = (n: number) =>
  `The export was interrupted ${n} times (the server building it stopped each time) and was given up. Start it again; if it keeps failing, look at the servers' logs and memory.`;

export type RunnerOptions = { owner?: string; slots?: number; leaseMs?: number; gzipLevel?: number };

/** One replica's builder: its own lease owner name and build slots (tests make two to play two replicas). */
export class ExportRunner {
  readonly owner: string;
  private readonly slots: number;
  private readonly lease: () => number;
  private readonly active = new Map<string, Active>();
  private claiming: Promise<string[]> | null = null;
  private again = false;
  private lastRetention = 0;
  private stopped = false;
  private swept = false;

  constructor(private readonly opts: RunnerOptions = {}) {
    this.owner = opts.owner ?? defaultOwner();
    this.slots = opts.slots ?? MAX_RUNNING;
    this.lease = () => opts.leaseMs ?? leaseMs();
  }

  /** Ids being built here now. */
  activeIds(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Give up exports whose attempts are used up, claim as many as there are free slots and start
   * building them (not awaited: see idle()). Returns the ids claimed. Concurrent calls share one
   * claim round (and a call during it runs one more round after it).
   */
  async runPending(): Promise<string[]> {
    if (this.claiming) {
      this.again = true;
      return this.claiming;
    }
    this.claiming = (async () => {
      const claimed: string[] = [];
      do {
        this.again = false;
        claimed.push(...(await this.claimRound()));
      } while (this.again);
      return claimed;
    })().finally(() => (this.claiming = null));
    return this.claiming;
  }

  /** Resolves once nothing is being built (or claimed) here. */
  async idle(): Promise<void> {
    while (this.claiming || this.active.size) {
      await this.claiming;
      await Promise.all([...this.active.values()].map((a) => a.done));
    }
  }

  /**
   * Stop: hand every export this runner is building back (state queued, this attempt not counted,
   * its chunks dropped) at once, and stop the builds (they end on their own: idle()). Used on
   * SIGTERM; the release is sent before anything else, and resolves once it is committed.
   */
  async releaseAll(): Promise<number> {
    this.stopped = true;
    const claims = [...this.active.values()];
    if (!claims.length) return 0;
    const released = this.release(claims.map((a) => a.claim));
    for (const a of claims) a.abort.abort(new ShutdownAbort());
    return released;
  }

  private async release(claims: Claim[]): Promise<number> {
    let n = 0;
    for (const c of claims) {
      n += await db.$executeRaw`
        update evidence_exports
           set state = 'queued', step = 'queued', progress = 0, lease_owner = null, lease_until = null,
               attempts = greatest(attempts - 1, 0), updated_at = now()
         where id = ${c.id}::uuid and state = 'running' and lease_owner = ${c.owner} and attempts = ${c.attempt}::int`;
      // No chunk of this attempt can land after the update (the inserts lock the row FOR SHARE and check the claim).
      await db.$executeRaw`delete from evidence_export_chunks where export_id = ${c.id}::uuid and attempt = ${c.attempt}::int`;
    }
    return n;
  }

  private async claimRound(): Promise<string[]> {
    if (this.stopped || isShuttingDown()) return [];
    if (!this.swept) {
      this.swept = true;
      await sweepScratch();
    }
    await this.applyRetention();
    await this.giveUpExhausted();
    const free = this.slots - this.active.size;
    if (free <= 0) return [];
    const leaseSeconds = this.lease() / 1000;
    const rows = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Row[]>`
        with c as (
          select id from evidence_exports
           where (state = 'queued' or (state = 'running' and lease_until < now())) and attempts < ${MAX_ATTEMPTS}::int
           order by created_at, id
           limit ${free}::int
           for update skip locked
        )
        update evidence_exports e
           set state = 'running', lease_owner = ${this.owner}, lease_until = now() + make_interval(secs => ${leaseSeconds}::float8),
               attempts = e.attempts + 1, started_at = coalesce(e.started_at, now()), step = 'queued', progress = 0, error = null, updated_at = now()
          from c where e.id = c.id
        returning e.id::text as id, e.attempts, e.params, e.file_name, e.requested_by`;
      // A previous attempt's chunks (its replica died mid-way) go: the archive is built again from the start.
      if (rows.length) await tx.$executeRaw`delete from evidence_export_chunks where export_id = any(${rows.map((r) => r.id)}::uuid[])`;
      return rows;
    });
    for (const row of rows) this.start(row);
    return rows.map((r) => r.id);
  }

  /** Exports whose every claim died (attempts used up, lease expired): failed, audited, archive dropped. */
  private async giveUpExhausted(): Promise<void> {
    const rows = await db.$queryRaw<Row[]>`
      update evidence_exports e
         set state = 'failed', error = ${GIVE_UP(MAX_ATTEMPTS)}, finished_at = now(), updated_at = now(), lease_owner = null, lease_until = null
       where e.id in (select id from evidence_exports where state = 'running' and lease_until < now() and attempts >= ${MAX_ATTEMPTS}::int for update skip locked)
      returning e.id::text as id, e.attempts, e.params, e.file_name, e.requested_by`;
    for (const r of rows) {
      await db.$executeRaw`delete from evidence_export_chunks where export_id = ${r.id}::uuid`;
      await auditFailure(r, GIVE_UP(MAX_ATTEMPTS)).catch(() => {});
    }
  }

  /** Delete finished and failed exports (rows and archives) older than the retention, a few at a time. */
  private async applyRetention(): Promise<void> {
    if (Date.now() - this.lastRetention < RETENTION_EVERY_MS) return;
    this.lastRetention = Date.now();
    const cutoff = new Date(Date.now() - retentionDays() * 86_400_000);
    for (let i = 0; i < 10; i++) {
      // One export per statement: an archive can be gigabytes of chunks.
      const n = await db.$executeRaw`
        delete from evidence_exports where id = (
          select id from evidence_exports
           where state in ('done', 'failed') and created_at < ${cutoff} and coalesce(finished_at, created_at) < ${cutoff}
           order by created_at limit 1 for update skip locked)`;
      if (!n) break;
    }
  }

  private start(row: Row): void {
    const claim: Claim = { id: row.id, owner: this.owner, attempt: row.attempts };
    const abort = new AbortController();
    const entry: Active = { claim, abort, done: Promise.resolve() };
    this.active.set(row.id, entry);
    entry.done = this.build(row, claim, abort)
      .catch((err) => console.error(`warden: evidence export ${row.id} failed:`, err))
      .finally(() => {
        this.active.delete(row.id);
        // A slot is free: take the next waiting export, if any.
        if (!this.stopped && !isShuttingDown()) runInBackground(this.runPending());
      });
    // Tracked like post-commit work: whoever closes the database pool waits for it (test/per-file-db.ts).
    runInBackground(entry.done);
  }

  private async build(row: Row, claim: Claim, abort: AbortController): Promise<void> {
    const params = ZStoredParams.parse(row.params);
    const actor = actorOf(params);
    let latest = { phase: "counting", rows: 0, totalEstimate: 0 };
    let renewing: Promise<void> = Promise.resolve();
    const renew = () => {
      const p = latest;
      const leaseSeconds = this.lease() / 1000;
      renewing = renewing
        .then(async () => {
          if (abort.signal.aborted) return;
          const n = await db.$executeRaw`
          update evidence_exports
             set lease_until = now() + make_interval(secs => ${leaseSeconds}::float8), step = ${p.phase}, progress = ${p.rows}::int,
                 total_estimate = ${p.totalEstimate}::int, updated_at = now()
           where id = ${claim.id}::uuid and state = 'running' and lease_owner = ${claim.owner} and attempts = ${claim.attempt}::int`;
          if (n !== 1) abort.abort(new LeaseLostError(claim.id));
        })
        .catch((err) => console.error(`warden: evidence export ${claim.id}: renewing the lease failed:`, (err as Error).message));
    };
    const timer = setInterval(renew, RENEW_EVERY_MS);
    timer.unref?.();
    const workDir = await fs.mkdtemp(path.join(os.tmpdir(), `${SCRATCH_PREFIX}${process.pid}-${scratchToken}-`));
    const stepDelay = settings.exportStepDelayMs();
    let result: BuildResult;
    const out = new ChunkWriter(claim);
    try {
      result = await buildEvidenceBundle({
        exportId: claim.id,
        createdBy: row.requested_by,
        window: { from: new Date(params.window.from), to: new Date(params.window.to) },
        filters: params.filters,
        workDir,
        out,
        gzipLevel: this.opts.gzipLevel,
        withParams: params.withParams,
        signal: abort.signal,
        onProgress: (p) => (latest = p),
        onStep: async (phase) => {
          latest = { ...latest, phase };
          renew();
          // Tests only (e.g. e2e/export-shutdown.spec.ts): hold each step so a signal lands mid-export.
          if (stepDelay > 0) await sleep(Math.min(stepDelay, 60_000), undefined, { signal: abort.signal });
        },
      });
    } catch (err) {
      clearInterval(timer);
      await renewing;
      // Handed back on shutdown, or taken over by another replica: not this attempt's failure to record.
      if (abort.signal.aborted || err instanceof LeaseLostError) return;
      const message = err instanceof Error ? err.message : String(err);
      await this.fail(row, claim, `The export failed: ${message.slice(0, 500)}`, message);
      return;
    } finally {
      clearInterval(timer);
      await fs.rm(workDir, { recursive: true, force: true }).catch(() => {});
    }
    await renewing;
    const after = {
      exportId: claim.id,
      from: params.window.from,
      to: params.window.to,
      gateways: params.filters.gatewayIds,
      agents: params.filters.agentIds,
      files: result.manifest.files.length,
      rows: result.rows,
      sha256: result.manifestSha256,
      bundleSha256: result.bundleSha256,
      bytes: result.bytes,
      keyId: result.manifest.keyId,
      attempt: claim.attempt,
    };
    if (result.bytes !== out.bytes) return this.fail(row, claim, "The export failed: the stored archive does not match what was packed.", "stored size mismatch");
    try {
      // Done and audited together, and only while this replica still holds the claim.
      const won = await db.$transaction(async (tx) => {
        const n = await tx.$executeRaw`
          update evidence_exports
             set state = 'done', step = 'done', progress = ${latest.rows}::int, total_estimate = ${latest.totalEstimate}::int,
                 size_bytes = ${result.bytes}::bigint, sha256 = ${result.bundleSha256}, manifest_sha256 = ${result.manifestSha256},
                 files = ${result.manifest.files.length}::int, finished_at = now(), updated_at = now(), lease_owner = null, lease_until = null, error = null
           where id = ${claim.id}::uuid and state = 'running' and lease_owner = ${claim.owner} and attempts = ${claim.attempt}::int`;
        if (n !== 1) return false;
        await recordAudit(tx, actor, { action: "evidence.export", targetType: "evidence_export", targetId: claim.id, after });
        return true;
      });
      if (won) await db.$executeRaw`delete from evidence_export_chunks where export_id = ${claim.id}::uuid and attempt <> ${claim.attempt}::int`;
    } catch (err) {
      // No audit row, no bundle: an export that cannot be accounted for is not offered.
      await this.fail(row, claim, `The export could not be recorded in the audit trail: ${(err as Error).message.slice(0, 300)}`, (err as Error).message);
    }
  }

  /** Mark the claimed export failed (if the claim still holds), drop its archive, audit the failure. */
  private async fail(row: Row, claim: Claim, error: string, detail: string): Promise<void> {
    const n = await db.$executeRaw`
      update evidence_exports set state = 'failed', error = ${error}, finished_at = now(), updated_at = now(), lease_owner = null, lease_until = null
       where id = ${claim.id}::uuid and state = 'running' and lease_owner = ${claim.owner} and attempts = ${claim.attempt}::int`;
    if (n !== 1) return;
    await db.$executeRaw`delete from evidence_export_chunks where export_id = ${claim.id}::uuid`;
    await auditFailure(row, detail).catch(() => {});
  }
}

function actorOf(p: StoredParams): Actor {
  const a = p.actor;
  return { kind: a.kind, label: a.label, role: a.role, ...(a.userId ? { userId: a.userId } : {}), ...(a.tokenId ? { tokenId: a.tokenId } : {}), ip: a.ip, userAgent: a.userAgent };
}

async function auditFailure(row: Row, message: string): Promise<void> {
  const p = ZStoredParams.parse(row.params);
  await recordAuditStandalone(actorOf(p), {
    action: "evidence.export",
    outcome: "failure",
    targetType: "evidence_export",
    targetId: row.id,
    after: { exportId: row.id, from: p.window.from, to: p.window.to, gateways: p.filters.gatewayIds, agents: p.filters.agentIds, attempts: row.attempts, error: message.slice(0, 500) },
  });
}

declare global {
  var __wardenExportRunner: ExportRunner | undefined;
}

/** This process's runner; on SIGTERM it hands its exports back at once (lib/shutdown.ts). */
export function exportRunner(): ExportRunner {
  if (!globalThis.__wardenExportRunner) {
    const runner = (globalThis.__wardenExportRunner = new ExportRunner());
    shutdownSignal().addEventListener(
      "abort",
      () =>
        // The process does not exit before the hand-back is in the database (lib/shutdown.ts).
        holdExitFor(
          runner
            .releaseAll()
            .then((n) => n && console.log(`warden: SIGTERM: handed ${n} evidence export(s) back to the queue`))
            .catch((err) => console.error("warden: handing evidence exports back failed", err)),
        ),
      { once: true },
    );
  }
  return globalThis.__wardenExportRunner;
}

/**
 * Claim waiting exports (and those of replicas that died) up to this replica's free slots and
 * start building them. Safe on every replica at once, as often as wanted. Returns how many it claimed.
 */
export async function runPendingExports(): Promise<number> {
  return (await exportRunner().runPending()).length;
}

/** After a request's commit: claim it here at once (tracked, so tests and shutdown can wait for it). */
export function kickExports(): void {
  runInBackground(runPendingExports());
}
