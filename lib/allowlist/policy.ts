import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { canonicalJson } from "@/lib/signing/canonical";
import { effectiveAllowlists } from "@/lib/allowlist/effective";
import { signWithWardenKey } from "@/lib/signing/keys";
import type { GatewayConditions } from "@/lib/tools/conditions";
import { ZHost } from "@/lib/data-flows/schema";
import { addApprovalPolicy, type PolicyApprovalGrant, type PolicyApprovalRule } from "@/lib/approvals/policy";

export type PolicyTool = {
  name: string;
  kind: string;
  versions: { version: string; contentHash: string }[];
  /** Kept for plugins before `until`: set (equal to `until`) when only an exception allows the tool. */
  exceptionUntil?: string;
  /** The allowance ends then, by the gateway's clock (set whenever every source of it is time-bound). */
  until?: string;
  /** What the approval narrowed, enforced on each call's parameters (see lib/tools/conditions.ts). */
  conditions?: GatewayConditions;
  /** Rules under which each call waits for a person (lib/approvals). */
  approvals?: PolicyApprovalRule[];
};
/** `egressHosts`: hosts of the agent's approved data flows (the only way past the gateway's SSRF check). */
export type PolicyAgent = { id: string; wardenId: string; name: string; status: string; egressHosts: string[]; tools: PolicyTool[]; approvalGrants?: PolicyApprovalGrant[] };
/**
 * Active kill switches for this gateway: a third path besides the command long-poll and admin WS.
 * `approvalTools` (require_approval, only when there is one): each call of the tool waits for a person.
 */
export type PolicyContainment = { deniedTools: Record<string, string>; suspendedAgents: Record<string, string>; blockAll?: string; approvalTools?: Record<string, string> };
export type GatewayPolicy = { schema: "warden.policy/v1"; gatewayId: string; version: string; issuedAt: string; defaultDecision: "deny"; agents: PolicyAgent[]; containment: PolicyContainment };

/** The active containment that applies to one gateway's enforcement (deny wins over the allowlist). */
export async function activeContainmentFor(gatewayId: string): Promise<PolicyContainment> {
  const actions = await db.containmentAction.findMany({
    where: { status: "active", deliveries: { some: { gatewayId, kind: "apply" } } },
    orderBy: { createdAt: "asc" },
    select: { scope: true, target: true, action: true, reason: true },
  });
  const out: PolicyContainment = { deniedTools: {}, suspendedAgents: {} };
  const agentIds = actions.filter((a) => a.scope === "agent").map((a) => a.target);
  const agents = agentIds.length ? await db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, externalId: true, name: true } }) : [];
  for (const a of actions) {
    if (a.scope === "tool" && a.action === "require_approval") (out.approvalTools ??= {})[a.target] = a.reason;
    else if (a.scope === "tool") out.deniedTools[a.target] = a.reason;
    else if (a.scope === "agent") {
      const ag = agents.find((x) => x.id === a.target);
      if (ag) out.suspendedAgents[ag.externalId ?? ag.name] = a.reason;
    } else if (a.action === "block_all" || a.action === "shutdown") out.blockAll = a.reason;
  }
  return out;
}

/**
 * The enforced form of the effective allowlist for one gateway's agents: only allowed tools,
 * pinned versions + hashes, exception end times; anything absent is denied. `version` is a hash
 * of the content, so it (and the ETag) changes exactly when what the gateway must enforce changes.
 */
export async function buildGatewayPolicy(gatewayId: string, now = new Date()): Promise<GatewayPolicy> {
  const agents = await db.agent.findMany({ where: { gatewayId }, orderBy: { name: "asc" }, select: { id: true, externalId: true, name: true, status: true } });
  const lists = await effectiveAllowlists(agents.map((a) => a.id), now);
  const flows = agents.length ? await db.dataFlow.findMany({ where: { agentId: { in: agents.map((a) => a.id) }, status: "approved" }, select: { agentId: true, host: true } }) : [];
  const policyAgents: PolicyAgent[] = agents.map((a) => ({
    id: a.externalId ?? a.name,
    wardenId: a.id,
    name: a.name,
    status: a.status,
    egressHosts: approvedHosts(flows.filter((f) => f.agentId === a.id).map((f) => f.host)),
    tools: (lists.get(a.id)?.entries ?? [])
      .filter((e) => e.status === "allowed")
      .map((e) => ({
        name: e.toolName,
        kind: e.kind,
        versions: e.versions.map((v) => ({ version: v.version, contentHash: v.contentHash })).sort((x, y) => x.contentHash.localeCompare(y.contentHash)),
        ...(e.exception && e.versions.length === 0 ? { exceptionUntil: e.exception.expiresAt.toISOString() } : {}),
        ...(e.until ? { until: e.until.toISOString() } : {}),
        ...(e.conditions ? { conditions: e.conditions } : {}),
      }))
      .sort((x, y) => x.name.localeCompare(y.name)),
  }));
  await addApprovalPolicy(policyAgents, now);
  const content = { gatewayId, defaultDecision: "deny" as const, agents: policyAgents, containment: await activeContainmentFor(gatewayId) };
  const version = createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 20);
  return { schema: "warden.policy/v1", version, issuedAt: now.toISOString(), ...content };
}

/** Data-flow hosts as the gateway compares them: re-validated (rows predate nothing, but never trust), sorted, unique. */
function approvedHosts(hosts: string[]): string[] {
  const ok = hosts.map((h) => ZHost.safeParse(h)).filter((r) => r.success).map((r) => r.data);
  return [...new Set(ok)].sort();
}

/** The policy with Warden's Ed25519 signature over its canonical JSON (sorted keys). */
export async function signedGatewayPolicy(gatewayId: string, now = new Date()) {
  const policy = await buildGatewayPolicy(gatewayId, now);
  const { keyId, signature } = await signWithWardenKey(canonicalJson(policy));
  return { policy, signature, keyId, algorithm: "Ed25519" as const };
}
