import { queryParams, runApiRead } from "@/lib/api";
import { csvResponse, toCsv } from "@/lib/csv";
import { listToolsPage, parseToolQuery } from "@/lib/tools/queries";
import { parseListRequest } from "@/lib/list";

export const dynamic = "force-dynamic";

/** GET /api/v1/tools?q=&kind=&source=&review=&sort=&dir=&page=&pageSize=[&format=csv]: a page, or the whole view as CSV; a bad param is a 400. */
export async function GET(req: Request) {
  return runApiRead("registry:read", "tools", async () => {
    const { query, format } = parseListRequest(queryParams(req), parseToolQuery);
    const csv = format === "csv";
    const page = await listToolsPage(query, { all: csv });
    if (!csv) return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
    const rows = page.rows.map((t) => ({
      name: t.name,
      kind: t.kind,
      source: t.source,
      publisher: t.publisher,
      verified: t.publisherVerified,
      version: t.latest?.version,
      contentHash: t.latest?.contentHash,
      state: t.state,
    }));
    return csvResponse(
      "tools.csv",
      toCsv(
        ["name", "kind", "source", "publisher", "verified", "version", "contentHash", "state"].map((k) => ({ key: k, header: k })),
        rows,
      ),
    );
  });
}
