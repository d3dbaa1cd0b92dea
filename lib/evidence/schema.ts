import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";

export const DAY_MS = 86_400_000;
/** The widest window one export may cover. */
export const MAX_EXPORT_DAYS = 400;

const ZIso = z.iso.datetime({ offset: true, message: "Use an ISO 8601 date and time, e.g. 2026-01-31T00:00:00Z." });

/** POST /api/v1/evidence/exports and the export form: a window [from, to] and optional filters. */
export const ZEvidenceExport = z
  .object({
    from: ZIso,
    to: ZIso,
    gatewayIds: z.array(z.uuid("Not a gateway id.")).max(500, "At most 500 gateways.").optional(),
    agentIds: z.array(z.uuid("Not an agent id.")).max(2000, "At most 2,000 agents.").optional(),
  })
  .superRefine((v, ctx) => {
    const from = Date.parse(v.from);
    const to = Date.parse(v.to);
    if (from >= to) ctx.addIssue({ code: "custom", path: ["to"], message: "The end must be after the start." });
    else if (to - from > MAX_EXPORT_DAYS * DAY_MS) ctx.addIssue({ code: "custom", path: ["from"], message: `A window covers at most ${MAX_EXPORT_DAYS} days.` });
  });
export type TEvidenceExport = z.infer<typeof ZEvidenceExport>;

export const ZExportId = z.uuid("Not an export id.");

/** The states the API shows: a queued export is "running" in phase "queued". */
export type ExportState = "running" | "done" | "failed";

/** What GET /api/v1/evidence/exports[/{id}] returns for one export (a row of evidence_exports). */
export type ExportStatus = {
  id: string;
  createdBy: string;
  createdById: string | null;
  createdAt: string;
  updatedAt: string;
  window: { from: string; to: string };
  filters: { gatewayIds: string[]; agentIds: string[] };
  state: ExportState;
  progress: { phase: string; rows: number; totalEstimate: number };
  error: string | null;
  bytes: number | null;
  fileName: string | null;
  manifestSha256: string | null;
  files: number | null;
  /** SHA-256 of the .tar.gz as stored. */
  bundleSha256: string | null;
  /** How many times a replica claimed it (more than 1: a replica stopped while building it). */
  attempts: number;
};

const ZRole = z.enum(ROLES);

/** evidence_exports.params: what the request decided, read back by whichever replica builds it. */
export const ZStoredParams = z.object({
  window: z.object({ from: z.string(), to: z.string() }),
  filters: z.object({ gatewayIds: z.array(z.string()), agentIds: z.array(z.string()) }),
  withParams: z.boolean(),
  /** The requester, for the audit events of the build (who exported what). */
  actor: z.object({
    kind: z.enum(["user", "api_token", "gateway", "system"]),
    label: z.string(),
    role: ZRole.nullable(),
    userId: z.string().nullable(),
    tokenId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  }),
});
export type StoredParams = z.infer<typeof ZStoredParams>;
