import { runApiAction, runApiRead } from "@/lib/api";
import { listUsers } from "@/lib/users/queries";
import { createUserAction } from "@/lib/users/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/users — admins only. */
export function GET() {
  return runApiRead("users:manage", "users", async () => ({ data: await listUsers() }));
}

/** POST /api/v1/users {email, name, role, password?} → 201 {data: {user, oneTimePassword}} */
export function POST(req: Request) {
  return runApiAction(req, createUserAction, {}, 201);
}
