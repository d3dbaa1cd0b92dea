import { runApiAction } from "@/lib/api";
import { assignTeamAction } from "@/lib/teams/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/teams/assign {kind: agent|gateway|user, id, teamId|null}: put it in a team or take it out. */
export function POST(req: Request) {
  return runApiAction(req, assignTeamAction);
}
