import { runApiAction, runApiRead } from "@/lib/api";
import { startExportAction } from "@/lib/evidence/actions";
import { listExports } from "@/lib/evidence/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/evidence/exports → { data: ExportStatus[] } newest first. Scope evidence:export. */
export function GET() {
  return runApiRead("evidence:export", "evidence.exports", async () => ({ data: await listExports() }));
}

/**
 * POST /api/v1/evidence/exports { from, to, gatewayIds?, agentIds? } → 202 { data: { id, state } }.
 * Builds the signed bundle in the background; poll GET /api/v1/evidence/exports/{id}. Scope
 * evidence:export (auditors, admins); the window is at most 400 days.
 */
export function POST(req: Request) {
  return runApiAction(req, startExportAction, {}, 202);
}
