import "server-only";
import { db } from "@/lib/db";
import { gatewayWhereOf, toolCallWhereOf, type TeamScope } from "@/lib/teams/scope";

const DAY = 86_400_000;

/** Headline numbers for the overview (cheap counts; rollups arrive with the dashboard issue). */
export async function getOverview(now = new Date()) {
  const since24h = new Date(now.getTime() - DAY);
  const since7d = new Date(now.getTime() - 7 * DAY);
  const [gateways, agents, tools, pendingReviews, overdueReviews, integrationsDue, openFindings, calls7d, blocked7d, blocked24h, playbooks, auditEvents] = await Promise.all([
    db.gateway.count(),
    db.agent.count(),
    db.tool.count(),
    db.toolRequest.count({ where: { status: "pending" } }),
    db.trustDecision.count({ where: { outcome: { not: "reject" }, revokedAt: null, reReviewAt: { lt: now } } }),
    db.integration.count({ where: { OR: [{ nextReviewAt: { lt: now } }, { advisoryFlaggedAt: { not: null } }] } }),
    db.finding.count({ where: { status: "open" } }),
    db.toolCall.count({ where: { occurredAt: { gte: since7d } } }),
    db.toolCall.count({ where: { occurredAt: { gte: since7d }, decision: "blocked" } }),
    db.toolCall.count({ where: { occurredAt: { gte: since24h }, decision: "blocked" } }),
    db.playbook.count(),
    db.auditEvent.count(),
  ]);
  return { gateways, agents, tools, pendingReviews, overdueReviews, integrationsDue, openFindings, calls7d, blocked7d, blocked24h, playbooks, auditEvents };
}

/** Gateways for lists and pickers, within the team scope. */
export function listGateways(scope: TeamScope = null) {
  return db.gateway.findMany({
    where: gatewayWhereOf(scope),
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      kind: true,
      environment: true,
      lastSeenAt: true,
      policyVersionApplied: true,
      policyExpiresReported: true,
      onPolicyExpiry: true,
      _count: { select: { agents: true } },
      // The current signed version from the shared cache (no policy is computed for a list).
      policy: { select: { version: true, stale: true } },
    },
  });
}

/** Recent tool calls, metadata only: parameters are never selected here (managers read this). */
export function listRecentToolCalls(limit = 50, scope: TeamScope = null) {
  return db.toolCall.findMany({
    where: toolCallWhereOf(scope),
    orderBy: { occurredAt: "desc" },
    take: limit,
    select: { id: true, occurredAt: true, agentName: true, toolName: true, decision: true, blockReason: true, durationMs: true },
  });
}
