import "server-only";
import { action } from "@/lib/action";
import { ZAgentLinkApprove, ZAgentLinkRevoke } from "./schema";
import { approveAgentLink, revokeAgentLink } from "./service";

// Agent-to-agent traffic is a data flow between agents: the same people decide (security leads, admins).
export const approveAgentLinkAction = action({ name: "agent_link.approve", scope: "data_flows:decide", schema: ZAgentLinkApprove, run: approveAgentLink });
export const revokeAgentLinkAction = action({ name: "agent_link.revoke", scope: "data_flows:decide", schema: ZAgentLinkRevoke, run: revokeAgentLink });
