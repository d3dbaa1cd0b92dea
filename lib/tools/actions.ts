import "server-only";
import { action } from "@/lib/action";
import { ZAgentSetBundles, ZBundleCreate, ZBundleSetTools, ZDecision, ZGrantCreate, ZGrantRevoke, ZRevokeDecision, ZToolRequestCreate } from "./schema";
import { createBundle, createGrant, createToolRequest, decideToolRequest, revokeGrant, revokeTrustDecision, setAgentBundles, setBundleTools } from "./service";

// The allowlist workflow, defined once for server actions and /api/v1 routes alike.
export const createToolRequestAction = action({ name: "tool_request.create", scope: "tools:request", schema: ZToolRequestCreate, run: createToolRequest });
export const decideToolRequestAction = action({ name: "tool_request.decide", scope: "tools:decide", schema: ZDecision, run: decideToolRequest });
export const revokeDecisionAction = action({ name: "trust_decision.revoke", scope: "tools:decide", schema: ZRevokeDecision, run: revokeTrustDecision });
export const createGrantAction = action({ name: "grant.create", scope: "tools:decide", schema: ZGrantCreate, run: createGrant });
export const revokeGrantAction = action({ name: "grant.revoke", scope: "tools:decide", schema: ZGrantRevoke, run: revokeGrant });
export const createBundleAction = action({ name: "bundle.create", scope: "registry:write", schema: ZBundleCreate, run: createBundle });
export const setBundleToolsAction = action({ name: "bundle.set_tools", scope: "registry:write", schema: ZBundleSetTools, run: setBundleTools });
export const setAgentBundlesAction = action({ name: "agent.set_bundles", scope: "registry:write", schema: ZAgentSetBundles, run: setAgentBundles });
