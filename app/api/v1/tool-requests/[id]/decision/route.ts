import { runApiAction } from "@/lib/api";
import { decideToolRequestAction } from "@/lib/tools/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/tool-requests/{id}/decision {outcome, checklist, reason, conditions?, reReviewDays?} */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, decideToolRequestAction, { requestId: (await params).id }, 201);
}
