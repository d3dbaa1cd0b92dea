import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { requireFleetWide } from "@/lib/teams/scope";
import { can } from "@/lib/auth/roles";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { EvidenceExport } from "@/lib/generated/prisma/client";
import { chunkStream } from "./chunks";
import { kickExports } from "./runner";
import { ZStoredParams, type ExportStatus, type StoredParams, type TEvidenceExport } from "./schema";

/**
 * Evidence exports are rows of evidence_exports (state, progress, lease, attempts) with the archive
 * in evidence_export_chunks: requested on any replica, built by whichever replica claims them
 * (lib/evidence/runner.ts), read and downloaded from any replica.
 */

/** At most this many exports wait or build at once, across all replicas (each one scans a whole window). */
export const MAX_UNFINISHED = 4;
/** The list shows this many, newest first (retention keeps the table short anyway). */
const LIST_LIMIT = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fileNameFor(id: string, from: Date, to: Date): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return `warden-evidence_${day(from)}_${day(to)}_${id.slice(0, 8)}.tar.gz`;
}

/**
 * Start an export: validate the filters, then, in one transaction, check the fleet-wide limit,
 * insert the export (state queued) and audit the request. After the commit this replica is kicked
 * to claim it at once; any other replica's periodic run would claim it otherwise. The finished
 * export is audited as `evidence.export` with the window, filters, file and row counts and the
 * manifest hash.
 */
export async function startEvidenceExport(actor: Actor, input: TEvidenceExport, opts: { kick?: boolean } = {}): Promise<{ id: string; state: ExportStatus["state"] }> {
  // Evidence bundles are fleet-wide (every call, the whole audit chain to verify it): only fleet-wide
  // actors (admins, auditors, users without a team) export them, whatever their role's scopes.
  requireFleetWide(actor, "An evidence export");
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

  const id = randomUUID();
  const params: StoredParams = {
    window: { from: from.toISOString(), to: to.toISOString() },
    filters: { gatewayIds, agentIds },
    // Decided by the requester's role now, not by whoever builds it later.
    withParams: can(actor.role, "tool_calls:read_params"),
    actor: { kind: actor.kind, label: actor.label, role: actor.role, userId: actor.userId ?? null, tokenId: actor.tokenId ?? null, ip: actor.ip, userAgent: actor.userAgent },
  };
  await db.$transaction(async (tx) => {
    // One request at a time counts and inserts: two at once cannot both pass the limit.
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('warden.evidence_exports.start'))`;
    const unfinished = await tx.evidenceExport.count({ where: { state: { in: ["queued", "running"] } } });
    if (unfinished >= MAX_UNFINISHED) throw new AppError("conflict", `${unfinished} exports are already waiting or running. Wait for one to finish, then start this one.`);
    await tx.evidenceExport.create({
      data: { id, requestedById: actor.userId ?? null, requestedBy: actor.label, params, fileName: fileNameFor(id, from, to) },
    });
    await recordAudit(tx, actor, {
      action: "evidence.export_request",
      targetType: "evidence_export",
      targetId: id,
      after: { exportId: id, from: params.window.from, to: params.window.to, gateways: gatewayIds, agents: agentIds },
    });
  });
  if (opts.kick !== false) kickExports();
  // "running" (phase queued) keeps the API's states as they were: running, done, failed.
  return { id, state: "running" };
}

/** A row as the API and the page show it (the shape status.json had). */
export function toStatus(e: EvidenceExport): ExportStatus {
  const p = ZStoredParams.parse(e.params);
  return {
    id: e.id,
    createdBy: e.requestedBy,
    createdById: e.requestedById,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    window: p.window,
    filters: p.filters,
    state: e.state === "queued" ? "running" : e.state,
    progress: { phase: e.state === "queued" ? "queued" : e.step, rows: e.progress, totalEstimate: e.totalEstimate },
    error: e.error,
    bytes: e.sizeBytes === null ? null : Number(e.sizeBytes),
    fileName: e.fileName,
    manifestSha256: e.manifestSha256,
    files: e.files,
    bundleSha256: e.sha256,
    attempts: e.attempts,
  };
}

/** An export's status for the API and the page; not_found when there is none. */
export async function getExportStatus(id: string): Promise<ExportStatus> {
  const e = UUID.test(id) ? await db.evidenceExport.findUnique({ where: { id } }) : null;
  if (!e) throw new AppError("not_found", "No export with this id.");
  return toStatus(e);
}

/** Every export (the newest LIST_LIMIT), newest first. */
export async function listExportStatuses(): Promise<ExportStatus[]> {
  const rows = await db.evidenceExport.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: LIST_LIMIT });
  return rows.map(toStatus);
}

/**
 * A finished export's archive, streamed from the database chunk by chunk (any replica can serve
 * it); conflict while it is not done.
 */
export async function openExportBundle(id: string): Promise<{ status: ExportStatus; bytes: number; body: ReadableStream<Uint8Array> }> {
  const e = UUID.test(id) ? await db.evidenceExport.findUnique({ where: { id } }) : null;
  if (!e) throw new AppError("not_found", "No export with this id.");
  const status = toStatus(e);
  if (e.state !== "done" || e.sizeBytes === null) throw new AppError("conflict", `The export is ${e.state}; nothing to download yet.`);
  const bytes = Number(e.sizeBytes);
  return { status, bytes, body: chunkStream(e.id, e.attempts, bytes) };
}

/**
 * Wait until an export is done or failed, whichever replica builds it (tests, the CLI). Polls the
 * row; throws after `timeoutMs`.
 */
export async function waitForExport(id: string, timeoutMs = 300_000): Promise<ExportStatus> {
  const until = Date.now() + timeoutMs;
  for (let delay = 20; ; delay = Math.min(500, delay * 2)) {
    const s = await getExportStatus(id);
    if (s.state === "done" || s.state === "failed") return s;
    if (Date.now() > until) throw new Error(`export ${id} still ${s.state} (${s.progress.phase}) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
