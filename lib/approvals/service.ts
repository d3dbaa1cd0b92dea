import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { SYSTEM_ACTOR, type Actor } from "@/lib/auth/actor";
import { recordAudit, recordAuditMany } from "@/lib/audit/record";
import { notify } from "@/lib/notify";
import { canonicalJson } from "@/lib/signing/canonical";
import { redact, redactedJson, redactString } from "@/lib/redact";
import { enqueueCommands } from "@/lib/outbox/commands";
import { wakeGateways } from "@/lib/outbox/wake";
import { publicOrigin } from "@/lib/http/same-origin";
import type { TApprovalDecision, TApprovalResolution, TApprovalRuleCreate, TApprovalRuleUpdate, TConnectorApproval, TRuleMatch } from "./schema";
import { agentWhereOf, approvalWhereOf, requireFleetWide, teamScopeOf } from "@/lib/teams/scope";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ───────────────────────────── rules ─────────────────────────────

const RULE_SELECT = {
  id: true,
  scope: true,
  toolName: true,
  agentId: true,
  matchPath: true,
  matchPattern: true,
  egressNotApproved: true,
  timeoutSeconds: true,
  reason: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
  agent: { select: { name: true, gatewayId: true } },
  createdBy: { select: { name: true, email: true } },
} as const satisfies Prisma.ApprovalRuleSelect;
type RuleRow = Prisma.ApprovalRuleGetPayload<{ select: typeof RULE_SELECT }>;

/** The public shape of a rule (API, pages, audit). */
export function ruleView(r: RuleRow) {
  const match: TRuleMatch | null = r.egressNotApproved ? { type: "egress_not_approved" } : r.matchPath && r.matchPattern ? { type: "param", path: r.matchPath, pattern: r.matchPattern } : null;
  return {
    id: r.id,
    scope: r.scope,
    toolName: r.toolName,
    agentId: r.agentId,
    agentName: r.agent?.name ?? null,
    match,
    timeoutSeconds: r.timeoutSeconds,
    reason: r.reason,
    enabled: r.enabled,
    createdBy: r.createdBy?.email ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
export type ApprovalRuleView = ReturnType<typeof ruleView>;

const matchColumns = (m: TRuleMatch | null | undefined) =>
  m?.type === "param"
    ? { matchPath: m.path, matchPattern: m.pattern, egressNotApproved: false }
    : m?.type === "egress_not_approved"
      ? { matchPath: null, matchPattern: null, egressNotApproved: true }
      : { matchPath: null, matchPattern: null, egressNotApproved: false };

/**
 * Gateways whose policy a rule changes: the agent's for an agent × tool rule, every gateway with
 * agents for a tool rule. Each gets a policy_refresh in the same transaction.
 */
async function refreshFor(tx: Tx, rule: { scope: string; agent: { gatewayId: string | null } | null }): Promise<string[]> {
  const ids =
    rule.scope === "agent_tool"
      ? rule.agent?.gatewayId
        ? [rule.agent.gatewayId]
        : []
      : (await tx.agent.findMany({ where: { gatewayId: { not: null } }, distinct: ["gatewayId"], select: { gatewayId: true } })).map((a) => a.gatewayId!);
  if (ids.length) await enqueueCommands(tx, { gatewayIds: ids, type: "policy_refresh", payload: { reason: "approval rules changed" } });
  return ids;
}

/** Create a rule: calls of the tool (by every agent, or one) need a person's approval. */
export async function createApprovalRule(actor: Actor, input: TApprovalRuleCreate) {
  let gateways: string[] = [];
  const out = await db.$transaction(async (tx) => {
    // A team-scoped lead writes rules only for their team's agents (another team's agent is unknown);
    // a rule for every agent reaches beyond the team.
    if (input.scope !== "agent_tool") requireFleetWide(actor, "An approval rule for every agent");
    if (input.agentId && !(await tx.agent.findFirst({ where: { id: input.agentId, ...agentWhereOf(teamScopeOf(actor)) }, select: { id: true } })))
      throw new AppError("invalid", "No such agent.", { agentId: ["Unknown agent."] });
    const row = await tx.approvalRule.create({
      data: {
        scope: input.scope,
        toolName: input.toolName,
        agentId: input.scope === "agent_tool" ? input.agentId! : null,
        ...matchColumns(input.match),
        timeoutSeconds: input.timeoutSeconds,
        reason: input.reason,
        createdById: actor.userId ?? null,
      },
      select: RULE_SELECT,
    });
    const view = ruleView(row);
    await recordAudit(tx, actor, { action: "approval_rule.create", targetType: "approval_rule", targetId: row.id, after: auditRule(view) });
    gateways = await refreshFor(tx, row);
    return view;
  });
  wakeGateways(gateways);
  return out;
}

const auditRule = (v: ApprovalRuleView) => ({ scope: v.scope, toolName: v.toolName, agent: v.agentName, match: v.match, timeoutSeconds: v.timeoutSeconds, reason: v.reason, enabled: v.enabled });

/** Change a rule's match, timeout or reason, or disable/enable it. */
export async function updateApprovalRule(actor: Actor, input: TApprovalRuleUpdate) {
  let gateways: string[] = [];
  const out = await db.$transaction(async (tx) => {
    const before = await tx.approvalRule.findUnique({ where: { id: input.id }, select: RULE_SELECT });
    if (!before) throw new AppError("not_found", "No such approval rule.");
    // Another team's rule is "no such rule"; a rule for every agent is fleet configuration.
    const scope = teamScopeOf(actor);
    if (scope && before.agentId && !(await tx.agent.findFirst({ where: { id: before.agentId, ...agentWhereOf(scope) }, select: { id: true } })))
      throw new AppError("not_found", "No such approval rule.");
    if (!before.agentId) requireFleetWide(actor, "Changing an approval rule for every agent");
    const data: Prisma.ApprovalRuleUncheckedUpdateInput = {
      ...(input.match !== undefined ? matchColumns(input.match) : {}),
      ...(input.timeoutSeconds !== undefined ? { timeoutSeconds: input.timeoutSeconds } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    };
    const row = await tx.approvalRule.update({ where: { id: input.id }, data, select: RULE_SELECT });
    const [b, a] = [auditRule(ruleView(before)), auditRule(ruleView(row))];
    const keys = (Object.keys(a) as (keyof typeof a)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    await recordAudit(tx, actor, {
      action: input.enabled === false && before.enabled ? "approval_rule.disable" : "approval_rule.update",
      targetType: "approval_rule",
      targetId: row.id,
      before: Object.fromEntries(keys.map((k) => [k, b[k]])),
      after: { ...Object.fromEntries(keys.map((k) => [k, a[k]])), toolName: a.toolName },
    });
    if (keys.length) gateways = await refreshFor(tx, row);
    return ruleView(row);
  });
  wakeGateways(gateways);
  return out;
}

// ───────────────────────────── requests from gateways ─────────────────────────────

/** hex SHA-256 of the canonical JSON of the params: what the plugin froze and will compare. */
export function paramsHashOf(params: unknown): string {
  return createHash("sha256").update(canonicalJson(params)).digest("hex");
}

/** Held calls one gateway may have waiting at once; more are refused (429), and the plugin denies them. */
export const MAX_PENDING_PER_GATEWAY = 200;

export type ReportedApproval = { id: string; status: string; expiresAt: Date; created: boolean };

/** The link to an approval in the console (webhooks). */
export function approvalLink(id: string): string {
  return `${publicOrigin().replace(/\/$/, "")}/approvals/${id}`;
}

/**
 * A gateway reports a call it holds for approval. Idempotent per (gateway, requestId): a repeat
 * answers the stored request (created: false); a repeat that differs in the frozen call (params
 * hash, tool call, tool) is a conflict. The params hash must be the hash of the params sent, so
 * the parameters a person sees are the ones the gateway will release. Params are redacted before
 * storage. Audited as the gateway; `approval.requested` goes to subscribed webhooks.
 */
export async function reportApproval(actor: Actor, gatewayId: string, input: TConnectorApproval, now = new Date()): Promise<ReportedApproval> {
  if (paramsHashOf(input.params) !== input.paramsHash) {
    throw new AppError("invalid", "paramsHash is not the SHA-256 of the canonical JSON of params.", { paramsHash: ["Does not match params."] });
  }
  // The reads run at once, outside the transaction (the report is on the approval's critical path).
  const [existing, pending, agent, rule, gateway] = await Promise.all([
    findReported(gatewayId, input),
    db.approvalRequest.count({ where: { gatewayId, status: "pending", expiresAt: { gt: now } } }),
    findAgent(db, gatewayId, input.agentId),
    input.ruleId && UUID.test(input.ruleId) ? db.approvalRule.findUnique({ where: { id: input.ruleId }, select: { id: true } }) : null,
    db.gateway.findUniqueOrThrow({ where: { id: gatewayId }, select: { name: true } }),
  ]);
  if (existing) return existing;
  // A gateway cannot bury approvers (and their webhooks) under held calls.
  if (pending >= MAX_PENDING_PER_GATEWAY) throw new AppError("rate_limited", `This gateway already has ${MAX_PENDING_PER_GATEWAY} calls waiting for approval.`);
  try {
    return await db.$transaction(async (tx) => {
      const expiresAt = new Date(now.getTime() + input.timeoutMs);
      const json = JSON.stringify(input.params);
      const row = await tx.approvalRequest.create({
        data: {
          gatewayId,
          requestId: input.requestId.toLowerCase(),
          toolCallId: input.toolCallId,
          agentId: agent?.id ?? null,
          agentRef: input.agentId,
          sessionKey: input.sessionKey == null ? null : redactString(input.sessionKey),
          runId: input.runId ?? null,
          toolName: input.toolName,
          toolVersion: input.toolVersion ?? null,
          params: JSON.parse(redactedJson(input.params, json)) as Prisma.InputJsonValue,
          paramsHash: input.paramsHash,
          ruleRef: input.ruleId ?? null,
          ruleId: rule?.id ?? null,
          reason: redactString(input.reason),
          timeoutMs: input.timeoutMs,
          ...(input.requester ? { requester: input.requester as Prisma.InputJsonValue } : {}),
          chain: input.chain ?? [],
          tier: input.tier ?? null,
          createdAt: now,
          expiresAt,
        },
        select: { id: true, status: true, expiresAt: true },
      });
      const agentLabel = agent?.name ?? input.agentId;
      const gw = gateway;
      await recordAudit(tx, actor, {
        action: "approval.request",
        targetType: "approval",
        targetId: row.id,
        after: {
          gateway: gw.name,
          agent: agentLabel,
          tool: input.toolName,
          toolVersion: input.toolVersion ?? null,
          toolCallId: input.toolCallId,
          rule: input.ruleId ?? null,
          reason: redactString(input.reason),
          paramsHash: input.paramsHash,
          expiresAt,
          ...(input.chain?.length ? { chain: input.chain } : {}),
        },
      });
      await notify(tx, "approval.requested", `Agent ${agentLabel} on ${gw.name} waits for approval to call ${input.toolName}: ${redactString(input.reason)}`, {
        approvalId: row.id,
        agent: agentLabel,
        gateway: gw.name,
        tool: input.toolName,
        reason: input.reason,
        expiresAt: expiresAt.toISOString(),
        link: approvalLink(row.id),
      });
      return { id: row.id, status: row.status, expiresAt: row.expiresAt, created: true };
    });
  } catch (err) {
    // Two reports of the same requestId at once: the loser answers the winner's row.
    if ((err as { code?: string }).code === "P2002") {
      const again = await findReported(gatewayId, input);
      if (again) return again;
    }
    throw err;
  }
}

async function findReported(gatewayId: string, input: TConnectorApproval): Promise<ReportedApproval | null> {
  const row = await db.approvalRequest.findUnique({
    where: { gatewayId_requestId: { gatewayId, requestId: input.requestId.toLowerCase() } },
    select: { id: true, status: true, expiresAt: true, paramsHash: true, toolCallId: true, toolName: true },
  });
  if (!row) return null;
  if (row.paramsHash !== input.paramsHash || row.toolCallId !== input.toolCallId || row.toolName !== input.toolName) {
    throw new AppError("conflict", "This requestId was already used for a different call.", { requestId: ["Already used for a different call."] });
  }
  const status = row.status === "pending" && row.expiresAt <= new Date() ? "expired" : row.status;
  return { id: row.id, status, expiresAt: row.expiresAt, created: false };
}

/** The Warden agent of a gateway's agent id: by external id, Warden id, then name. */
async function findAgent(tx: Pick<Tx, "agent">, gatewayId: string, ref: string) {
  const or: Prisma.AgentWhereInput[] = [{ externalId: ref }, { name: ref }];
  if (UUID.test(ref)) or.push({ id: ref });
  const found = await tx.agent.findMany({ where: { gatewayId, OR: or }, select: { id: true, name: true, externalId: true } });
  return found.find((a) => a.externalId === ref) ?? found.find((a) => a.id === ref.toLowerCase()) ?? found.find((a) => a.name === ref) ?? null;
}

/**
 * What happened to the call at the gateway (ran, denied, timed out, failed) and how long the agent
 * waited. The first report counts; a repeat of it is a no-op, a different one a conflict.
 */
export async function resolveApproval(actor: Actor, gatewayId: string, id: string, input: TApprovalResolution, now = new Date()) {
  if (!UUID.test(id)) throw new AppError("not_found", "No such approval for this gateway.");
  return db.$transaction(async (tx) => {
    const detail = input.detail === undefined ? null : redactString(input.detail);
    const { count } = await tx.approvalRequest.updateMany({
      where: { id, gatewayId, outcome: null },
      data: { outcome: input.outcome, waitedMs: input.waitedMs, outcomeDetail: detail, resolvedAt: now },
    });
    const row = await tx.approvalRequest.findFirst({ where: { id, gatewayId }, select: { id: true, status: true, outcome: true, waitedMs: true, resolvedAt: true, toolName: true, toolCallId: true } });
    if (!row) throw new AppError("not_found", "No such approval for this gateway.");
    if (count === 0) {
      if (row.outcome !== input.outcome) throw new AppError("conflict", `This approval was already resolved as ${row.outcome}.`, { outcome: [`Already ${row.outcome}.`] });
      return { id: row.id, status: row.status, outcome: row.outcome, waitedMs: row.waitedMs, resolvedAt: row.resolvedAt, repeated: true };
    }
    await recordAudit(tx, actor, {
      action: "approval.resolution",
      targetType: "approval",
      targetId: id,
      after: { outcome: input.outcome, waitedMs: input.waitedMs, detail, tool: row.toolName, toolCallId: row.toolCallId, status: row.status },
    });
    return { id: row.id, status: row.status, outcome: row.outcome, waitedMs: row.waitedMs, resolvedAt: row.resolvedAt, repeated: false };
  });
}

// ───────────────────────────── decisions ─────────────────────────────

const DECIDED_STATUS = { allow_once: "allowed", allow_for: "allowed", deny: "denied" } as const;

/**
 * A person decides a pending approval: allow once, allow this agent this tool for N minutes, or
 * deny, always with a reason. The pending → decided transition is conditional (status pending and
 * not past expiry), so of two people deciding at once exactly one wins and the other gets 409; a
 * decision after expiry is 409 too (and the request is marked expired). The decision goes to the
 * gateway as an `approval_decision` command through the outbox in the same transaction; a grant
 * also refreshes the gateway's policy (it carries the grant).
 */
export async function decideApproval(actor: Actor, input: TApprovalDecision, now = new Date()) {
  const status = DECIDED_STATUS[input.decision];
  const grantUntil = input.decision === "allow_for" ? new Date(now.getTime() + input.minutes! * 60_000) : null;
  // The command's id is chosen here so that the claim also records it: one statement claims the
  // request and returns what the command needs (the decision is on the approval's critical path).
  const commandId = randomUUID();
  const result = await db.$transaction(async (tx) => {
    // Another team's held call is "no such approval" for a team-scoped actor.
    const scope = teamScopeOf(actor);
    if (scope) {
      const agents = await tx.agent.findMany({ where: agentWhereOf(scope), select: { id: true } });
      const visible = await tx.approvalRequest.findFirst({
        where: {
          id: input.id,
          ...approvalWhereOf(
            scope,
            agents.map((a) => a.id),
          ),
        },
        select: { id: true },
      });
      if (!visible) throw new AppError("not_found", "No such approval.");
    }
    const claimed = await tx.$queryRaw<{ gateway_id: string; request_id: string; tool_call_id: string; params_hash: string; tool_name: string; agent_ref: string; gateway_name: string }[]>`
      update approval_requests r
         set status = ${status}::"ApprovalStatus", decision = ${input.decision}, decided_at = ${now}, decided_by_id = ${actor.userId ?? null}::uuid,
             decided_by_label = ${actor.label}, decision_reason = ${input.reason}, grant_until = ${grantUntil}, command_id = ${commandId}::uuid
        from gateways g
       where r.id = ${input.id}::uuid and r.status = 'pending' and r.expires_at > ${now} and g.id = r.gateway_id
      returning r.gateway_id::text, r.request_id, r.tool_call_id, r.params_hash, r.tool_name, r.agent_ref, g.name as gateway_name`;
    const row = claimed[0];
    if (!row) {
      const current = await tx.approvalRequest.findUnique({ where: { id: input.id }, select: { status: true, expiresAt: true, decidedByLabel: true } });
      if (!current) throw new AppError("not_found", "No such approval.");
      if (current.status === "pending" && current.expiresAt <= now) {
        await expireRows(tx, [input.id], now);
        return { expired: true as const };
      }
      return { conflict: current.status, by: current.decidedByLabel };
    }
    await tx.gatewayCommand.create({
      data: {
        id: commandId,
        gatewayId: row.gateway_id,
        type: "approval_decision",
        kind: "apply",
        payload: {
          target: input.id,
          requestId: row.request_id,
          toolCallId: row.tool_call_id,
          decision: input.decision === "deny" ? "deny" : "allow",
          paramsHash: row.params_hash,
          reason: input.reason,
          decidedBy: actor.label,
          ...(grantUntil ? { grantUntil: grantUntil.toISOString(), agentId: row.agent_ref, toolName: row.tool_name } : {}),
        },
      },
      select: { id: true },
    });
    if (grantUntil) await enqueueCommands(tx, { gatewayIds: [row.gateway_id], type: "policy_refresh", payload: { reason: "approval grant" } });
    await recordAudit(tx, actor, {
      action: "approval.decide",
      targetType: "approval",
      targetId: input.id,
      before: { status: "pending" },
      after: { status, decision: input.decision, reason: input.reason, grantUntil, tool: row.tool_name, agent: row.agent_ref, gateway: row.gateway_name, toolCallId: row.tool_call_id, commandId },
    });
    return { ok: true as const, gatewayId: row.gateway_id };
  });
  if ("expired" in result) throw new AppError("conflict", "This approval expired before the decision: the gateway has already denied the call.", { decision: ["Expired."] });
  if ("conflict" in result) throw new AppError("conflict", `This approval was already decided (${result.conflict}${result.by ? ` by ${result.by}` : ""}).`, { decision: ["Already decided."] });
  wakeGateways([result.gatewayId]);
  return { id: input.id, status, decision: input.decision, decidedAt: now, decidedBy: actor.label, decisionReason: input.reason, grantUntil, commandId };
}

// ───────────────────────────── expiry ─────────────────────────────

async function expireRows(tx: Tx, ids: string[], now: Date): Promise<number> {
  if (!ids.length) return 0;
  const rows = await tx.$queryRaw<{ id: string; tool_name: string; agent_ref: string; expires_at: Date }[]>`
    update approval_requests set status = 'expired'
     where id = any(${ids}::uuid[]) and status = 'pending' and expires_at <= ${now}
    returning id::text, tool_name, agent_ref, expires_at`;
  if (rows.length) {
    await recordAuditMany(
      tx,
      rows.map((r) => ({
        actor: SYSTEM_ACTOR,
        input: {
          action: "approval.expire",
          targetType: "approval",
          targetId: r.id,
          before: { status: "pending" },
          after: { status: "expired", tool: r.tool_name, agent: r.agent_ref, expiresAt: r.expires_at },
        },
      })),
    );
  }
  return rows.length;
}

/**
 * Mark pending approvals past their expiry as expired (audited as the system). Runs lazily before
 * every read of the queue and in the background scheduler; the conditional update (and SKIP LOCKED)
 * makes each request expire exactly once however many replicas run it at the same time.
 */
export async function expireApprovals(now = new Date(), limit = 500): Promise<number> {
  const due = await db.approvalRequest.findFirst({ where: { status: "pending", expiresAt: { lte: now } }, select: { id: true } });
  if (!due) return 0;
  return db.$transaction(async (tx) => {
    const ids = await tx.$queryRaw<{ id: string }[]>`
      select id::text from approval_requests where status = 'pending' and expires_at <= ${now}
       order by expires_at limit ${limit} for update skip locked`;
    return expireRows(
      tx,
      ids.map((r) => r.id),
      now,
    );
  });
}

/** Redacted params for display (already redacted at storage; redacted again as everywhere on the way out). */
export const displayParams = (p: unknown) => (p == null ? null : redact(p));
