import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { redact } from "@/lib/redact";
import { normalizeRequester, requesterKey } from "@/lib/people/keys";
import { APPROVAL_STATUSES } from "./schema";
import { expireApprovals, ruleView } from "./service";
import { agentWhereOf, approvalWhereOf, type TeamScope } from "@/lib/teams/scope";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ITEM_SELECT = {
  id: true,
  gatewayId: true,
  requestId: true,
  toolCallId: true,
  agentId: true,
  agentRef: true,
  sessionKey: true,
  runId: true,
  toolName: true,
  toolVersion: true,
  params: true,
  paramsHash: true,
  ruleRef: true,
  reason: true,
  timeoutMs: true,
  status: true,
  createdAt: true,
  expiresAt: true,
  decision: true,
  decidedAt: true,
  decidedByLabel: true,
  decisionReason: true,
  grantUntil: true,
  commandId: true,
  outcome: true,
  waitedMs: true,
  outcomeDetail: true,
  resolvedAt: true,
  requester: true,
  chain: true,
  tier: true,
  gateway: { select: { name: true } },
  rule: { select: { id: true, scope: true, toolName: true, matchPath: true, matchPattern: true, egressNotApproved: true, reason: true, timeoutSeconds: true, enabled: true } },
} as const satisfies Prisma.ApprovalRequestSelect;
type ItemRow = Prisma.ApprovalRequestGetPayload<{ select: typeof ITEM_SELECT }>;

/** The rule in plain words (for the queue: why this call needs approval). */
/** The identity rule a held call names: the plugin reports "identity:<uuid>" (a bare uuid is accepted too). */
function identityRuleIdOf(ruleRef: string | null): string | undefined {
  const id = ruleRef?.replace(/^identity:/, "");
  return id && UUID.test(id) ? id.toLowerCase() : undefined;
}

function ruleText(r: ItemRow["rule"], ruleRef: string | null): string {
  if (!r) return ruleRef?.startsWith("containment:") ? "require_approval containment of the tool" : "a rule of the gateway's policy";
  const who = r.scope === "tool" ? "every agent" : "this agent";
  if (r.egressNotApproved) return `${r.toolName} by ${who} with a URL outside the agent's approved data flows`;
  if (r.matchPath && r.matchPattern) return `${r.toolName} by ${who} when ${r.matchPath} matches /${r.matchPattern}/`;
  return `every ${r.toolName} call by ${who}`;
}

/** "who asked" in words: the directory's person for the requester key, else channel and sender as the gateway reported them. */
function requesterText(r: ItemRow, people: Map<string, string>): string | null {
  const req = normalizeRequester(r.requester);
  if (!req) return null;
  const key = requesterKey(req);
  const name = key ? people.get(key) : undefined;
  const raw = [req.channel, req.senderId].filter(Boolean).join(":");
  return name ? `${name} (${raw})` : `${raw} (not in the directory)`;
}

function itemView(
  r: ItemRow,
  agentNames: Map<string, string>,
  people: Map<string, string>,
  identityRules: Map<string, string>,
  delivery?: { state: string; deliveredAt: Date | null; ackedAt: Date | null },
) {
  return {
    id: r.id,
    status: r.status,
    gatewayId: r.gatewayId,
    gatewayName: r.gateway.name,
    agentId: r.agentId,
    agentName: (r.agentId && agentNames.get(r.agentId)) || r.agentRef,
    agentRef: r.agentRef,
    sessionKey: r.sessionKey,
    runId: r.runId,
    toolCallId: r.toolCallId,
    requestId: r.requestId,
    toolName: r.toolName,
    toolVersion: r.toolVersion,
    // Stored redacted; redacted again on the way out, as every read of tool-call parameters.
    params: r.params == null ? null : redact(r.params),
    paramsHash: r.paramsHash,
    reason: r.reason,
    ruleId: r.rule?.id ?? null,
    ruleRef: r.ruleRef,
    ruleText: (!r.rule && identityRules.get(identityRuleIdOf(r.ruleRef) ?? "")) || ruleText(r.rule, r.ruleRef),
    timeoutMs: r.timeoutMs,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    decision: r.decision,
    decidedAt: r.decidedAt,
    decidedBy: r.decidedByLabel,
    decisionReason: r.decisionReason,
    grantUntil: r.grantUntil,
    delivery: delivery ? { state: delivery.state, deliveredAt: delivery.deliveredAt, ackedAt: delivery.ackedAt } : null,
    outcome: r.outcome,
    waitedMs: r.waitedMs,
    outcomeDetail: r.outcomeDetail,
    resolvedAt: r.resolvedAt,
    requester: requesterText(r, people),
    chain: r.chain ?? [],
    tier: r.tier,
  };
}
export type ApprovalView = ReturnType<typeof itemView>;

async function shape(rows: ItemRow[]): Promise<ApprovalView[]> {
  const agentIds = [...new Set(rows.flatMap((r) => (r.agentId ? [r.agentId] : [])))];
  const commandIds = rows.flatMap((r) => (r.commandId ? [r.commandId] : []));
  const keys = [...new Set(rows.flatMap((r) => requesterKey(normalizeRequester(r.requester)) ?? []))];
  // A call held by a per-person rule (lib/identity-policy) names that rule's id.
  const identityRuleIds = [...new Set(rows.flatMap((r) => (!r.rule && identityRuleIdOf(r.ruleRef) ? [identityRuleIdOf(r.ruleRef)!] : [])))];
  const [agents, commands, identities, heldBy] = await Promise.all([
    agentIds.length ? db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } }) : [],
    commandIds.length ? db.gatewayCommand.findMany({ where: { id: { in: commandIds } }, select: { id: true, state: true, deliveredAt: true, ackedAt: true } }) : [],
    keys.length ? db.personIdentity.findMany({ where: { key: { in: keys } }, select: { key: true, person: { select: { displayName: true } } } }) : [],
    identityRuleIds.length
      ? db.identityRule.findMany({
          where: { id: { in: identityRuleIds } },
          select: { id: true, subject: true, toolName: true, person: { select: { displayName: true } }, group: { select: { name: true } }, agent: { select: { name: true } } },
        })
      : [],
  ]);
  const identityRules = new Map(
    heldBy.map((x) => {
      const who =
        x.subject === "person" ? (x.person?.displayName ?? "a person") : x.subject === "group" ? `group ${x.group?.name ?? ""}` : x.subject === "unidentified" ? "no provable requester" : "anyone";
      return [x.id, `per-person rule: ${who} × ${x.agent?.name ?? "every agent"} × ${x.toolName ?? "every tool"}`];
    }),
  );
  const people = new Map(identities.map((i) => [i.key, i.person.displayName]));
  const names = new Map(agents.map((a) => [a.id, a.name]));
  const byCommand = new Map(commands.map((c) => [c.id, c]));
  return rows.map((r) => itemView(r, names, people, identityRules, r.commandId ? byCommand.get(r.commandId) : undefined));
}

export type ApprovalQuery = { status: (typeof APPROVAL_STATUSES)[number] | "all"; limit: number; recentCalls: boolean };

/** ?status=pending|allowed|denied|expired|all&limit=1..200&recentCalls=1 (default pending, 100, without recent calls). */
export function parseApprovalQuery(params: URLSearchParams): ApprovalQuery {
  const status = params.get("status") ?? "pending";
  const limitRaw = params.get("limit") ?? "100";
  const recent = params.get("recentCalls") ?? "0";
  const errors: Record<string, string[]> = {};
  if (status !== "all" && !(APPROVAL_STATUSES as readonly string[]).includes(status)) errors.status = [`One of: all, ${APPROVAL_STATUSES.join(", ")}.`];
  if (!/^\d{1,3}$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > 200) errors.limit = ["1 to 200."];
  if (recent !== "0" && recent !== "1") errors.recentCalls = ["0 or 1."];
  if (Object.keys(errors).length) throw new AppError("invalid", "Invalid query.", errors);
  return { status: status as ApprovalQuery["status"], limit: Number(limitRaw), recentCalls: recent === "1" };
}

export type RecentCall = Awaited<ReturnType<typeof recentCalls>>[number];

/**
 * Approvals, newest first (pending ones soonest-to-expire first). Pending requests past their
 * expiry are marked expired first, so the queue never offers a decision that can no longer count.
 */
/** The held calls a scope may see (see approvalWhereOf). */
export async function scopedApprovalWhere(scope: TeamScope): Promise<Prisma.ApprovalRequestWhereInput> {
  if (!scope) return {};
  const agents = await db.agent.findMany({ where: agentWhereOf(scope), select: { id: true } });
  return approvalWhereOf(
    scope,
    agents.map((a) => a.id),
  );
}

export async function listApprovals(q: ApprovalQuery, now = new Date(), scope: TeamScope = null): Promise<ApprovalView[]> {
  await expireApprovals(now);
  const rows = await db.approvalRequest.findMany({
    where: { ...(q.status === "all" ? {} : { status: q.status }), ...(await scopedApprovalWhere(scope)) },
    orderBy: q.status === "pending" ? [{ expiresAt: "asc" }, { id: "asc" }] : [{ createdAt: "desc" }, { id: "asc" }],
    take: q.limit,
    select: ITEM_SELECT,
  });
  return shape(rows);
}

/** One approval, with the agent's recent calls (metadata only) for context. */
export async function getApproval(id: string, now = new Date(), scope: TeamScope = null) {
  if (!UUID.test(id)) return null;
  await expireApprovals(now);
  const row = await db.approvalRequest.findFirst({ where: { id, ...(await scopedApprovalWhere(scope)) }, select: ITEM_SELECT });
  if (!row) return null;
  const [view] = await shape([row]);
  return { ...view, recentCalls: await recentCalls(row, now) };
}

/** The agent's last calls on that gateway (the day before the request), without parameters. */
async function recentCalls(row: ItemRow, now: Date) {
  const calls = await db.toolCall.findMany({
    where: { gatewayId: row.gatewayId, occurredAt: { gte: new Date(row.createdAt.getTime() - 86_400_000), lte: now }, ...(row.agentId ? { agentId: row.agentId } : { agentName: row.agentRef }) },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: 10,
    select: { id: true, occurredAt: true, toolName: true, decision: true, blockReason: true },
  });
  return calls.map((c) => ({ id: c.id.toString(), occurredAt: c.occurredAt, toolName: c.toolName, decision: c.decision, blockReason: c.blockReason }));
}

/** Approvals with each one's recent calls of the agent (the queue page and its live refresh). */
export async function listApprovalsWithCalls(q: ApprovalQuery, now = new Date(), scope: TeamScope = null) {
  const items = await listApprovals(q, now, scope);
  return Promise.all(items.map(async (p) => ({ ...p, recentCalls: await recentCalls({ gatewayId: p.gatewayId, createdAt: p.createdAt, agentId: p.agentId, agentRef: p.agentRef } as ItemRow, now) })));
}

/** Every approval rule (newest first). */
export async function listApprovalRules() {
  const rows = await db.approvalRule.findMany({
    orderBy: [{ enabled: "desc" }, { createdAt: "desc" }],
    select: {
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
    },
  });
  return rows.map(ruleView);
}

/**
 * The tool-call ids an event id may stand for: itself, without a `.decision` / `.result` style
 * suffix, and, for the plugin's call keys `<toolCallId>@<runId>`, the gateway's own toolCallId.
 */
export function toolCallIdsOf(eventId: string): string[] {
  const out = [eventId];
  const m = /^(.+)\.[a-z_]{1,20}$/.exec(eventId);
  const key = m ? m[1] : eventId;
  if (m) out.push(key);
  const at = key.lastIndexOf("@");
  if (at > 0) out.push(key.slice(0, at));
  return out;
}

/** The run a plugin call key names (`<toolCallId>@<runId>`, the run id cut to 64 characters), if any. */
function runOfKey(eventId: string): string | null {
  const key = eventId.replace(/\.[a-z_]{1,20}$/, "");
  const at = key.lastIndexOf("@");
  return at > 0 ? key.slice(at + 1) : null;
}

/**
 * The approvals of one tool call, by gateway and tool-call id (the explorer's record of a call:
 * who approved, when, how long the agent waited). Events name a call by its toolCallId, or by
 * `<toolCallId>.<phase>`.
 */
export async function approvalsForToolCall(gatewayId: string, eventId: string) {
  const rows = await db.approvalRequest.findMany({
    where: { gatewayId, toolCallId: { in: toolCallIdsOf(eventId) } },
    orderBy: { createdAt: "asc" },
    take: 10,
    select: {
      runId: true,
      id: true,
      status: true,
      decision: true,
      createdAt: true,
      decidedAt: true,
      decidedByLabel: true,
      decisionReason: true,
      grantUntil: true,
      reason: true,
      outcome: true,
      waitedMs: true,
      resolvedAt: true,
    },
  });
  // Models reuse call ids across runs ("call_0"): when the key names a run, only that run's approvals.
  const run = runOfKey(eventId);
  return rows.filter((r) => !run || !r.runId || r.runId.slice(0, 64) === run).map(({ decidedByLabel, runId: _run, ...r }) => (void _run, { ...r, decidedBy: decidedByLabel }));
}
