import "server-only";
import { db } from "@/lib/db";

/** One rule as the signed policy carries it on an agent's tool (the plugin's approval-rules.js reads it). */
export type PolicyApprovalRule = { ruleId: string; reason: string; timeoutMs: number; match?: { param: string; pattern: string } | { egressNotApproved: true } };
/** "Allow this agent this tool until": a person's decision that skips the tool's rules until then. */
export type PolicyApprovalGrant = { tool: string; until: string; approvalId: string };

type AgentLike = { wardenId: string; tools: { name: string; approvals?: PolicyApprovalRule[] }[]; approvalGrants?: PolicyApprovalGrant[]; egressHosts?: string[] };

/**
 * Put the approval rules and live approval grants on a gateway's policy agents (in place):
 * `agents[].tools[].approvals` (enabled rules for the tool, every agent's and this agent's, by rule
 * id) and `agents[].approvalGrants` (allow_for decisions not yet ended). Both only when non-empty,
 * so a gateway without rules keeps the same policy (and version) as before. An agent with an
 * egress rule also gets `egressHosts` (its approved data flows) when nothing else set it.
 */
export async function addApprovalPolicy(agents: AgentLike[], now: Date): Promise<void> {
  if (!agents.length) return;
  const ids = agents.map((a) => a.wardenId);
  const toolNames = [...new Set(agents.flatMap((a) => a.tools.map((t) => t.name)))];
  const [rules, grants] = await Promise.all([
    toolNames.length
      ? db.approvalRule.findMany({
          where: { enabled: true, toolName: { in: toolNames }, OR: [{ scope: "tool" }, { scope: "agent_tool", agentId: { in: ids } }] },
          orderBy: { id: "asc" },
          select: { id: true, scope: true, agentId: true, toolName: true, matchPath: true, matchPattern: true, egressNotApproved: true, timeoutSeconds: true, reason: true },
        })
      : [],
    db.approvalRequest.findMany({
      where: { status: "allowed", decision: "allow_for", agentId: { in: ids }, grantUntil: { gt: now } },
      orderBy: { id: "asc" },
      select: { id: true, agentId: true, toolName: true, grantUntil: true },
    }),
  ]);
  const egressAgents = new Set<string>();
  for (const a of agents) {
    for (const t of a.tools) {
      const mine = rules.filter((r) => r.toolName === t.name && (r.scope === "tool" || r.agentId === a.wardenId));
      if (!mine.length) continue;
      t.approvals = mine.map((r) => ({
        ruleId: r.id,
        reason: r.reason,
        timeoutMs: r.timeoutSeconds * 1000,
        ...(r.egressNotApproved ? { match: { egressNotApproved: true as const } } : r.matchPath && r.matchPattern ? { match: { param: r.matchPath, pattern: r.matchPattern } } : {}),
      }));
      if (mine.some((r) => r.egressNotApproved)) egressAgents.add(a.wardenId);
    }
    const live = grants.filter((g) => g.agentId === a.wardenId && g.grantUntil).map((g) => ({ tool: g.toolName, until: g.grantUntil!.toISOString(), approvalId: g.id }));
    if (live.length) a.approvalGrants = live;
  }
  const needHosts = agents.filter((a) => egressAgents.has(a.wardenId) && a.egressHosts === undefined);
  if (needHosts.length) {
    const flows = await db.dataFlow.findMany({ where: { agentId: { in: needHosts.map((a) => a.wardenId) }, status: "approved" }, select: { agentId: true, host: true } });
    for (const a of needHosts) a.egressHosts = [...new Set(flows.filter((f) => f.agentId === a.wardenId).map((f) => f.host))].sort();
  }
}
