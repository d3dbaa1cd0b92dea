import { runApiAction, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { updateDataFlowAction } from "@/lib/data-flows/actions";
import { getDataFlow } from "@/lib/data-flows/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/v1/data-flows/{id} → {data}. Scope registry:read. */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead("registry:read", "data_flow", async (actor) => {
    const data = await getDataFlow(id, teamScopeOf(actor));
    if (!data) throw new AppError("not_found", "No such data flow.");
    return { data };
  });
}

/**
 * PATCH /api/v1/data-flows/{id} {service?, host?, isLlmProvider?, dataSent?, dataReceived?, classification?} → {data}.
 * A change to the content puts an approved or rejected flow back to proposed. Scope registry:write.
 */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updateDataFlowAction, { id: (await params).id });
}
