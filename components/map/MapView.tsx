import Link from "next/link";
import type { EcosystemGraph, TMapFilters } from "@/lib/map/schema";
import { EmptyState } from "@/components/ui/Card";
import { fmtCount } from "@/components/ui/format";
import { EcosystemMap } from "./EcosystemMap";
import { MapFilters } from "./MapFilters";
import { MapLegend } from "./MapLegend";
import { MapList } from "./MapList";

type Props = {
  graph: EcosystemGraph;
  agents: { id: string; name: string }[];
  total: { nodes: number; edges: number };
  filters: TMapFilters;
};

/** The map page's body: filters, the graph with its legend, and the same graph as tables. */
export function MapView({ graph, agents, total, filters }: Props) {
  const filtered = Boolean(filters.agent || filters.sensitivity || filters.status);
  return (
    <>
      <MapFilters agents={agents} initial={filters} />
      {graph.nodes.length === 0 ? (
        filtered ? (
          <EmptyState title="Nothing matches these filters">
            Try another agent, sensitivity or status, or{" "}
            <Link href="/map" className="text-brand-600 hover:underline dark:text-brand-100">
              clear the filters
            </Link>
            .
          </EmptyState>
        ) : (
          <EmptyState title="The map is empty">Gateways, agents and what they use appear here once they are registered or reported by a connected gateway.</EmptyState>
        )
      ) : (
        <>
          <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2 text-sm text-slate-600 dark:text-slate-400">
            <p role="status">
              {filtered
                ? `Showing ${fmtCount(graph.nodes.length)} of ${fmtCount(total.nodes)} nodes and ${fmtCount(graph.edges.length)} of ${fmtCount(total.edges)} connections.`
                : `${fmtCount(graph.nodes.length)} nodes and ${fmtCount(graph.edges.length)} connections.`}
            </p>
            <p>
              Drag to pan, hover or focus a node to see its links.{" "}
              <a href="#map-list" className="text-brand-600 hover:underline dark:text-brand-100">
                Read the map as a table
              </a>
            </p>
          </div>
          <MapLegend />
          <EcosystemMap graph={graph} />
          <MapList graph={graph} />
        </>
      )}
    </>
  );
}
