import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { parseToolCallQuery, scopedQuery, tailToolCalls } from "@/lib/tool-calls/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tool-calls/tail?since=<cursor>&<the explorer's filters> — calls stored since the
 * cursor (metadata only), newest stored first, with the next cursor. The explorer's live tail
 * polls this every 2 s; the browser drops ids it already holds (polls overlap by 10 s).
 */
export async function GET(req: Request) {
  return runApiRead("tool_calls:read", "tool_calls", async (actor) => {
    const sp = queryParams(req);
    const sinceRaw = sp.get("since");
    sp.delete("since");
    const since = sinceRaw && /^\d{4}-\d{2}-\d{2}T/.test(sinceRaw) ? new Date(sinceRaw) : null;
    const { query, invalid } = parseToolCallQuery(sp);
    if (!since || Number.isNaN(since.getTime())) invalid.push("since");
    if (invalid.length) throw new AppError("invalid", "Invalid query.", Object.fromEntries(invalid.map((k) => [k, ["Invalid value."]])));
    const tail = await tailToolCalls(scopedQuery(query, actor), since!);
    return { data: tail.rows, cursor: tail.cursor, more: tail.more };
  });
}
