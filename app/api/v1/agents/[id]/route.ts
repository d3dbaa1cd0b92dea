import { AppError } from "@/lib/errors";
import { runApiAction, runApiRead } from "@/lib/api";
import { getAgent } from "@/lib/agents/queries";
import { updateAgentAction } from "@/lib/agents/actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("registry:read", "agent", async (actor) => {
    const a = /^[0-9a-f-]{36}$/.test(id) ? await getAgent(id, teamScopeOf(actor)) : null;
    if (!a) throw new AppError("not_found", "No such agent.");
    return { data: a };
  });
}

export async function PATCH(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, updateAgentAction, { id: (await params).id });
}
