import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { parseListRequest } from "@/lib/list";
import { csvResponse } from "@/lib/csv";
import { createIntegrationAction } from "@/lib/integrations/actions";
import { exportIntegrationsCsv, listIntegrations, parseIntegrationQuery } from "@/lib/integrations/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/integrations?q=&sort=&dir=&page=&pageSize=&review=&advisory=&verified=[&format=csv]
 * → {data, total, page, pageSize}, or the whole view as CSV (up to CSV_MAX_ROWS). Scope registry:read.
 */
export async function GET(req: Request) {
  return runApiRead("registry:read", "integrations", async () => {
    const { query, format } = parseListRequest(queryParams(req), parseIntegrationQuery);
    if (format === "csv") return csvResponse(`integrations-${new Date().toISOString().slice(0, 10)}.csv`, (await exportIntegrationsCsv(query)).csv);
    const page = await listIntegrations(query);
    return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
  });
}

/** POST /api/v1/integrations {name, provider, reason, …, agentIds?} → 201 {data}. Scope registry:write. */
export function POST(req: Request) {
  return runApiAction(req, createIntegrationAction, {}, 201);
}
