import "server-only";
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/roles";
import { recordAudit, recordAuditStandalone } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { buildEvidenceBundle, type BuildResult } from "./build";
import type { ExportStatus, TEvidenceExport } from "./schema";
import { exportDir, listStatuses, readStatus, writeStatus } from "./store";

/** At most this many exports build at the same time in this process (each streams a whole window). */
export const MAX_RUNNING = 2;
const PROGRESS_EVERY_MS = 500;

type Jobs = Map<string, Promise<void>>;
declare global {
  var __wardenEvidenceJobs: Jobs | undefined;
}
const jobs: Jobs = (globalThis.__wardenEvidenceJobs ??= new Map());

function fileNameFor(id: string, from: Date, to: Date): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return `warden-evidence_${day(from)}_${day(to)}_${id.slice(0, 8)}.tar.gz`;
}

/**
 * Start an export: validate the filters, write its status file (state running) and build the
 * bundle in the background, in this process. Returns at once with the id; the finished export is
 * audited as `evidence.export` with the window, filters, file and row counts and the manifest hash.
 */
export async function startEvidenceExport(actor: Actor, input: TEvidenceExport, opts: { gzipLevel?: number } = {}): Promise<{ id: string; state: ExportStatus["state"] }> {
  const from = new Date(input.from);
  const to = new Date(input.to);
  const gatewayIds = [...new Set(input.gatewayIds ?? [])];
  const agentIds = [...new Set(input.agentIds ?? [])];
  const [gateways, agents] = await Promise.all([
    gatewayIds.length ? db.gateway.count({ where: { id: { in: gatewayIds } } }) : 0,
    agentIds.length ? db.agent.count({ where: { id: { in: agentIds } } }) : 0,
  ]);
  if (gateways !== gatewayIds.length) throw new AppError("invalid", "Some fields are not valid.", { gatewayIds: ["One or more gateways do not exist."] });
  if (agents !== agentIds.length) throw new AppError("invalid", "Some fields are not valid.", { agentIds: ["One or more agents do not exist."] });
  if (jobs.size >= MAX_RUNNING) throw new AppError("conflict", `${jobs.size} exports are already running. Wait for one to finish, then start this one.`);

  const id = randomUUID();
  // Reserve the slot before the first await, so two requests at once cannot both pass the check.
  let release!: () => void;
  jobs.set(id, new Promise<void>((resolve) => (release = resolve)));
  const now = new Date().toISOString();
  const status: ExportStatus = {
    id,
    createdBy: actor.label,
    createdById: actor.userId ?? null,
    createdAt: now,
    updatedAt: now,
    window: { from: from.toISOString(), to: to.toISOString() },
    filters: { gatewayIds, agentIds },
    state: "running",
    progress: { phase: "queued", rows: 0, totalEstimate: 0 },
    error: null,
    bytes: null,
    fileName: fileNameFor(id, from, to),
    manifestSha256: null,
    files: null,
  };
  try {
    await writeStatus(status);
  } catch (err) {
    jobs.delete(id);
    release();
    throw err;
  }
  const job = runExport(actor, status, opts)
    .catch((err) => console.error(`evidence export ${id} failed:`, err))
    .finally(() => {
      jobs.delete(id);
      release();
    });
  jobs.set(id, job);
  return { id, state: status.state };
}

/** Wait for a background export to finish (tests and graceful shutdown). */
export async function waitForExport(id: string): Promise<void> {
  await jobs.get(id);
}

async function runExport(actor: Actor, status: ExportStatus, opts: { gzipLevel?: number }): Promise<void> {
  let last = 0;
  let writing: Promise<void> = Promise.resolve();
  const save = (patch: Partial<ExportStatus>) => {
    Object.assign(status, patch, { updatedAt: new Date().toISOString() });
    const snapshot = { ...status };
    writing = writing.then(() => writeStatus(snapshot)).catch(() => {});
    return writing;
  };
  let result: BuildResult;
  try {
    result = await buildEvidenceBundle({
      exportId: status.id,
      createdBy: status.createdBy,
      window: { from: new Date(status.window.from), to: new Date(status.window.to) },
      filters: status.filters,
      dir: exportDir(status.id),
      fileName: status.fileName!,
      gzipLevel: opts.gzipLevel,
      // Auditors and admins hold this scope; checked anyway so a future role never widens what leaves.
      withParams: can(actor.role, "tool_calls:read_params"),
      onProgress: (p) => {
        const t = Date.now();
        if (t - last < PROGRESS_EVERY_MS && p.phase === status.progress.phase) return;
        last = t;
        void save({ progress: p });
      },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await save({ state: "failed", error: `The export failed: ${message.slice(0, 500)}` });
    await recordAuditStandalone(actor, { action: "evidence.export", outcome: "failure", targetType: "evidence_export", targetId: status.id, after: { exportId: status.id, from: status.window.from, to: status.window.to, gateways: status.filters.gatewayIds, agents: status.filters.agentIds, error: message.slice(0, 500) } }).catch(() => {});
    return;
  }
  const after = {
    exportId: status.id,
    from: status.window.from,
    to: status.window.to,
    gateways: status.filters.gatewayIds,
    agents: status.filters.agentIds,
    files: result.manifest.files.length,
    rows: result.rows,
    sha256: result.manifestSha256,
    bundleSha256: result.bundleSha256,
    bytes: result.bytes,
    keyId: result.manifest.keyId,
  };
  try {
    await db.$transaction((tx) => recordAudit(tx, actor, { action: "evidence.export", targetType: "evidence_export", targetId: status.id, after }));
  } catch (err) {
    // No audit row, no bundle: an export that cannot be accounted for is not offered.
    await fs.rm(result.file, { force: true }).catch(() => {});
    await save({ state: "failed", error: `The export could not be recorded in the audit trail: ${(err as Error).message.slice(0, 300)}` });
    return;
  }
  await save({ state: "done", progress: { phase: "done", rows: status.progress.rows, totalEstimate: status.progress.totalEstimate }, bytes: result.bytes, manifestSha256: result.manifestSha256, files: result.manifest.files.length });
}

/** An export's status for the API and the page; not_found when there is none. */
export async function getExportStatus(id: string): Promise<ExportStatus> {
  const s = await readStatus(id);
  if (!s) throw new AppError("not_found", "No export with this id.");
  return s;
}

/**
 * At server start: an export still "running" on disk belonged to a previous process and will never
 * finish. Mark it failed and delete its half-written files. Returns how many were recovered.
 */
export async function recoverInterruptedExports(): Promise<number> {
  let n = 0;
  for (const s of await listStatuses({ raw: true })) {
    if (s.state !== "running" || jobs.has(s.id)) continue;
    const dir = exportDir(s.id);
    await fs.rm(path.join(dir, "work"), { recursive: true, force: true });
    if (s.fileName) await fs.rm(path.join(dir, `${path.basename(s.fileName)}.partial`), { force: true });
    await writeStatus({ ...s, state: "failed", updatedAt: new Date().toISOString(), error: "Interrupted by a server restart. Start the export again." });
    n++;
  }
  return n;
}

/** Remove an export's files (not its audit events). Used by tests; no UI yet. */
export async function removeExportFiles(id: string): Promise<void> {
  await fs.rm(exportDir(id), { recursive: true, force: true });
}
