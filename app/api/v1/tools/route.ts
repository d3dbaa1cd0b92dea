import { NextResponse } from "next/server";
import { runApiRead } from "@/lib/api";
import { csvResponse, toCsv } from "@/lib/csv";
import { listToolsPage, parseToolQuery } from "@/lib/tools/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/tools?q=&kind=&source=&review=&sort=&dir=&page=&pageSize=[&format=csv] */
export async function GET(req: Request) {
  const sp = new URL(req.url).searchParams;
  const { query, invalid } = parseToolQuery(sp);
  if (invalid.length) return NextResponse.json({ error: { code: "invalid", message: "Invalid query.", fieldErrors: Object.fromEntries(invalid.map((k) => [k, ["Invalid value."]])) } }, { status: 400 });
  const csv = sp.get("format") === "csv";
  return runApiRead("registry:read", "tools", async () => {
    const page = await listToolsPage(query, { all: csv });
    if (!csv) return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
    const rows = page.rows.map((t) => ({ name: t.name, kind: t.kind, source: t.source, publisher: t.publisher, verified: t.publisherVerified, version: t.latest?.version, contentHash: t.latest?.contentHash, state: t.state }));
    return csvResponse("tools.csv", toCsv(["name", "kind", "source", "publisher", "verified", "version", "contentHash", "state"].map((k) => ({ key: k, header: k })), rows));
  });
}
