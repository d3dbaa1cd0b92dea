import { runApiAction } from "@/lib/api";
import { updateApprovalRuleAction } from "@/lib/approvals/actions";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH /api/v1/approval-rules/{id} {match?, timeoutSeconds?, reason?, enabled?} → {data}; enabled: false disables it. Scope approval_rules:manage. */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updateApprovalRuleAction, { id: (await params).id });
}
