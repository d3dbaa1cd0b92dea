import { runApiAction } from "@/lib/api";
import { createGrantAction } from "@/lib/tools/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/agents/{id}/grants {toolId, kind: grant|exception, reason, expiresAt?} */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, createGrantAction, { agentId: (await params).id }, 201);
}
