import { AppError } from "@/lib/errors";
import { runApiAction, runApiRead } from "@/lib/api";
import { getGroup } from "@/lib/people/queries";
import { deleteGroupAction, updateGroupAction } from "@/lib/people/actions";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/v1/groups/{id}: the group with its members. */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead("registry:read", "person_group", async (actor) => {
    const g = await getGroup(actor, id);
    if (!g) throw new AppError("not_found", "No such group.");
    return { data: g };
  });
}

/** PATCH /api/v1/groups/{id} with any of {name, description, teamId}. */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updateGroupAction, { id: (await params).id });
}

/** DELETE /api/v1/groups/{id}: the group (its members stay in the directory). */
export async function DELETE(req: Request, { params }: Ctx) {
  return runApiAction(req, deleteGroupAction, { id: (await params).id });
}
