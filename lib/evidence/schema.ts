import { z } from "zod";

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

export type ExportState = "running" | "done" | "failed";

/** What status.json holds for one export (the only record of it besides its audit events). */
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
};
