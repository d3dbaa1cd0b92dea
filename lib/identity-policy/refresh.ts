import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Enqueue a policy refresh, in the caller's transaction, to every gateway whose signed policy
 * carries an `identity` section (every gateway when a rule or limit names no agent, else the
 * gateways of the agents the rules name). Directory changes (people, identities, groups) call it;
 * database triggers on those tables and on the rules do the same, so a path that forgets is covered.
 */
export async function enqueueIdentityPolicyRefresh(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`select warden_policy_touch(warden_identity_gateways())`;
}

/** The same for one agent's gateway only (a rule or limit that names the agent). */
export async function enqueueAgentPolicyRefresh(tx: Prisma.TransactionClient, agentId: string): Promise<void> {
  await tx.$executeRaw`select warden_policy_touch(warden_gateways_of_agents(array[${agentId}::uuid]))`;
}
