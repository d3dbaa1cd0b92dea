import { runApiAction } from "@/lib/api";
import { revokeTokenAction } from "@/lib/tokens/actions";

export const dynamic = "force-dynamic";

/** DELETE /api/v1/tokens/{id} — revoke one of your own tokens. */
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, revokeTokenAction, { id: (await params).id });
}
