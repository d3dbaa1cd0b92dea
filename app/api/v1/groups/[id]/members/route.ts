import { runApiAction } from "@/lib/api";
import { addMemberAction, removeMemberAction } from "@/lib/people/actions";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** POST /api/v1/groups/{id}/members {personId}: add a member (idempotent). */
export async function POST(req: Request, { params }: Ctx) {
  return runApiAction(req, addMemberAction, { groupId: (await params).id });
}

/** DELETE /api/v1/groups/{id}/members {personId}: remove a member (idempotent). */
export async function DELETE(req: Request, { params }: Ctx) {
  return runApiAction(req, removeMemberAction, { groupId: (await params).id });
}
