import { runApiAction, runApiRead } from "@/lib/api";
import { listGroups } from "@/lib/people/queries";
import { createGroupAction } from "@/lib/people/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/groups: groups of people with member counts (the actor's team only when scoped). */
export async function GET() {
  return runApiRead("registry:read", "person_groups", async (actor) => ({ data: await listGroups(actor) }));
}

/** POST /api/v1/groups {name, description?, teamId?}. */
export function POST(req: Request) {
  return runApiAction(req, createGroupAction, {}, 201);
}
