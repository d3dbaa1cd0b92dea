import { runApiAction } from "@/lib/api";
import { revokeDecisionAction } from "@/lib/tools/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/trust-decisions/{id}/revoke {reason} */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, revokeDecisionAction, { id: (await params).id });
}
