import { createHash } from "node:crypto";
import { queryParams, runApiRead } from "@/lib/api";
import { listApprovals, parseApprovalQuery } from "@/lib/approvals/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/approvals?status=pending|allowed|denied|expired|all&limit= → {data}. Pending ones
 * soonest-to-expire first. Answers carry an ETag; with If-None-Match the unchanged list is a 304
 * (the console's queue polls this every 2 s). Scope tool_calls:read_params (items show parameters).
 */
export async function GET(req: Request) {
  return runApiRead("tool_calls:read_params", "approvals", async () => {
    const data = await listApprovals(parseApprovalQuery(queryParams(req)));
    const body = JSON.stringify({ data });
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    const headers = { "cache-control": "no-store", etag, "content-type": "application/json" };
    if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
    return new Response(body, { status: 200, headers });
  });
}
