import { runApiAction } from "@/lib/api";
import { releaseContainmentAction } from "@/lib/containment/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/containment/{id}/release {reason} → {data: {id, status}}. Scope containment:execute; audited. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  return runApiAction(req, releaseContainmentAction, { id });
}
