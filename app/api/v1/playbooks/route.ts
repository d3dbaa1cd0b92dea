import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { createPlaybookAction } from "@/lib/playbooks/actions";
import { listPlaybooks, parsePlaybookQuery } from "@/lib/playbooks/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/playbooks?q=&trigger=&drill=due|never|overdue|ok&sort=&dir=&page=&pageSize=
 * → {data, total, page, pageSize}; each row has its last drill and drillState. Scope registry:read.
 */
export async function GET(req: Request) {
  return runApiRead("registry:read", "playbooks", async () => {
    const params = queryParams(req);
    const { query, invalid } = parsePlaybookQuery(params);
    if (invalid.length) throw new AppError("invalid", "Invalid query.", Object.fromEntries(invalid.map((k) => [k, ["Invalid value."]])));
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
