import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { teamScopeOf } from "@/lib/teams/scope";
import { CSV_MAX_ROWS, parseListQuery, skipTake, sortKey, textContains } from "@/lib/list";

export const PEOPLE_FILTERS = {
  status: z.enum(["active", "disabled"]).optional(),
  group: z.uuid().optional(),
  team: z.uuid().optional(),
};
const SORTS = ["displayName", "email", "createdAt"] as const;

export function parsePeopleQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, PEOPLE_FILTERS);
}
type Q = ReturnType<typeof parsePeopleQuery>["query"];

/** The rows of the actor's team only (people.team_id), or every row for a fleet-wide actor. */
const teamWhere = (actor: Actor) => {
  const scope = teamScopeOf(actor);
  return scope ? { teamId: scope.teamId } : {};
};

/** When each person last asked an agent for a call (one indexed probe per person). */
async function lastCalls(ids: string[], actor: Actor): Promise<Map<string, Date>> {
  if (!ids.length) return new Map();
  const scope = teamScopeOf(actor);
  const rows = await db.$queryRaw<{ id: string; at: Date | null }[]>`
    select p.id::text as id, (select max(t.occurred_at) from tool_calls t where t.person_id = p.id ${scope ? Prisma.sql`and t.team_id = ${scope.teamId}::uuid` : Prisma.empty}) as at
      from unnest(${ids}::uuid[]) as p(id)`;
  return new Map(rows.flatMap((r) => (r.at ? [[r.id, r.at] as const] : [])));
}

/** A page of the directory (server-side search over name, email and sender ids; filters; sort). */
export async function listPeoplePage(actor: Actor, q: Q, opts: { all?: boolean } = {}) {
  const where: Prisma.PersonWhereInput = {
    ...teamWhere(actor),
    ...(q.status === "active" ? { disabledAt: null } : q.status === "disabled" ? { disabledAt: { not: null } } : {}),
    ...(q.group ? { groups: { some: { groupId: q.group } } } : {}),
    ...(q.team ? { AND: [{ teamId: q.team }] } : {}),
    ...(q.q ? { OR: [{ displayName: textContains(q.q) }, { email: textContains(q.q) }, { identities: { some: { senderId: textContains(q.q) } } }] } : {}),
  };
  const sort = sortKey(q.sort, SORTS, "displayName");
  const [rows, total] = await Promise.all([
    db.person.findMany({
      where,
      orderBy: [{ [sort]: q.dir }, { displayName: "asc" }, { id: "asc" }] as Prisma.PersonOrderByWithRelationInput[],
      ...(opts.all ? { skip: 0, take: CSV_MAX_ROWS } : skipTake(q)),
      select: {
        id: true,
        displayName: true,
        email: true,
        disabledAt: true,
        team: { select: { id: true, name: true } },
        user: { select: { id: true, email: true } },
        identities: { orderBy: [{ channel: "asc" }, { senderId: "asc" }], select: { id: true, channel: true, accountId: true, senderId: true } },
        groups: { orderBy: { group: { name: "asc" } }, select: { group: { select: { id: true, name: true } } } },
      },
    }),
    db.person.count({ where }),
  ]);
  const last = await lastCalls(
    rows.map((r) => r.id),
    actor,
  );
  return {
    total,
    page: q.page,
    pageSize: q.pageSize,
    rows: rows.map(({ groups, ...p }) => ({ ...p, groups: groups.map((g) => g.group), lastCallAt: last.get(p.id) ?? null })),
  };
}

/** One person with identities, groups and the calls they asked for most recently. */
export async function getPerson(actor: Actor, id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const p = await db.person.findFirst({
    where: { id, ...teamWhere(actor) },
    select: {
      id: true,
      displayName: true,
      email: true,
      disabledAt: true,
      createdAt: true,
      updatedAt: true,
      team: { select: { id: true, name: true } },
      user: { select: { id: true, email: true, name: true } },
      identities: { orderBy: [{ channel: "asc" }, { senderId: "asc" }], select: { id: true, channel: true, accountId: true, senderId: true, createdAt: true } },
      groups: { orderBy: { group: { name: "asc" } }, select: { group: { select: { id: true, name: true } } } },
    },
  });
  if (!p) return null;
  const scope = teamScopeOf(actor);
  const calls = await db.toolCall.findMany({
    where: { personId: p.id, ...(scope ? { teamId: scope.teamId } : {}) },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: 20,
    select: { id: true, occurredAt: true, agentId: true, agentName: true, toolName: true, decision: true, chain: true },
  });
  const { groups, ...rest } = p;
  return { ...rest, groups: groups.map((g) => g.group), recentCalls: calls.map((c) => ({ ...c, id: c.id.toString() })) };
}

/** Groups with their member counts. */
export async function listGroups(actor: Actor) {
  const rows = await db.personGroup.findMany({
    where: teamWhere(actor),
    orderBy: { name: "asc" },
    take: 1000,
    select: { id: true, name: true, description: true, team: { select: { id: true, name: true } }, _count: { select: { members: true } } },
  });
  return rows.map(({ _count, ...g }) => ({ ...g, memberCount: _count.members }));
}

/** One group with its members. */
export async function getGroup(actor: Actor, id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const g = await db.personGroup.findFirst({
    where: { id, ...teamWhere(actor) },
    select: {
      id: true,
      name: true,
      description: true,
      team: { select: { id: true, name: true } },
      createdAt: true,
      members: { orderBy: { person: { displayName: "asc" } }, select: { person: { select: { id: true, displayName: true, email: true, disabledAt: true } } } },
    },
  });
  if (!g) return null;
  const { members, ...rest } = g;
  // A team-scoped actor sees only members of their team (a fleet-wide group may hold others).
  const scope = teamScopeOf(actor);
  const visible = scope ? await db.person.findMany({ where: { id: { in: members.map((m) => m.person.id) }, teamId: scope.teamId }, select: { id: true } }) : null;
  const ok = visible ? new Set(visible.map((v) => v.id)) : null;
  return { ...rest, members: members.map((m) => m.person).filter((p) => !ok || ok.has(p.id)) };
}

/** People the actor may pick (membership, explorer filter). */
export function personOptions(actor: Actor) {
  return db.person.findMany({ where: teamWhere(actor), orderBy: { displayName: "asc" }, take: 2000, select: { id: true, displayName: true } });
}

/** Teams and console users for the person form (a team-scoped actor: their own team and its users). */
export async function personFormOptions(actor: Actor) {
  const scope = teamScopeOf(actor);
  const [teams, users] = await Promise.all([
    db.team.findMany({ where: scope ? { id: scope.teamId } : {}, orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.user.findMany({ where: scope ? { teamId: scope.teamId } : {}, orderBy: { email: "asc" }, take: 2000, select: { id: true, email: true } }),
  ]);
  return { teams, users };
}
