import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { INTEGRATION_SELECT, type IntegrationRow } from "./mapping";
import { renderAgentsMd } from "./render";

/** AGENTS.md for one agent (its linked integrations and their degradation), or null when there is no such agent. */
export async function exportAgentsMd(agentId: string): Promise<{ agentName: string; markdown: string } | null> {
  if (!z.uuid().safeParse(agentId).success) return null;
  const agent = await db.agent.findUnique({
    where: { id: agentId },
    select: { name: true, owner: true, purpose: true, integrations: { select: { integration: { select: INTEGRATION_SELECT } } } },
  });
  if (!agent) return null;
  const rows = agent.integrations.map((l) => l.integration as IntegrationRow);
  return { agentName: agent.name, markdown: renderAgentsMd(agent, rows) };
}

/** Agents to pick from on the import page. */
export function listAgentChoices() {
  return db.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}
