import "server-only";
import { db } from "@/lib/db";
import { agentWhereOf, gatewayWhereOf, type TeamScope } from "@/lib/teams/scope";

/** A gateway for its page: everything but its secrets (which are never selected); null outside the team scope. */
export function getGateway(id: string, scope: TeamScope = null) {
  return db.gateway
    .findFirst({
      where: { id, ...gatewayWhereOf(scope) },
      select: {
        id: true,
        name: true,
        kind: true,
        environment: true,
        adminWsUrl: true,
        lastSeenAt: true,
        policyVersionApplied: true,
        policyExpiresReported: true,
        policyTtlSeconds: true,
        onPolicyExpiry: true,
        inventory: true,
        securityAudit: true,
        signingSecretRotatedAt: true,
        previousSecretUntil: true,
        createdAt: true,
        adminTokenEnc: true,
        agents: { where: agentWhereOf(scope), orderBy: { name: "asc" }, select: { id: true, name: true, status: true, externalId: true } },
        findings: { where: { status: "open" }, orderBy: { lastSeenAt: "desc" }, take: 50, select: { id: true, kind: true, severity: true, title: true, lastSeenAt: true } },
      },
    })
    .then((g) => (g ? { ...g, adminTokenEnc: undefined, hasAdminToken: Boolean(g.adminTokenEnc) } : null));
}
