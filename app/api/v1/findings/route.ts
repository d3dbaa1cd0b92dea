import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { listFindings, parseFindingQuery } from "@/lib/findings/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/findings?kind=&status=&severity=&gateway=&agent=&q=&sort=&dir=&page=&pageSize=
 * → {data, total, page, pageSize}. Scope registry:read.
 */
export async function GET(req: Request) {
  return runApiRead("registry:read", "findings", async () => {
    const params = queryParams(req);
    const { query, invalid } = parseFindingQuery(params);
    if (invalid.length) throw new AppError("invalid", "Invalid query.", Object.fromEntries(invalid.map((k) => [k, ["Invalid value."]])));
    const page = await listFindings(query);
    return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
  });
}
