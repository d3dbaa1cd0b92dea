import { runApiAction, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { getTeam } from "@/lib/teams/queries";
import { deleteTeamAction, updateTeamAction } from "@/lib/teams/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/teams/{id} — the team with its agents, gateways and users. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("users:manage", "team", async () => {
    const t = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? await getTeam(id) : null;
    if (!t) throw new AppError("not_found", "No such team.");
    return { data: t };
  });
}

/** PATCH /api/v1/teams/{id} {name?, description?}. */
export async function PATCH(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, updateTeamAction, { id: (await params).id });
}

/** DELETE /api/v1/teams/{id}: 409 while agents, gateways or users belong to it. */
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, deleteTeamAction, { id: (await params).id });
}
