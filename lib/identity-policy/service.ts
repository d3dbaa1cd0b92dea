import "server-only";
import { db, isUniqueViolation, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { teamScopeOf } from "@/lib/teams/scope";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { IdentitySubjectName, TIdentityRuleCreate, TIdentityRuleUpdate, TRateLimitCreate, TRateLimitUpdate } from "./schema";

/** What rules and limits share: the subject × agent × tool they name, why, and who wrote them. */
const SUBJECT_SELECT = {
  id: true,
  subject: true,
  personId: true,
  groupId: true,
  agentId: true,
  toolName: true,
  reason: true,
  createdBy: true,
  createdAt: true,
  person: { select: { displayName: true, teamId: true } },
  group: { select: { name: true, teamId: true } },
  agent: { select: { name: true, externalId: true, teamId: true, gatewayId: true } },
} as const;

export const RULE_SELECT = { ...SUBJECT_SELECT, effect: true, timeoutSeconds: true } as const satisfies Prisma.IdentityRuleSelect;

export const LIMIT_SELECT = { ...SUBJECT_SELECT, tier: true, perMinute: true, shared: true } as const satisfies Prisma.RateLimitRuleSelect;

type RuleRow = Prisma.IdentityRuleGetPayload<{ select: typeof RULE_SELECT }>;
type LimitRow = Prisma.RateLimitRuleGetPayload<{ select: typeof LIMIT_SELECT }>;

const subjectView = (r: RuleRow | LimitRow) => ({
  subject: r.subject,
  personId: r.personId,
  personName: r.person?.displayName ?? null,
  groupId: r.groupId,
  groupName: r.group?.name ?? null,
  agentId: r.agentId,
  agentName: r.agent?.name ?? null,
  toolName: r.toolName,
});

/** A rule as the console and the API show it. */
export function ruleView(r: RuleRow) {
  return { id: r.id, ...subjectView(r), effect: r.effect, timeoutSeconds: r.timeoutSeconds, reason: r.reason, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() };
}
export type IdentityRuleView = ReturnType<typeof ruleView>;

/** A rate limit as the console and the API show it. */
export function limitView(r: LimitRow) {
  return { id: r.id, ...subjectView(r), tier: r.tier, perMinute: r.perMinute, shared: r.shared, reason: r.reason, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() };
}
export type RateLimitView = ReturnType<typeof limitView>;

/** "finance × ledger-agent × payments.send" for audit rows and messages. */
function describe(v: ReturnType<typeof subjectView>): Record<string, unknown> {
  return { subject: v.subject, person: v.personName, group: v.groupName, agent: v.agentName ?? "every agent", tool: v.toolName ?? "every tool" };
}

type Subject = { subject: IdentitySubjectName; personId?: string | null; groupId?: string | null; agentId?: string | null };

/**
 * The subject and agent a rule names must exist, and a team-scoped actor (lib/teams/scope.ts) may
 * only write rules for an agent of their team (a rule for every agent reaches other teams' agents),
 * about people and groups of their team or of none.
 */
async function checkReferences(tx: Tx, actor: Actor, v: Subject) {
  const [person, group, agent] = await Promise.all([
    v.personId ? tx.person.findUnique({ where: { id: v.personId }, select: { teamId: true } }) : null,
    v.groupId ? tx.personGroup.findUnique({ where: { id: v.groupId }, select: { teamId: true } }) : null,
    v.agentId ? tx.agent.findUnique({ where: { id: v.agentId }, select: { teamId: true } }) : null,
  ]);
  const errors: Record<string, string[]> = {};
  if (v.personId && !person) errors.personId = ["Unknown person."];
  if (v.groupId && !group) errors.groupId = ["Unknown group."];
  if (v.agentId && !agent) errors.agentId = ["Unknown agent."];
  if (Object.keys(errors).length) throw new AppError("invalid", "Some fields are not valid.", errors);
  checkTeam(actor, { agentTeamId: v.agentId ? (agent?.teamId ?? null) : undefined, personTeamId: person?.teamId ?? null, groupTeamId: group?.teamId ?? null });
}

/** agentTeamId undefined: the rule names no agent. */
function checkTeam(actor: Actor, t: { agentTeamId: string | null | undefined; personTeamId: string | null; groupTeamId: string | null }) {
  const scope = teamScopeOf(actor);
  if (!scope) return;
  if (t.agentTeamId === undefined) throw new AppError("forbidden", "Your team scope allows rules for your team's agents only: choose an agent.", { agentId: ["Choose an agent of your team."] });
  if (t.agentTeamId !== scope.teamId) throw new AppError("forbidden", "This agent belongs to another team.", { agentId: ["Not an agent of your team."] });
  if (t.personTeamId && t.personTeamId !== scope.teamId) throw new AppError("forbidden", "This person belongs to another team.", { personId: ["Not a person of your team."] });
  if (t.groupTeamId && t.groupTeamId !== scope.teamId) throw new AppError("forbidden", "This group belongs to another team.", { groupId: ["Not a group of your team."] });
}

/** A stored rule may be changed by a scoped actor only when it is within their team (404 otherwise: it is not theirs to see). */
function checkTeamOfRow(actor: Actor, r: RuleRow | LimitRow, what: string) {
  const scope = teamScopeOf(actor);
  if (scope && (!r.agent || r.agent.teamId !== scope.teamId)) throw new AppError("not_found", `No such ${what}.`);
}

const DUPLICATE_RULE = "A rule for this subject, agent and tool exists: change it instead.";
const DUPLICATE_LIMIT = "A limit for this subject, agent, tool and tier exists: change it instead.";
function duplicateErrors(v: Subject, extra: Record<string, string[]> = {}): Record<string, string[]> {
  const e = { toolName: ["Already has a rule for this subject and agent."], agentId: ["Already has a rule for this subject and tool."], ...extra };
  if (v.subject === "person") return { ...e, personId: ["Already has a rule."] };
  if (v.subject === "group") return { ...e, groupId: ["Already has a rule."] };
  return { ...e, subject: ["Already has a rule."] };
}

/** Run a mutation; a unique violation (two racing creates of the same rule) is the same 409 as the pre-check. */
async function guarded<T>(run: () => Promise<T>, conflict: () => AppError): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isUniqueViolation(err) || (err as { cause?: { code?: string } })?.cause?.code === "23505") throw conflict();
    // The person, group or agent was deleted between the check and the insert.
    if ((err as { code?: string })?.code === "P2003") throw new AppError("invalid", "The person, group or agent this rule names no longer exists.");
    throw err;
  }
}

const sameKey = (v: Subject & { toolName?: string | null }) => ({
  subject: v.subject,
  personId: v.personId ?? null,
  groupId: v.groupId ?? null,
  agentId: v.agentId ?? null,
  toolName: v.toolName ?? null,
});

// ───────────────────────────── identity rules ─────────────────────────────
// The policy refresh of a rule or limit is the database trigger's (warden_policy_identity_rows: the
// gateways of the agents of the old and new rows, every gateway for a rule naming no agent), in the
// statement that writes the row. The services add no second refresh: a transaction that enqueued
// its agent's gateway and then every identity gateway locked them in two orders, and concurrent
// rule changes deadlocked on each other's gateways (lib/db-transaction.test.ts).

/** Create a rule: the subject may (allow), may not (deny) or must wait for a person (require_approval) to use the agent × tool. */
export async function createIdentityRule(actor: Actor, input: TIdentityRuleCreate): Promise<IdentityRuleView> {
  const conflict = () => new AppError("conflict", DUPLICATE_RULE, duplicateErrors(input));
  return guarded(
    () =>
      db.$transaction(async (tx) => {
        await checkReferences(tx, actor, input);
        if (await tx.identityRule.findFirst({ where: sameKey(input), select: { id: true } })) throw conflict();
        const row = await tx.identityRule.create({
          data: {
            ...sameKey(input),
            effect: input.effect,
            timeoutSeconds: input.effect === "require_approval" ? (input.timeoutSeconds ?? null) : null,
            reason: input.reason,
            createdById: actor.userId ?? null,
            createdBy: actor.label,
          },
          select: RULE_SELECT,
        });
        const view = ruleView(row);
        await recordAudit(tx, actor, {
          action: "identity_rule.create",
          targetType: "identity_rule",
          targetId: row.id,
          after: { ...describe(view), effect: view.effect, timeoutSeconds: view.timeoutSeconds, reason: view.reason },
        });
        return view;
      }),
    conflict,
  );
}

/** Change a rule's effect, approval timeout or reason. */
export async function updateIdentityRule(actor: Actor, input: TIdentityRuleUpdate): Promise<IdentityRuleView> {
  return db.$transaction(async (tx) => {
    // Lock the row: two concurrent edits are applied one after the other, each audited against what it replaced.
    await tx.$queryRaw`select id from identity_rules where id = ${input.id}::uuid for update`;
    const before = await tx.identityRule.findUnique({ where: { id: input.id }, select: RULE_SELECT });
    if (!before) throw new AppError("not_found", "No such rule.");
    checkTeamOfRow(actor, before, "rule");
    const effect = input.effect ?? before.effect;
    if (effect !== "require_approval" && input.timeoutSeconds != null) throw new AppError("invalid", "Some fields are not valid.", { timeoutSeconds: ["Only for require_approval."] });
    const timeoutSeconds = effect !== "require_approval" ? null : input.timeoutSeconds !== undefined ? input.timeoutSeconds : before.timeoutSeconds;
    const row = await tx.identityRule.update({ where: { id: input.id }, data: { effect, timeoutSeconds, ...(input.reason !== undefined ? { reason: input.reason } : {}) }, select: RULE_SELECT });
    const [b, a] = [ruleView(before), ruleView(row)];
    await recordAudit(tx, actor, {
      action: "identity_rule.update",
      targetType: "identity_rule",
      targetId: row.id,
      before: { effect: b.effect, timeoutSeconds: b.timeoutSeconds, reason: b.reason },
      after: { ...describe(a), effect: a.effect, timeoutSeconds: a.timeoutSeconds, reason: a.reason },
    });
    return a;
  });
}

/** Delete a rule (the gateways stop enforcing it with their next policy, pushed at once). */
export async function deleteIdentityRule(actor: Actor, input: { id: string }): Promise<{ id: string; deleted: boolean }> {
  return db.$transaction(async (tx) => {
    const before = await tx.identityRule.findUnique({ where: { id: input.id }, select: RULE_SELECT });
    if (!before) throw new AppError("not_found", "No such rule.");
    checkTeamOfRow(actor, before, "rule");
    // The delete trigger refreshes the gateways the row reached (from the deleted row itself).
    // deleteMany: of two racing deletes, one removes the row and audits; the other finds nothing.
    const { count } = await tx.identityRule.deleteMany({ where: { id: input.id } });
    if (count === 0) throw new AppError("not_found", "No such rule.");
    const v = ruleView(before);
    await recordAudit(tx, actor, {
      action: "identity_rule.delete",
      targetType: "identity_rule",
      targetId: v.id,
      before: { ...describe(v), effect: v.effect, timeoutSeconds: v.timeoutSeconds, reason: v.reason },
    });
    return { id: v.id, deleted: true };
  });
}

// ───────────────────────────── rate limits ─────────────────────────────

/** Create a rate limit: at most perMinute allowed calls in any 60 s for each person it covers. */
export async function createRateLimit(actor: Actor, input: TRateLimitCreate): Promise<RateLimitView> {
  const conflict = () => new AppError("conflict", DUPLICATE_LIMIT, duplicateErrors(input, { tier: ["Already has a limit for this tier."] }));
  return guarded(
    () =>
      db.$transaction(async (tx) => {
        await checkReferences(tx, actor, input);
        if (await tx.rateLimitRule.findFirst({ where: { ...sameKey(input), tier: input.tier ?? null }, select: { id: true } })) throw conflict();
        const row = await tx.rateLimitRule.create({
          data: { ...sameKey(input), tier: input.tier ?? null, perMinute: input.perMinute, shared: input.shared, reason: input.reason, createdById: actor.userId ?? null, createdBy: actor.label },
          select: LIMIT_SELECT,
        });
        const view = limitView(row);
        await recordAudit(tx, actor, {
          action: "rate_limit.create",
          targetType: "rate_limit",
          targetId: row.id,
          after: { ...describe(view), tier: view.tier, perMinute: view.perMinute, shared: view.shared, reason: view.reason },
        });
        return view;
      }),
    conflict,
  );
}

/** Change a limit's rate, sharing or reason. */
export async function updateRateLimit(actor: Actor, input: TRateLimitUpdate): Promise<RateLimitView> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`select id from rate_limit_rules where id = ${input.id}::uuid for update`;
    const before = await tx.rateLimitRule.findUnique({ where: { id: input.id }, select: LIMIT_SELECT });
    if (!before) throw new AppError("not_found", "No such rate limit.");
    checkTeamOfRow(actor, before, "rate limit");
    const row = await tx.rateLimitRule.update({
      where: { id: input.id },
      data: {
        ...(input.perMinute !== undefined ? { perMinute: input.perMinute } : {}),
        ...(input.shared !== undefined ? { shared: input.shared } : {}),
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
      },
      select: LIMIT_SELECT,
    });
    const [b, a] = [limitView(before), limitView(row)];
    await recordAudit(tx, actor, {
      action: "rate_limit.update",
      targetType: "rate_limit",
      targetId: row.id,
      before: { perMinute: b.perMinute, shared: b.shared, reason: b.reason },
      after: { ...describe(a), tier: a.tier, perMinute: a.perMinute, shared: a.shared, reason: a.reason },
    });
    return a;
  });
}

/** Delete a rate limit; its Warden-side counts go with it. */
export async function deleteRateLimit(actor: Actor, input: { id: string }): Promise<{ id: string; deleted: boolean }> {
  return db.$transaction(async (tx) => {
    const before = await tx.rateLimitRule.findUnique({ where: { id: input.id }, select: LIMIT_SELECT });
    if (!before) throw new AppError("not_found", "No such rate limit.");
    checkTeamOfRow(actor, before, "rate limit");
    const { count } = await tx.rateLimitRule.deleteMany({ where: { id: input.id } });
    if (count === 0) throw new AppError("not_found", "No such rate limit.");
    await tx.rateLimitCount.deleteMany({ where: { ruleId: input.id } });
    const v = limitView(before);
    await recordAudit(tx, actor, {
      action: "rate_limit.delete",
      targetType: "rate_limit",
      targetId: v.id,
      before: { ...describe(v), tier: v.tier, perMinute: v.perMinute, shared: v.shared, reason: v.reason },
    });
    return { id: v.id, deleted: true };
  });
}
