import { z } from "zod";

// Shared by the agent page's forms, its server actions and /api/v1/agent-links.

const ZId = z.uuid("Not a valid id.");
const ZReason = z.string({ message: "Required." }).trim().min(5, "Say why (at least 5 characters).").max(2000, "At most 2000 characters.");

/** Approve "fromAgent may reach toAgent" (OpenClaw sessions_send / sessions_spawn). */
export const ZAgentLinkApprove = z
  .object({
    fromAgentId: ZId,
    toAgentId: ZId,
    reason: ZReason,
  })
  .refine((v) => v.fromAgentId !== v.toAgentId, { path: ["toAgentId"], message: "An agent may always reach itself: pick another agent." });
export type TAgentLinkApprove = z.infer<typeof ZAgentLinkApprove>;

/** Revoke an approved pair, saying why (recorded in the audit trail). */
export const ZAgentLinkRevoke = z.object({ fromAgentId: ZId, toAgentId: ZId, reason: ZReason });
export type TAgentLinkRevoke = z.infer<typeof ZAgentLinkRevoke>;
