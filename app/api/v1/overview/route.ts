import { runApiRead } from "@/lib/api";
import { getOverviewDashboard } from "@/lib/overview/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/overview → {data}: the overview dashboard (tiles with their links, review, call,
 * containment, incident, spend, drill and gateway counts, and the chart series). Counts only:
 * never tool-call parameters or results. Scope dashboard:read (every role, managers included).
 */
export function GET() {
  return runApiRead("dashboard:read", "overview", async () => ({ data: await getOverviewDashboard() }));
}
