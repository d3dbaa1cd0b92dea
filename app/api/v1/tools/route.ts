import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { csvResponse, toCsv } from "@/lib/csv";
import { listToolsPage, parseToolQuery } from "@/lib/tools/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/tools?q=&kind=&source=&review=&sort=&dir=&page=&pageSize=[&format=csv] */
export async function GET(req: Request) {
  return runApiRead("registry:read", "tools", async () => {
    const sp = queryParams(req);
    const { query, invalid } = parseToolQuery(sp);
    if (invalid.length) throw new AppError("invalid", "Invalid query.", Object.fromEntries(invalid.map((k) => [k, ["Invalid value."]])));
    const csv = sp.get("format") === "csv";
    const page = await listToolsPage(query, { all: csv });
    if (!csv) return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
    const rows = page.rows.map((t) => ({ name: t.name, kind: t.kind, source: t.source, publisher: t.publisher, verified: t.publisherVerified, version: t.latest?.version, contentHash: t.latest?.contentHash, state: t.state }));
    return csvResponse("tools.csv", toCsv(["name", "kind", "source", "publisher", "verified", "version", "contentHash", "state"].map((k) => ({ key: k, header: k })), rows));
  });
}
