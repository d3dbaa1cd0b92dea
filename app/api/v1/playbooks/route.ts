import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { csvResponse } from "@/lib/csv";
import { parseListRequest } from "@/lib/list";
import { createPlaybookAction } from "@/lib/playbooks/actions";
import { exportPlaybooksCsv, listPlaybooks, parsePlaybookQuery } from "@/lib/playbooks/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/playbooks?q=&trigger=&drill=due|never|overdue|ok&sort=&dir=&page=&pageSize=[&format=csv]
 * → {data, total, page, pageSize}, or the whole view as CSV (up to CSV_MAX_ROWS); each row has its last drill and drillState. Scope registry:read.
 */
export async function GET(req: Request) {
  return runApiRead("registry:read", "playbooks", async () => {
    const { query, format } = parseListRequest(queryParams(req), parsePlaybookQuery);
    if (format === "csv") return csvResponse(`playbooks-${new Date().toISOString().slice(0, 10)}.csv`, (await exportPlaybooksCsv(query)).csv);
    const page = await listPlaybooks(query);
    return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
  });
}

/**
 * POST /api/v1/playbooks {name, description?, trigger, triggerConfig?, contacts?, breakGlass?, steps?}
 * → 201 {data}. Scope playbooks:manage; audited as "playbook.create".
 */
export function POST(req: Request) {
  return runApiAction(req, createPlaybookAction, {}, 201);
}
