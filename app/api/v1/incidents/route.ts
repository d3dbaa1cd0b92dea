import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { csvResponse } from "@/lib/csv";
import { parseListRequest } from "@/lib/list";
import { openIncidentAction } from "@/lib/incidents/actions";
import { incidentCounts, exportIncidentsCsv, listIncidents, parseIncidentQuery, INCIDENT_READ_SCOPE } from "@/lib/incidents/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/incidents?status=&severity=&q=&sort=&dir=&page=&pageSize=
 * → {data, total, page, pageSize, counts: {open, contained, resolved, closed}}. Scope registry:read.
 */
export async function GET(req: Request) {
  return runApiRead(INCIDENT_READ_SCOPE, "incidents", async (actor) => {
    const scope = teamScopeOf(actor);
    const { query, format } = parseListRequest(queryParams(req), parseIncidentQuery);
    if (format === "csv") return csvResponse(`incidents-${new Date().toISOString().slice(0, 10)}.csv`, (await exportIncidentsCsv(query, scope)).csv);
    const [page, counts] = await Promise.all([listIncidents(query, scope), incidentCounts(scope)]);
    return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize, counts };
  });
}

/**
 * POST /api/v1/incidents {title, severity, summary?, playbookId?, ownerId?} or {findingId, severity?, title?, …}
 * → 201 {data}. From a finding, the finding becomes "incident"; a finding whose incident is not
 * closed yet answers 409 with that incident's id in the message. Scope incidents:manage.
 */
export function POST(req: Request) {
  return runApiAction(req, openIncidentAction, {}, 201);
}
