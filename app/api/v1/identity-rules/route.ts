import { runApiAction, runApiRead } from "@/lib/api";
import { createIdentityRuleAction } from "@/lib/identity-policy/actions";
import { listIdentityRules } from "@/lib/identity-policy/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/identity-rules → {data}: per-person and per-group rules (a team-scoped caller: their team's). Scope registry:read. */
export async function GET() {
  return runApiRead("registry:read", "identity_rules", async (actor) => ({ data: await listIdentityRules(actor) }));
}

/**
 * POST /api/v1/identity-rules {subject: person|group|unidentified|anyone, personId?, groupId?, agentId?, toolName?,
 * effect: allow|deny|require_approval, timeoutSeconds? (require_approval, 10–1800), reason} → 201 {data}; 409 for a
 * second rule with the same subject, agent and tool. Scope identity_policy:manage.
 */
export function POST(req: Request) {
  return runApiAction(req, createIdentityRuleAction, {}, 201);
}
