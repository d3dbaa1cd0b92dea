import { AppError } from "@/lib/errors";
import { runApiRead } from "@/lib/api";
import { getGateway } from "@/lib/gateways/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("registry:read", "gateway", async (actor) => {
    const g = /^[0-9a-f-]{36}$/.test(id) ? await getGateway(id, teamScopeOf(actor)) : null;
    if (!g) throw new AppError("not_found", "No such gateway.");
    return { data: g };
  });
}
