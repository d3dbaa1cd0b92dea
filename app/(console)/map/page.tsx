import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { getOverview } from "@/lib/fleet/queries";
import { EmptyState, PageHeader } from "@/components/ui/Card";

export const metadata: Metadata = { title: "Ecosystem map" };

export default async function MapPage() {
  await requireScope("dashboard:read");
  const o = await getOverview();
  return (
    <>
      <PageHeader title="Ecosystem map" description="Which agents touch which tools, services and data." />
      <EmptyState title="The interactive map is not built yet">
        It will draw your {o.gateways} gateways, {o.agents} agents, {o.tools} tools and their integrations as a graph, coloured by approval state and risk,
        with filters by agent, sensitivity and status. Until then, the Agents, Tools and Data flows pages list the same records.
      </EmptyState>
    </>
  );
}
