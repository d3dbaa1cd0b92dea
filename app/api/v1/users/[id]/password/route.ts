import { runApiAction } from "@/lib/api";
import { resetUserPasswordAction } from "@/lib/users/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/users/{id}/password {password?} → {data: {user, oneTimePassword}} */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, resetUserPasswordAction, { id: (await params).id });
}
