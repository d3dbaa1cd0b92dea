import { runApiAction } from "@/lib/api";
import { setAgentBundlesAction } from "@/lib/tools/actions";

export const dynamic = "force-dynamic";

/** PUT /api/v1/agents/{id}/bundles {bundleIds} */
export async function PUT(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, setAgentBundlesAction, { agentId: (await params).id });
}
