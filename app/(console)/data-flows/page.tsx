import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listAgentChoices, listDataFlows, parseDataFlowQuery } from "@/lib/data-flows/queries";
import { listViewOf } from "@/lib/list";
import { DataFlowsList } from "@/components/data-flows/DataFlowsList";
import { decideDataFlow } from "./actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Data flows" };

export default async function DataFlowsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:read");
  const parsed = parseDataFlowQuery(await searchParams);
  const scope = teamScopeOf(actor);
  const [page, agents] = await Promise.all([listDataFlows(parsed.query, scope), listAgentChoices(scope)]);
  return (
    <DataFlowsList
      rows={page.rows}
      view={listViewOf(parsed, page)}
      agents={agents}
      canWrite={can(actor.role, "registry:write")}
      canDecide={can(actor.role, "data_flows:decide")}
      decide={decideDataFlow}
    />
  );
}
