"use server";
import { serverAction } from "@/lib/action";
import { createApprovalRuleAction, decideApprovalAction, updateApprovalRuleAction } from "@/lib/approvals/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like the /api/v1/approvals routes.
export const decideApproval = serverAction(decideApprovalAction, { revalidate: "/approvals" });
export const createApprovalRule = serverAction(createApprovalRuleAction, { revalidate: "/approvals/rules" });
export const updateApprovalRule = serverAction(updateApprovalRuleAction, { revalidate: "/approvals/rules" });
