import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Enqueue a policy refresh, in the caller's transaction, to every gateway whose signed policy
 * carries an `identity` section (every gateway when a rule or limit names no agent, else the
 * gateways of the agents the rules name). Directory changes (people, identities, groups) call it;
 * database triggers on those tables do the same, so a path that forgets is covered. Rules and limits
 * are refreshed by their own trigger only (warden_policy_identity_rows).
 */
export async function enqueueIdentityPolicyRefresh(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`select warden_policy_touch(warden_identity_gateways())`;
}
