import "server-only";
import { db } from "@/lib/db";
import { listStatuses } from "./store";

/** Every export, newest first (read from the status files in the data folder). */
export async function listExports() {
  return listStatuses();
}

/** Gateways and agents for the export form's filters. */
export async function exportFilterOptions() {
  const [gateways, agents] = await Promise.all([
    db.gateway.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db.agent.findMany({ select: { id: true, name: true, gatewayId: true }, orderBy: { name: "asc" } }),
  ]);
  return { gateways, agents };
}
export type ExportFilterOptions = Awaited<ReturnType<typeof exportFilterOptions>>;
