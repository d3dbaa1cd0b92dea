import "server-only";
import { action } from "@/lib/action";
import { ZEvidenceExport } from "./schema";
import { startEvidenceExport } from "./service";

// Defined once; used by app/(console)/audit/evidence/actions.ts and POST /api/v1/evidence/exports.
// Denials (managers, operators, security leads) are audited by the action runner as "evidence.export".
export const startExportAction = action({ name: "evidence.export", scope: "evidence:export", schema: ZEvidenceExport, run: (actor, input) => startEvidenceExport(actor, input) });
