import { runApiAction } from "@/lib/api";
import { approveAgentLinkAction, revokeAgentLinkAction } from "@/lib/agent-links/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/agent-links {fromAgentId, toAgentId, reason} → {data: {id, reason, approvedBy, createdAt, changed}}. Scope data_flows:decide. Idempotent. */
export function POST(req: Request) {
  return runApiAction(req, approveAgentLinkAction);
}

/** DELETE /api/v1/agent-links {fromAgentId, toAgentId, reason} → {data: {changed}}. Scope data_flows:decide. Idempotent. */
export function DELETE(req: Request) {
  return runApiAction(req, revokeAgentLinkAction);
}
