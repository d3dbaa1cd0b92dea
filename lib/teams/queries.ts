import "server-only";
import { db } from "@/lib/db";
import { agentWhereOf, findingWhereOf, gatewayWhereOf, toolCallWhereOf, type TeamScope } from "./scope";

/** Every team with how many agents, gateways and users it holds (a scoped user: only their own). */
export function listTeams(scope: TeamScope = null) {
  return db.team.findMany({
    where: scope ? { id: scope.teamId } : {},
    orderBy: { name: "asc" },
    select: { id: true, name: true, description: true, createdAt: true, _count: { select: { agents: true, gateways: true, users: true } } },
  });
}

/** Team choices for a form: id and name only. */
export function teamOptions(scope: TeamScope = null) {
  return db.team.findMany({ where: scope ? { id: scope.teamId } : {}, orderBy: { name: "asc" }, select: { id: true, name: true } });
}

/** One team with its agents, gateways and users. */
export function getTeam(id: string) {
  return db.team.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      agents: { orderBy: { name: "asc" }, select: { id: true, name: true, status: true, owner: true } },
      gateways: { orderBy: { name: "asc" }, select: { id: true, name: true, environment: true } },
      users: { orderBy: { email: "asc" }, select: { id: true, email: true, name: true, role: true, disabledAt: true } },
    },
  });
}

/** What an admin may add to a team: agents and gateways not in it, with the team they are in now. */
export async function teamAssignmentOptions(teamId: string) {
  const notHere = { OR: [{ teamId: null }, { teamId: { not: teamId } }] };
  const [agents, gateways] = await Promise.all([
    db.agent.findMany({ where: notHere, orderBy: { name: "asc" }, take: 2000, select: { id: true, name: true, team: { select: { name: true } } } }),
    db.gateway.findMany({ where: notHere, orderBy: { name: "asc" }, take: 500, select: { id: true, name: true, team: { select: { name: true } } } }),
  ]);
  const shape = (r: { id: string; name: string; team: { name: string } | null }) => ({ id: r.id, name: r.name, team: r.team?.name ?? null });
  return { agents: agents.map(shape), gateways: gateways.map(shape) };
}

/**
 * The overview of a team-scoped user: counts of their team only (the fleet dashboard's tiles and
 * charts cover the whole fleet, so they are not shown to them).
 */
export async function teamOverview(teamId: string, now = new Date()) {
  const since = new Date(now.getTime() - 86_400_000);
  const scope = { teamId };
  const [team, agents, suspended, gateways, calls24h, blocked24h, openFindings] = await Promise.all([
    db.team.findUnique({ where: { id: teamId }, select: { name: true } }),
    db.agent.count({ where: agentWhereOf(scope) }),
    db.agent.count({ where: { ...agentWhereOf(scope), status: { not: "active" } } }),
    db.gateway.count({ where: gatewayWhereOf(scope) }),
    db.toolCall.count({ where: { ...toolCallWhereOf(scope), occurredAt: { gte: since, lte: now } } }),
    db.toolCall.count({ where: { ...toolCallWhereOf(scope), occurredAt: { gte: since, lte: now }, decision: "blocked" } }),
    db.finding.count({ where: { ...findingWhereOf(scope), status: "open" } }),
  ]);
  return { team: team?.name ?? null, agents, suspended, gateways, calls24h, blocked24h, openFindings };
}
