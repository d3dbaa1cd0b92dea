import { runApiAction, runApiRead } from "@/lib/api";
import { createToolRequestAction } from "@/lib/tools/actions";
import { listPendingRequests } from "@/lib/tools/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/** GET /api/v1/tool-requests — requests awaiting a decision. */
export function GET() {
  return runApiRead("registry:read", "tool_requests", async (actor) => ({ data: await listPendingRequests(teamScopeOf(actor)) }));
}

/** POST /api/v1/tool-requests {tool:{name,kind,source,publisher}, version, contentHash, permissions, justification, agentIds, bundleIds} → 201 */
export function POST(req: Request) {
  return runApiAction(req, createToolRequestAction, {}, 201);
}
