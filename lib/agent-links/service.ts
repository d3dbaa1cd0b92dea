import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { FINDINGS_LOCK } from "@/lib/findings/compute";
import type { TAgentLinkApprove, TAgentLinkRevoke } from "./schema";
import { agentWhereOf, teamScopeOf, type TeamScope } from "@/lib/teams/scope";

type PairAgent = { id: string; name: string; gatewayId: string | null; externalId: string | null };

async function loadPair(tx: Tx, fromAgentId: string, toAgentId: string, scope: TeamScope): Promise<{ from: PairAgent; to: PairAgent }> {
  // A team-scoped actor pairs only their team's agents: another team's is "unknown".
  const rows = await tx.agent.findMany({ where: { id: { in: [fromAgentId, toAgentId] }, ...agentWhereOf(scope) }, select: { id: true, name: true, gatewayId: true, externalId: true } });
  const from = rows.find((a) => a.id === fromAgentId);
  const to = rows.find((a) => a.id === toAgentId);
  if (!from || !to) {
    throw new AppError("invalid", "No such agent.", { ...(from ? {} : { fromAgentId: ["Unknown agent."] }), ...(to ? {} : { toAgentId: ["Unknown agent."] }) });
  }
  return { from, to };
}

const view = (from: PairAgent, to: PairAgent) => ({ from: from.name, to: to.name, toGatewayAgentId: to.externalId ?? to.name });

/**
 * Approve a pair: `from` may reach `to` on their gateway. The signed policy of the gateway lists
 * it in `agents[].peers` (a DB trigger refreshes it in this transaction); open agent_link findings
 * of the pair are closed as approved. Idempotent: approving an approved pair changes nothing.
 */
export async function approveAgentLink(actor: Actor, input: TAgentLinkApprove) {
  return db.$transaction(async (tx) => {
    // Serialised with the findings run (it must not reopen what this closes).
    await tx.$executeRaw`select pg_advisory_xact_lock(${FINDINGS_LOCK})`;
    const { from, to } = await loadPair(tx, input.fromAgentId, input.toAgentId, teamScopeOf(actor));
    if (!from.gatewayId || from.gatewayId !== to.gatewayId) {
      throw new AppError("invalid", "Both agents must run on the same gateway: only calls within one gateway can be enforced.", { toAgentId: ["Not on the gateway of the calling agent."] });
    }
    const created = await tx.agentLinkApproval.createMany({
      data: [{ fromAgentId: from.id, toAgentId: to.id, reason: input.reason, approvedById: actor.userId ?? null, approvedBy: actor.label }],
      skipDuplicates: true,
    });
    const row = await tx.agentLinkApproval.findUniqueOrThrow({
      where: { fromAgentId_toAgentId: { fromAgentId: from.id, toAgentId: to.id } },
      select: { id: true, reason: true, approvedBy: true, createdAt: true },
    });
    if (!created.count) return { ...row, changed: false };
    const target = to.externalId ?? to.name;
    const closed = await tx.finding.updateMany({
      where: { kind: "agent_link", status: "open", agentId: from.id, detail: { path: ["targetAgentId"], equals: target } },
      data: { status: "dismissed", dismissReason: `Pair approved by ${actor.label}: ${input.reason}`.slice(0, 2000) },
    });
    await recordAudit(tx, actor, { action: "agent_link.approve", targetType: "agent", targetId: from.id, after: { ...view(from, to), reason: input.reason, findingsClosed: closed.count } });
    return { ...row, changed: true };
  });
}

/** Revoke an approved pair (the next policy drops the peer). Idempotent: a pair not approved changes nothing. */
export async function revokeAgentLink(actor: Actor, input: TAgentLinkRevoke) {
  return db.$transaction(async (tx) => {
    const { from, to } = await loadPair(tx, input.fromAgentId, input.toAgentId, teamScopeOf(actor));
    const pair = await tx.agentLinkApproval.findUnique({ where: { fromAgentId_toAgentId: { fromAgentId: from.id, toAgentId: to.id } }, select: { reason: true, approvedBy: true, createdAt: true } });
    // A concurrent revoke of the same pair deletes nothing here: only one of them is audited.
    const gone = pair ? await tx.agentLinkApproval.deleteMany({ where: { fromAgentId: from.id, toAgentId: to.id } }) : { count: 0 };
    if (!pair || !gone.count) return { changed: false };
    await recordAudit(tx, actor, {
      action: "agent_link.revoke",
      targetType: "agent",
      targetId: from.id,
      before: { ...view(from, to), reason: pair.reason, approvedBy: pair.approvedBy, approvedAt: pair.createdAt.toISOString() },
      after: { revoked: true, reason: input.reason },
    });
    return { changed: true };
  });
}
