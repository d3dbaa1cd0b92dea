import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { getEcosystemMap } from "@/lib/map/queries";
import { parseMapFilters } from "@/lib/map/schema";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { EcosystemMap } from "@/components/map/EcosystemMap";
import { MapFilters } from "@/components/map/MapFilters";
import { MapLegend } from "@/components/map/MapLegend";
import { MapList } from "@/components/map/MapList";

export const metadata: Metadata = { title: "Ecosystem map" };

export default async function MapPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireScope("dashboard:read");
  const filters = parseMapFilters(await searchParams);
  const { graph, agents, total } = await getEcosystemMap(filters);
  const filtered = Boolean(filters.agent || filters.sensitivity || filters.status);
  return (
    <>
      <PageHeader
        title="Ecosystem map"
        description="Which agents touch which tools, integrations, services and data: coloured by approval state and risk. Click a node to open its record."
      />
      <MapFilters agents={agents} initial={filters} />
      {graph.nodes.length === 0 ? (
        filtered ? (
          <EmptyState title="Nothing matches these filters">
            Try another agent, sensitivity or status, or <Link href="/map" className="text-brand-600 hover:underline dark:text-brand-100">clear the filters</Link>.
          </EmptyState>
        ) : (
          <EmptyState title="The map is empty">Gateways, agents and what they use appear here once they are registered or reported by a connected gateway.</EmptyState>
        )
      ) : (
        <>
          <p className="mb-2 text-sm text-slate-600 dark:text-slate-400" role="status">
            {filtered ? `Showing ${graph.nodes.length} of ${total.nodes} nodes and ${graph.edges.length} of ${total.edges} connections.` : `${graph.nodes.length} nodes and ${graph.edges.length} connections.`}
          </p>
          <MapLegend />
          <EcosystemMap graph={graph} />
          <MapList graph={graph} />
        </>
      )}
    </>
  );
}
