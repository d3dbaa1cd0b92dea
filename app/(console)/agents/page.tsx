import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listAgentsPage, parseAgentQuery } from "@/lib/agents/queries";
import { listGateways } from "@/lib/fleet/queries";
import { listViewOf } from "@/lib/list";
import { teamScopeOf } from "@/lib/teams/scope";
import { AgentsList } from "@/components/agents/AgentsList";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:read");
  const parsed = parseAgentQuery(await searchParams);
  const scope = teamScopeOf(actor);
  const [page, gateways] = await Promise.all([listAgentsPage(parsed.query, { scope }), listGateways(scope)]);
  return <AgentsList rows={page.rows} view={listViewOf(parsed, page)} gateways={gateways} canWrite={can(actor.role, "registry:write")} />;
}
