import { runApiAction } from "@/lib/api";
import { addIdentityAction } from "@/lib/people/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/people/{id}/identities {channel, accountId?, senderId}: link a sender identity. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, addIdentityAction, { personId: (await params).id }, 201);
}
