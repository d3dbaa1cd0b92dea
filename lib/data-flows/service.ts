import "server-only";
import { db, isUniqueViolation, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { agentWhereOf, teamScopeOf, viaAgentWhereOf, type TeamScope } from "@/lib/teams/scope";
import { recordAudit } from "@/lib/audit/record";
import { enqueueCommands } from "@/lib/outbox/commands";
import { wakeGateways } from "@/lib/outbox/wake";
import type { TDataFlowCreate, TDataFlowDecision, TDataFlowUpdate } from "./schema";

const SNAPSHOT = {
  id: true,
  agentId: true,
  service: true,
  host: true,
  isLlmProvider: true,
  dataSent: true,
  dataReceived: true,
  classification: true,
  status: true,
  approverId: true,
  decidedAt: true,
  createdAt: true,
  updatedAt: true,
  agent: { select: { name: true } },
  approver: { select: { name: true, email: true } },
} as const satisfies Prisma.DataFlowSelect;

const CONTENT_KEYS = ["service", "host", "isLlmProvider", "dataSent", "dataReceived", "classification"] as const;

async function load(tx: Tx, id: string, scope: TeamScope = null) {
  // Another team's flow is "no such data flow" for a team-scoped actor.
  const row = await tx.dataFlow.findFirst({ where: { id, ...viaAgentWhereOf(scope) }, select: SNAPSHOT });
  if (!row) throw new AppError("not_found", "No such data flow.");
  return row;
}
type Snapshot = Awaited<ReturnType<typeof load>>;

/** The audit's before/after: content, status and decision, agent by name. */
function auditView(f: Snapshot) {
  return {
    agent: f.agent.name,
    service: f.service,
    host: f.host,
    isLlmProvider: f.isLlmProvider,
    dataSent: f.dataSent,
    dataReceived: f.dataReceived,
    classification: f.classification,
    status: f.status,
    approver: f.approver?.email ?? null,
    decidedAt: f.decidedAt,
  };
}

function changed(before: Record<string, unknown>, after: Record<string, unknown>) {
  const keys = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return { before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])) };
}

function uniqueHost<T>(p: Promise<T>): Promise<T> {
  return p.catch((err) => {
    if (isUniqueViolation(err)) throw new AppError("conflict", "This agent already has a data flow to this host.", { host: ["Already recorded for this agent."] });
    throw err;
  });
}

/**
 * Approved flows' hosts are in the agent's signed policy (the SSRF check's explicit approvals):
 * when one enters or leaves the approved set, the agent's gateway gets a policy refresh, in the
 * same transaction; the caller wakes it after commit.
 */
async function refreshPolicyIfApprovedChanged(tx: Tx, before: Snapshot | null, after: Snapshot): Promise<string[]> {
  const was = before?.status === "approved" ? before.host : null;
  const is = after.status === "approved" ? after.host : null;
  if (was === is) return [];
  const agent = await tx.agent.findUnique({ where: { id: after.agentId }, select: { gatewayId: true } });
  if (!agent?.gatewayId) return [];
  await enqueueCommands(tx, { gatewayIds: [agent.gatewayId], type: "policy_refresh", payload: { reason: "approved data flows changed" } });
  return [agent.gatewayId];
}

/** Record a flow an agent has (or wants) to an external service; it starts as proposed. */
export async function createDataFlow(actor: Actor, input: TDataFlowCreate) {
  return uniqueHost(
    db.$transaction(async (tx) => {
      const agent = await tx.agent.findFirst({ where: { id: input.agentId, ...agentWhereOf(teamScopeOf(actor)) }, select: { id: true } });
      if (!agent) throw new AppError("invalid", "No such agent.", { agentId: ["Unknown agent."] });
      const { id } = await tx.dataFlow.create({ data: { ...input, status: "proposed" }, select: { id: true } });
      const after = await load(tx, id);
      await recordAudit(tx, actor, { action: "data_flow.create", targetType: "data_flow", targetId: id, after: auditView(after) });
      return after;
    }),
  );
}

/**
 * Edit a flow. Changing what it sends, receives or where it goes voids its approval: the flow
 * goes back to proposed and needs a fresh decision.
 */
export async function updateDataFlow(actor: Actor, input: TDataFlowUpdate) {
  const { id, ...rest } = input;
  return uniqueHost(
    db.$transaction(async (tx) => {
      const before = await load(tx, id, teamScopeOf(actor));
      const contentChanged = CONTENT_KEYS.some((k) => rest[k] !== undefined && rest[k] !== before[k]);
      const data: Prisma.DataFlowUncheckedUpdateInput = {
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
        ...(contentChanged && before.status !== "proposed" ? { status: "proposed", approverId: null, decidedAt: null } : {}),
      };
      await tx.dataFlow.update({ where: { id }, data });
      const after = await load(tx, id);
      await recordAudit(tx, actor, { action: "data_flow.update", targetType: "data_flow", targetId: id, ...changed(auditView(before), auditView(after)) });
      return { after, wake: await refreshPolicyIfApprovedChanged(tx, before, after) };
    }),
  ).then(({ after, wake }) => {
    wakeGateways(wake);
    return after;
  });
}

/** Approve or reject a flow: records who decided and when. */
export async function decideDataFlow(actor: Actor, input: TDataFlowDecision, now = new Date()) {
  const { after, wake } = await db.$transaction(async (tx) => {
    const before = await load(tx, input.id, teamScopeOf(actor));
    if (before.status === input.status) throw new AppError("conflict", `This data flow is already ${input.status}.`);
    // Conditional on the status read: of concurrent decisions exactly one changes the row (and audits).
    const claimed = await tx.dataFlow.updateMany({ where: { id: input.id, status: before.status }, data: { status: input.status, approverId: actor.userId ?? null, decidedAt: now } });
    if (claimed.count !== 1) throw new AppError("conflict", "This data flow was decided by someone else a moment ago.");
    const after = await load(tx, input.id);
    await recordAudit(tx, actor, {
      action: "data_flow.decide",
      targetType: "data_flow",
      targetId: input.id,
      before: { status: before.status, approver: before.approver?.email ?? null, decidedAt: before.decidedAt },
      after: { status: after.status, approver: after.approver?.email ?? actor.label, decidedAt: after.decidedAt, reason: input.reason ?? null, host: after.host, agent: after.agent.name },
    });
    return { after, wake: await refreshPolicyIfApprovedChanged(tx, before, after) };
  });
  wakeGateways(wake);
  return after;
}
