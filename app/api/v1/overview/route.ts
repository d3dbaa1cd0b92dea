import { runApiRead } from "@/lib/api";
import { getOverviewDashboard } from "@/lib/overview/queries";
import { teamOverview } from "@/lib/teams/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/overview → {data}: the overview dashboard (tiles with their links, review, call,
 * containment, incident, spend, drill and gateway counts, and the chart series). Counts only:
 * never tool-call parameters or results. Scope dashboard:read (every role, managers included).
 * A team-scoped user gets their team's counts instead: {data: {scope: "team", team: {...}}}.
 */
export function GET() {
  return runApiRead("dashboard:read", "overview", async (actor) => {
    const scope = teamScopeOf(actor);
    if (scope) return { data: { scope: "team" as const, team: await teamOverview(scope.teamId) } };
    return { data: await getOverviewDashboard() };
  });
}
