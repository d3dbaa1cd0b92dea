// Teams as isolation boundaries: whom an actor may see and act on. A security lead, operator or
// manager with a team sees only that team's agents, gateways, grants and tool calls; admins and
// auditors, users without a team, the system and the CLI are fleet-wide. API tokens act as their user.
//
// Every scoped read and write goes through the helpers below (Prisma where fragments and SQL
// predicates), never through ad-hoc checks in pages: a row of another team is "not found" (404),
// so a scoped user cannot learn which ids exist elsewhere.
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";

/** null: fleet-wide; else only rows of this team. */
export type TeamScope = { teamId: string } | null;

const FLEET_WIDE_ROLES = new Set(["admin", "auditor"]);

export function teamScopeOf(actor: Actor): TeamScope {
  if (actor.kind !== "user" && actor.kind !== "api_token") return null;
  if (!actor.role || FLEET_WIDE_ROLES.has(actor.role)) return null;
  return actor.teamId ? { teamId: actor.teamId } : null;
}

/** Agents the scope may see: `{}` fleet-wide, else the team's agents. */
export function agentWhereOf(scope: TeamScope): Prisma.AgentWhereInput {
  return scope ? { teamId: scope.teamId } : {};
}

/** Gateways the scope may see: `{}` fleet-wide, else the team's gateways. */
export function gatewayWhereOf(scope: TeamScope): Prisma.GatewayWhereInput {
  return scope ? { teamId: scope.teamId } : {};
}

/** Tool calls the scope may see (tool_calls.team_id; a call without a team is fleet-only). */
export function toolCallWhereOf(scope: TeamScope): Prisma.ToolCallWhereInput {
  return scope ? { teamId: scope.teamId } : {};
}

/** Rows tied to an agent (grants, tool requests, findings, …): only the team's agents' rows. */
export function viaAgentWhereOf(scope: TeamScope): { agent?: { teamId: string } } {
  return scope ? { agent: { teamId: scope.teamId } } : {};
}

/** Findings the scope may see: about the team's agents, or about the team's gateways when they name no agent. */
export function findingWhereOf(scope: TeamScope): Prisma.FindingWhereInput {
  return scope ? { OR: [{ agent: { teamId: scope.teamId } }, { agentId: null, gateway: { teamId: scope.teamId } }] } : {};
}

/** Incidents the scope may see: from a finding of the team, or owned by one of its users. */
export function incidentWhereOf(scope: TeamScope): Prisma.IncidentWhereInput {
  return scope ? { OR: [{ finding: findingWhereOf(scope) }, { owner: { teamId: scope.teamId } }] } : {};
}

/** Held calls (approval_requests) the scope may see: of the team's agents, or of its gateways when no agent is known. */
export function approvalWhereOf(scope: TeamScope, teamAgentIds: string[]): Prisma.ApprovalRequestWhereInput {
  return scope ? { OR: [{ agentId: { in: teamAgentIds } }, { agentId: null, gateway: { teamId: scope.teamId } }] } : {};
}

/** The SQL predicate for tool_calls (or a table with a team_id column, given its alias). */
export function teamSqlOf(scope: TeamScope, column: Prisma.Sql = Prisma.sql`team_id`): Prisma.Sql {
  return scope ? Prisma.sql`${column} = ${scope.teamId}::uuid` : Prisma.sql`true`;
}

/** Refuse a fleet-wide action (a whole-fleet or tool-wide kill switch, …) to a team-scoped actor. */
export function requireFleetWide(actor: Actor, what: string): void {
  if (teamScopeOf(actor)) throw new AppError("forbidden", `${what} reaches beyond your team; only an admin or a user without a team may do this.`);
}

type AgentClient = { agent: { findFirst: (args: { where: Prisma.AgentWhereInput; select: { id: true } }) => Promise<{ id: string } | null> } };
type GatewayClient = { gateway: { findFirst: (args: { where: Prisma.GatewayWhereInput; select: { id: true } }) => Promise<{ id: string } | null> } };

/** Throw not_found unless the agent exists within the actor's scope (another team's agent is "no such agent"). */
export async function assertAgentInScope(client: AgentClient, actor: Actor, agentId: string): Promise<void> {
  const scope = teamScopeOf(actor);
  if (!scope) return;
  const found = await client.agent.findFirst({ where: { id: agentId, ...agentWhereOf(scope) }, select: { id: true } });
  if (!found) throw new AppError("not_found", "No such agent.");
}

/** Throw not_found unless the gateway exists within the actor's scope. */
export async function assertGatewayInScope(client: GatewayClient, actor: Actor, gatewayId: string): Promise<void> {
  const scope = teamScopeOf(actor);
  if (!scope) return;
  const found = await client.gateway.findFirst({ where: { id: gatewayId, ...gatewayWhereOf(scope) }, select: { id: true } });
  if (!found) throw new AppError("not_found", "No such gateway.");
}
