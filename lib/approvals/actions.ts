import "server-only";
import { action } from "@/lib/action";
import { ZApprovalDecision, ZApprovalRuleCreate, ZApprovalRuleUpdate } from "./schema";
import { createApprovalRule, decideApproval, updateApprovalRule } from "./service";

// Each mutation defined once; used by app/(console)/approvals/actions.ts and by /api/v1/approvals, /api/v1/approval-rules.
export const decideApprovalAction = action({ name: "approval.decide", scope: "approvals:decide", schema: ZApprovalDecision, run: (actor, input) => decideApproval(actor, input) });
export const createApprovalRuleAction = action({ name: "approval_rule.create", scope: "approval_rules:manage", schema: ZApprovalRuleCreate, run: createApprovalRule });
export const updateApprovalRuleAction = action({ name: "approval_rule.update", scope: "approval_rules:manage", schema: ZApprovalRuleUpdate, run: updateApprovalRule });
