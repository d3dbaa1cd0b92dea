import { runApiAction, runApiRead } from "@/lib/api";
import { createRateLimitAction } from "@/lib/identity-policy/actions";
import { listRateLimits } from "@/lib/identity-policy/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/rate-limits → {data}: per-person rate limits (a team-scoped caller: their team's). Scope registry:read. */
export async function GET() {
  return runApiRead("registry:read", "rate_limits", async (actor) => ({ data: await listRateLimits(actor) }));
}

/**
 * POST /api/v1/rate-limits {subject, personId?, groupId?, agentId?, toolName?, tier?: interactive|subagent, perMinute (1–100000),
 * shared? (counted by Warden across gateways), reason} → 201 {data}; 409 for a second limit with the same subject, agent, tool
 * and tier. Scope identity_policy:manage.
 */
export function POST(req: Request) {
  return runApiAction(req, createRateLimitAction, {}, 201);
}
