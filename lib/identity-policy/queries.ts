import "server-only";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { teamScopeOf } from "@/lib/teams/scope";
import type { Prisma } from "@/lib/generated/prisma/client";
import { LIMIT_SELECT, RULE_SELECT, limitView, ruleView, type IdentityRuleView, type RateLimitView } from "./service";

/**
 * What a team-scoped actor sees: rules for their team's agents, and rules for every agent about
 * people and groups of their team or of none (those reach their agents too). Fleet-wide: all.
 */
function visibleWhere(actor: Actor): Prisma.IdentityRuleWhereInput & Prisma.RateLimitRuleWhereInput {
  const scope = teamScopeOf(actor);
  if (!scope) return {};
  const ownOrNone = (rel: "person" | "group") => ({ OR: [{ [`${rel}Id`]: null }, { [rel]: { teamId: scope.teamId } }, { [rel]: { teamId: null } }] });
  return { OR: [{ agent: { teamId: scope.teamId } }, { AND: [{ agentId: null }, ownOrNone("person"), ownOrNone("group")] }] };
}

const ORDER = [{ subject: "asc" as const }, { createdAt: "asc" as const }, { id: "asc" as const }];

/** Identity rules the actor may see, most specific subject first. */
export async function listIdentityRules(actor: Actor): Promise<IdentityRuleView[]> {
  const rows = await db.identityRule.findMany({ where: visibleWhere(actor), orderBy: ORDER, select: RULE_SELECT, take: 2000 });
  return rows.map(ruleView);
}

/** One rule, or null when it does not exist or is outside the actor's team. */
export async function getIdentityRule(actor: Actor, id: string): Promise<IdentityRuleView | null> {
  const row = await db.identityRule.findFirst({ where: { AND: [{ id }, visibleWhere(actor)] }, select: RULE_SELECT });
  return row ? ruleView(row) : null;
}

/** Rate limits the actor may see. */
export async function listRateLimits(actor: Actor): Promise<RateLimitView[]> {
  const rows = await db.rateLimitRule.findMany({ where: visibleWhere(actor), orderBy: ORDER, select: LIMIT_SELECT, take: 2000 });
  return rows.map(limitView);
}

/** One rate limit, or null. */
export async function getRateLimit(actor: Actor, id: string): Promise<RateLimitView | null> {
  const row = await db.rateLimitRule.findFirst({ where: { AND: [{ id }, visibleWhere(actor)] }, select: LIMIT_SELECT });
  return row ? limitView(row) : null;
}

/** The people, groups and agents the rule forms offer (a scoped actor: their team's, and those of no team). */
export async function listRuleChoices(actor: Actor) {
  const scope = teamScopeOf(actor);
  const team = scope ? { OR: [{ teamId: scope.teamId }, { teamId: null }] } : {};
  const [people, groups, agents] = await Promise.all([
    db.person.findMany({ where: { ...team, disabledAt: null }, orderBy: { displayName: "asc" }, select: { id: true, displayName: true }, take: 2000 }),
    db.personGroup.findMany({ where: team, orderBy: { name: "asc" }, select: { id: true, name: true }, take: 2000 }),
    db.agent.findMany({ where: scope ? { teamId: scope.teamId } : {}, orderBy: { name: "asc" }, select: { id: true, name: true, externalId: true }, take: 2000 }),
  ]);
  return {
    people: people.map((p) => ({ id: p.id, name: p.displayName })),
    groups,
    agents: agents.map((a) => ({ id: a.id, name: a.name, externalId: a.externalId ?? a.name })),
  };
}
