import { AppError } from "@/lib/errors";
import { runApiRead } from "@/lib/api";
import { effectiveAllowlist } from "@/lib/allowlist/effective";
import { db } from "@/lib/db";
import { agentWhereOf, teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/** GET /api/v1/agents/{id}/allowlist — the effective allowlist with why each tool is (not) allowed. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("registry:read", "allowlist", async (actor) => {
    // Another team's agent is "no such agent" for a team-scoped reader.
    const visible = /^[0-9a-f-]{36}$/.test(id) && Boolean(await db.agent.findFirst({ where: { id, ...agentWhereOf(teamScopeOf(actor)) }, select: { id: true } }));
    const list = visible ? await effectiveAllowlist(id) : null;
    if (!list) throw new AppError("not_found", "No such agent.");
    return list;
  });
}
