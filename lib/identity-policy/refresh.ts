import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import { enqueueCommands } from "@/lib/outbox/commands";

/** Who is who changed (people, identities, groups, identity rules): every gateway gets a policy refresh in this transaction. */
export async function enqueueIdentityPolicyRefresh(tx: Prisma.TransactionClient): Promise<void> {
  const gateways = await tx.gateway.findMany({ select: { id: true } });
  await enqueueCommands(tx, { gatewayIds: gateways.map((g) => g.id), type: "policy_refresh", payload: { reason: "identity policy changed" } });
}
