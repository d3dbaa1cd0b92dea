import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { getToolCall, paramsAllowed } from "@/lib/tool-calls/queries";
import { teamScopeOf } from "@/lib/teams/scope";
import { approvalsForToolCall } from "@/lib/approvals/queries";
import { modelCallsOfRun, runIdOfEventId } from "@/lib/model-usage/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tool-calls/{id}?at=<occurredAt ISO> — one call; params and results only with
 * tool_calls:read_params. `approvals`: the person's approvals of this call (who, when, how long the agent waited).
 * `modelUsage`: the model calls the gateway reported for the same run (runId from the event id
 * `<toolCallId>@<runId>.decision`), empty when the event id names no run.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("tool_calls:read", "tool_call", async (actor) => {
    const at = queryParams(req).get("at");
    const occurredAt = at ? new Date(at) : null;
    if (!occurredAt || Number.isNaN(occurredAt.getTime())) throw new AppError("invalid", "Pass ?at= with the call's occurredAt (ISO 8601).", { at: ["Invalid value."] });
    const withParams = paramsAllowed(actor.role);
    const call = await getToolCall(id, occurredAt, { withParams, scope: teamScopeOf(actor) });
    if (!call) throw new AppError("not_found", "No such tool call.");
    const runId = runIdOfEventId(call.eventId);
    const [approvals, modelUsage] = await Promise.all([approvalsForToolCall(call.gatewayId, call.eventId), runId ? modelCallsOfRun(call.gatewayId, runId) : Promise.resolve([])]);
    return { data: call, paramsVisible: withParams, approvals, runId, modelUsage };
  });
}
