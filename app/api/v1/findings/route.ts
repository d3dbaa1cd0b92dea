import { queryParams, runApiRead } from "@/lib/api";
import { csvResponse } from "@/lib/csv";
import { parseListRequest } from "@/lib/list";
import { exportFindingsCsv, listFindings, parseFindingQuery } from "@/lib/findings/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/findings?kind=&status=&severity=&gateway=&agent=&q=&sort=&dir=&page=&pageSize=[&format=csv]
 * → {data, total, page, pageSize}, or the whole view as CSV (up to CSV_MAX_ROWS). Scope registry:read.
 */
export async function GET(req: Request) {
  return runApiRead("registry:read", "findings", async (actor) => {
    const scope = teamScopeOf(actor);
    const { query, format } = parseListRequest(queryParams(req), parseFindingQuery);
    if (format === "csv") return csvResponse(`findings-${new Date().toISOString().slice(0, 10)}.csv`, (await exportFindingsCsv(query, scope)).csv);
    const page = await listFindings(query, scope);
    return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
  });
}
