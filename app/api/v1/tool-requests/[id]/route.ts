import { AppError } from "@/lib/errors";
import { runApiRead } from "@/lib/api";
import { getRequest } from "@/lib/tools/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/** GET /api/v1/tool-requests/{id} — the request with its decision (who, when, checklist, reason, conditions). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("registry:read", "tool_request", async (actor) => {
    const r = /^[0-9a-f-]{36}$/.test(id) ? await getRequest(id, teamScopeOf(actor)) : null;
    if (!r) throw new AppError("not_found", "No such request.");
    return { data: r };
  });
}
