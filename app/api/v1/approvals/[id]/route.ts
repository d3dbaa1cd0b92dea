import { runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { getApproval } from "@/lib/approvals/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/v1/approvals/{id} → {data} with the agent's recent calls. Scope tool_calls:read_params. */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead("tool_calls:read_params", "approval", async (actor) => {
    const data = await getApproval(id, new Date(), teamScopeOf(actor));
    if (!data) throw new AppError("not_found", "No such approval.");
    return { data };
  });
}
