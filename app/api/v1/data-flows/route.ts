import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { csvResponse } from "@/lib/csv";
import { createDataFlowAction } from "@/lib/data-flows/actions";
import { exportDataFlowsCsv, listDataFlows, parseDataFlowQuery } from "@/lib/data-flows/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/data-flows?q=&sort=&dir=&page=&pageSize=&status=&classification=&llm=&agent=[&format=csv]
 * → {data, total, page, pageSize}, or the whole view as CSV (up to CSV_MAX_ROWS). Scope registry:read.
 */
export async function GET(req: Request) {
  // eslint-disable-next-line no-restricted-syntax -- only compared with fixed strings, never stored
  const format = new URL(req.url).searchParams.get("format") ?? "json";
  return runApiRead("registry:read", format === "csv" ? "data_flows.csv" : "data_flows", async () => {
    const params = queryParams(req);
    const { query, invalid } = parseDataFlowQuery(params);
    const bad = [...invalid, ...(["json", "csv"].includes(format) ? [] : ["format"])];
    if (bad.length) throw new AppError("invalid", "Invalid query.", Object.fromEntries(bad.map((k) => [k, ["Invalid value."]])));
    if (format === "csv") return csvResponse(`data-flows-${new Date().toISOString().slice(0, 10)}.csv`, (await exportDataFlowsCsv(query)).csv);
    const page = await listDataFlows(query);
    return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
  });
}

/** POST /api/v1/data-flows {agentId, service, host, isLlmProvider?, dataSent, dataReceived, classification} → 201 {data} (proposed). Scope registry:write. */
export function POST(req: Request) {
  return runApiAction(req, createDataFlowAction, {}, 201);
}
