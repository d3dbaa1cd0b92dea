import "server-only";
import { db } from "@/lib/db";
import type { TeamScope } from "./scope";

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
