import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { INTEGRATION_SELECT, type IntegrationRow } from "./mapping";
import { renderAgentsMd } from "./render";
import { agentWhereOf, type TeamScope } from "@/lib/teams/scope";

/** AGENTS.md for one agent (its linked integrations and their degradation), or null when there is no such agent. */
export async function exportAgentsMd(agentId: string, scope: TeamScope = null): Promise<{ agentName: string; markdown: string } | null> {
  if (!z.uuid().safeParse(agentId).success) return null;
  const agent = await db.agent.findFirst({
    where: { id: agentId, ...agentWhereOf(scope) },
    select: { name: true, owner: true, purpose: true, integrations: { select: { integration: { select: INTEGRATION_SELECT } } } },
  });
  if (!agent) return null;
  const rows = agent.integrations.map((l) => l.integration as IntegrationRow);
  return { agentName: agent.name, markdown: renderAgentsMd(agent, rows) };
}

/** Agents to pick from on the import page. */
/** Agents to choose from (a team-scoped user: their team's). */
export function listAgentChoices(scope: TeamScope = null) {
  return db.agent.findMany({ where: agentWhereOf(scope), orderBy: { name: "asc" }, select: { id: true, name: true } });
}
