import { runApiAction, runApiRead } from "@/lib/api";
import { createApprovalRuleAction } from "@/lib/approvals/actions";
import { listApprovalRules } from "@/lib/approvals/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/approval-rules → {data}. Scope registry:read. */
export async function GET() {
  return runApiRead("registry:read", "approval_rules", async () => ({ data: await listApprovalRules() }));
}

/**
 * POST /api/v1/approval-rules {scope: tool|agent_tool, toolName, agentId?, match?: {type: param, path, pattern} | {type: egress_not_approved},
 * timeoutSeconds? (10–1800, default 120), reason} → 201 {data}. Scope approval_rules:manage.
 */
export function POST(req: Request) {
  return runApiAction(req, createApprovalRuleAction, {}, 201);
}
