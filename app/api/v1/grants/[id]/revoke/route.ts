import { runApiAction } from "@/lib/api";
import { revokeGrantAction } from "@/lib/tools/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/grants/{id}/revoke {reason} */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, revokeGrantAction, { id: (await params).id });
}
