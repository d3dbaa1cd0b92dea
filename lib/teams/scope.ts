// Teams as isolation boundaries: whom an actor may see and act on. A security lead, operator or
// manager with a team sees only that team's agents, gateways, grants and tool calls; admins and
// auditors, users without a team, the system and the CLI are fleet-wide. API tokens act as their user.
import type { Actor } from "@/lib/auth/actor";

/** null: fleet-wide; else only rows of this team. */
export type TeamScope = { teamId: string } | null;

const FLEET_WIDE_ROLES = new Set(["admin", "auditor"]);

export function teamScopeOf(actor: Actor): TeamScope {
  if (actor.kind !== "user" && actor.kind !== "api_token") return null;
  if (!actor.role || FLEET_WIDE_ROLES.has(actor.role)) return null;
  return actor.teamId ? { teamId: actor.teamId } : null;
}
