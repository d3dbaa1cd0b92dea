"use server";
import { serverAction } from "@/lib/action";
import { createGrantAction, createToolRequestAction, decideToolRequestAction, revokeDecisionAction, revokeGrantAction, setAgentBundlesAction } from "@/lib/tools/actions";
import { createAgentAction, updateAgentAction } from "@/lib/agents/actions";

// The allowlist workflow's server actions: the same definitions as /api/v1 (scope → zod → service).
export const createToolRequest = serverAction(createToolRequestAction, { revalidate: "/tools" });
export const decideToolRequest = serverAction(decideToolRequestAction, { revalidate: "/tools" });
export const revokeDecision = serverAction(revokeDecisionAction, { revalidate: "/tools" });
export const createGrant = serverAction(createGrantAction, { revalidate: "/agents" });
export const revokeGrant = serverAction(revokeGrantAction, { revalidate: "/agents" });
export const setAgentBundles = serverAction(setAgentBundlesAction, { revalidate: "/agents" });
export const createAgent = serverAction(createAgentAction, { revalidate: "/agents" });
export const updateAgent = serverAction(updateAgentAction, { revalidate: "/agents" });
