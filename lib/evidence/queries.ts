import "server-only";
import { db } from "@/lib/db";
import { listExportStatuses } from "./service";

/** Every export, newest first (rows of evidence_exports: the same on every replica). */
export async function listExports() {
  return listExportStatuses();
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
