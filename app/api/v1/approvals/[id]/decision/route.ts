import { runApiAction } from "@/lib/api";
import { decideApprovalAction } from "@/lib/approvals/actions";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/approvals/{id}/decision {decision: allow_once|allow_for|deny, minutes? (allow_for, 1–1440), reason} → {data: {id, status, decision, decidedAt, decidedBy, decisionReason, grantUntil, commandId}}.
 * 409 when someone else decided first or the request expired. Scope approvals:decide.
 */
export async function POST(req: Request, { params }: Ctx) {
  return runApiAction(req, decideApprovalAction, { id: (await params).id });
}
