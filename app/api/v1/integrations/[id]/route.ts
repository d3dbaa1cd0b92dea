import { runApiAction, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { updateIntegrationAction } from "@/lib/integrations/actions";
import { getIntegration } from "@/lib/integrations/queries";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/v1/integrations/{id} → {data} with linked agents and trust decisions. Scope registry:read. */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead("registry:read", "integration", async () => {
    const data = await getIntegration(id);
    if (!data) throw new AppError("not_found", "No such integration.");
    return { data };
  });
}

/** PATCH /api/v1/integrations/{id} with any editable fields → {data}. Scope registry:write. */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updateIntegrationAction, { id: (await params).id });
}
