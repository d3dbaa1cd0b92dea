import { createHash } from "node:crypto";
import { queryParams, runApiRead } from "@/lib/api";
import { listApprovals, listApprovalsWithCalls, parseApprovalQuery } from "@/lib/approvals/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/approvals?status=pending|allowed|denied|expired|all&limit=&recentCalls=1 → {data, now}.
 * Pending ones soonest-to-expire first; `now` is Warden's clock (for countdowns). Answers carry an
 * ETag of `data`; with If-None-Match the unchanged list is a 304 (the console's queue polls this
 * every 2 s). Scope tool_calls:read_params (items show parameters).
 */
export async function GET(req: Request) {
  return runApiRead("tool_calls:read_params", "approvals", async (actor) => {
    const q = parseApprovalQuery(queryParams(req));
    const scope = teamScopeOf(actor);
    const data = q.recentCalls ? await listApprovalsWithCalls(q, new Date(), scope) : await listApprovals(q, new Date(), scope);
    const text = JSON.stringify(data);
    const etag = `"${createHash("sha256").update(text).digest("base64url").slice(0, 27)}"`;
    const headers = { "cache-control": "no-store", etag, "content-type": "application/json" };
    if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
    return new Response(`{"data":${text},"now":${JSON.stringify(new Date().toISOString())}}`, { status: 200, headers });
  });
}
