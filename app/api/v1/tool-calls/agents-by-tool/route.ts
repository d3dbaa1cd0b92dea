import { NextResponse } from "next/server";
import { runApiRead } from "@/lib/api";
import { agentsByTool, parseSince, ZAgentsByTool } from "@/lib/tool-calls/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/tool-calls/agents-by-tool?tool=X&since=24h — which agents called tool X (since: Nh or Nd, up to 30d). */
export async function GET(req: Request) {
  const sp = new URL(req.url).searchParams;
  const parsed = ZAgentsByTool.safeParse({ tool: sp.get("tool") ?? undefined, since: sp.get("since") || undefined });
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of parsed.error.issues) (fieldErrors[String(i.path[0])] ??= []).push(i.message);
    return NextResponse.json({ error: { code: "invalid", message: "Invalid query.", fieldErrors } }, { status: 400 });
  }
  const { tool, since } = parsed.data;
  return runApiRead("tool_calls:read", "tool_calls", async () => ({ tool, since, agents: await agentsByTool(tool, parseSince(since)!) }));
}
