import { runApiAction, runApiRead } from "@/lib/api";
import { listTeams } from "@/lib/teams/queries";
import { createTeamAction } from "@/lib/teams/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/teams — admins: every team with its agent, gateway and user counts. */
export function GET() {
  return runApiRead("users:manage", "teams", async () => ({ data: await listTeams() }));
}

/** POST /api/v1/teams {name, description?} → 201 {data}. */
export function POST(req: Request) {
  return runApiAction(req, createTeamAction, {}, 201);
}
