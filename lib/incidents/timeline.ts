import "server-only";
import type { Tx } from "@/lib/db";
import { timelineRow, type TimelineEventInput } from "./timeline-schema";

export { timelineEntry, type TimelineKind } from "./timeline-schema";

/**
 * Append to an incident's timeline in the caller's transaction (no-op when incidentId is null).
 * The entry comes from `timelineEntry.<kind>(…)` and is checked against the timeline schema.
 */
export async function appendTimeline(tx: Tx, incidentId: string | null | undefined, entry: TimelineEventInput) {
  if (!incidentId) return;
  return tx.incidentEvent.create({ data: { incidentId, ...timelineRow(entry) }, select: { id: true, at: true } });
}
