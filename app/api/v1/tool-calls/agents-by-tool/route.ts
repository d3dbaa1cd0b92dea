import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { agentsByTool, parseSince, ZAgentsByTool } from "@/lib/tool-calls/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/** GET /api/v1/tool-calls/agents-by-tool?tool=X&since=24h — which agents called tool X (since: Nh or Nd, up to 30d). */
export async function GET(req: Request) {
  return runApiRead("tool_calls:read", "tool_calls", async (actor) => {
    const sp = queryParams(req);
    const parsed = ZAgentsByTool.safeParse({ tool: sp.get("tool") ?? undefined, since: sp.get("since") || undefined });
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const i of parsed.error.issues) (fieldErrors[String(i.path[0])] ??= []).push(i.message);
      throw new AppError("invalid", "Invalid query.", fieldErrors);
    }
    const { tool, since } = parsed.data;
    return { tool, since, agents: await agentsByTool(tool, parseSince(since)!, undefined, teamScopeOf(actor)) };
  });
}
