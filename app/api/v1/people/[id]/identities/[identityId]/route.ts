import { runApiAction } from "@/lib/api";
import { removeIdentityAction } from "@/lib/people/actions";

export const dynamic = "force-dynamic";

/** DELETE /api/v1/people/{id}/identities/{identityId}: unlink a sender identity. */
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string; identityId: string }> }) {
  const { id, identityId } = await params;
  return runApiAction(req, removeIdentityAction, { personId: id, identityId });
}
