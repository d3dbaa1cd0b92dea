import { runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { getContainment } from "@/lib/containment/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/containment/{id} → {data: {…action, status: active|releasing|released (releasing until
 * every gateway acknowledged the release on every configured path), summary, deliveries: [{gatewayName, kind, state:
 * pending|delivered|applied|failed|timed_out, deliveredAt, ackedAt, escalatedAt, wsState, …}]}}. Scope registry:read.
 */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  return runApiRead("registry:read", "containment", async (actor) => {
    const c = await getContainment(id, teamScopeOf(actor));
    if (!c) throw new AppError("not_found", "No such containment action.");
    return { data: c };
  });
}
