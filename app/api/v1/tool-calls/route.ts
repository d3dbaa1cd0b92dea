import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { csvResponse, toCsv } from "@/lib/csv";
import { listToolCalls, paramsAllowed, parseToolCallQuery, scopedQuery } from "@/lib/tool-calls/queries";

export const dynamic = "force-dynamic";

const CSV_COLUMNS = [
  "occurredAt",
  "agentName",
  "agentId",
  "toolName",
  "toolVersion",
  "toolHash",
  "decision",
  "policyDecision",
  "blockReason",
  "durationMs",
  "error",
  "egressHosts",
  "gatewayName",
  "gatewayId",
  "sessionKey",
  "eventId",
  "tokensIn",
  "tokensOut",
  "costUsd",
  "requesterKind",
  "personId",
  "personName",
  "requesterChannel",
  "requesterAccountId",
  "requesterSenderId",
  "chain",
];

/**
 * GET /api/v1/tool-calls?range=1h|24h|7d|30d|from=&to=&tool=&agent=&gateway=&decision=&person=&requester=&q=&dir=&page=&pageSize=[&format=csv]
 * Metadata for every holder of tool_calls:read; params and results only with tool_calls:read_params.
 * The CSV is this view without params, capped at CSV_MAX_ROWS.
 */
export async function GET(req: Request) {
  return runApiRead("tool_calls:read", "tool_calls", async (actor) => {
    const sp = queryParams(req);
    const csv = sp.get("format") === "csv";
    sp.delete("format");
    const parsed = parseToolCallQuery(sp);
    const { invalid } = parsed;
    if (invalid.length) throw new AppError("invalid", "Invalid query.", Object.fromEntries(invalid.map((k) => [k, ["Invalid value."]])));
    // A team-scoped user (and their tokens) reads only their team's calls.
    const query = scopedQuery(parsed.query, actor);
    if (csv) {
      const page = await listToolCalls(query, { withParams: false, all: true });
      return csvResponse(
        "tool-calls.csv",
        toCsv(
          CSV_COLUMNS.map((k) => ({ key: k, header: k })),
          page.rows.map((r) => {
            const asked = (r.requester ?? {}) as { channel?: string; accountId?: string; senderId?: string };
            return { ...r, requesterChannel: asked.channel, requesterAccountId: asked.accountId, requesterSenderId: asked.senderId, chain: r.chain.join(" > ") };
          }),
        ),
      );
    }
    const withParams = paramsAllowed(actor.role);
    const page = await listToolCalls(query, { withParams });
    return { data: page.rows, total: page.total, totalCapped: page.totalCapped, page: page.page, pageSize: page.pageSize, window: query.window, paramsVisible: withParams };
  });
}
