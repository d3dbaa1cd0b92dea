import "server-only";
import { db } from "@/lib/db";

/** A gateway for its page: everything but its secrets (which are never selected). */
export function getGateway(id: string) {
  return db.gateway
    .findUnique({
      where: { id },
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
        agents: { orderBy: { name: "asc" }, select: { id: true, name: true, status: true, externalId: true } },
        findings: { where: { status: "open" }, orderBy: { lastSeenAt: "desc" }, take: 50, select: { id: true, kind: true, severity: true, title: true, lastSeenAt: true } },
      },
    })
    .then((g) => (g ? { ...g, adminTokenEnc: undefined, hasAdminToken: Boolean(g.adminTokenEnc) } : null));
}
