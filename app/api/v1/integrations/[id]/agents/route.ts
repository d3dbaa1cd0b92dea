import { runApiAction } from "@/lib/api";
import { setIntegrationAgentsAction } from "@/lib/integrations/actions";

export const dynamic = "force-dynamic";

/** PUT /api/v1/integrations/{id}/agents {agentIds: uuid[]} replaces which agents use it → {data}. Scope registry:write. */
export async function PUT(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, setIntegrationAgentsAction, { id: (await params).id });
}
