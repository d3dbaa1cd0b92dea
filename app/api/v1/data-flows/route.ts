import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { parseListRequest } from "@/lib/list";
import { csvResponse } from "@/lib/csv";
import { createDataFlowAction } from "@/lib/data-flows/actions";
import { exportDataFlowsCsv, listDataFlows, parseDataFlowQuery } from "@/lib/data-flows/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/data-flows?q=&sort=&dir=&page=&pageSize=&status=&classification=&llm=&agent=[&format=csv]
 * → {data, total, page, pageSize}, or the whole view as CSV (up to CSV_MAX_ROWS). Scope registry:read.
 */
export async function GET(req: Request) {
  return runApiRead("registry:read", "data_flows", async (actor) => {
    const scope = teamScopeOf(actor);
    const { query, format } = parseListRequest(queryParams(req), parseDataFlowQuery);
    if (format === "csv") return csvResponse(`data-flows-${new Date().toISOString().slice(0, 10)}.csv`, (await exportDataFlowsCsv(query, scope)).csv);
    const page = await listDataFlows(query, scope);
    return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
  });
}

/** POST /api/v1/data-flows {agentId, service, host, isLlmProvider?, dataSent, dataReceived, classification} → 201 {data} (proposed). Scope registry:write. */
export function POST(req: Request) {
  return runApiAction(req, createDataFlowAction, {}, 201);
}
