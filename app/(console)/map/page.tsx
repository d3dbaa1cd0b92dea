import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { getEcosystemMap } from "@/lib/map/queries";
import { teamScopeOf } from "@/lib/teams/scope";
import { parseMapFilters } from "@/lib/map/schema";
import { PageHeader } from "@/components/ui/Card";
import { MapView } from "@/components/map/MapView";

export const metadata: Metadata = { title: "Ecosystem map" };

export default async function MapPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("dashboard:read");
  const filters = parseMapFilters(await searchParams);
  const { graph, agents, total } = await getEcosystemMap(filters, new Date(), teamScopeOf(actor));
  return (
    <>
      <PageHeader
        title="Ecosystem map"
        description="Which agents touch which tools, integrations, services and data, grouped by the gateway that runs them and coloured by approval state and risk. Click a node to open its record."
      />
      <MapView graph={graph} agents={agents} total={total} filters={filters} />
    </>
  );
}
