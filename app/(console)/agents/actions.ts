"use server";
import { serverAction } from "@/lib/action";
import { approveAgentLinkAction, revokeAgentLinkAction } from "@/lib/agent-links/actions";

// Public endpoints: each runs the shared definition (session → scope → zod → service with its
// audit row) on the server, exactly like /api/v1/agent-links.
export const approveAgentLink = serverAction(approveAgentLinkAction, { revalidate: "/map" });
export const revokeAgentLink = serverAction(revokeAgentLinkAction, { revalidate: "/map" });
