import "server-only";
import type { Tx } from "@/lib/db";

/** Timeline entry kinds; the incident page renders each. */
export type TimelineKind = "opened" | "note" | "status" | "owner" | "containment" | "delivery" | "finding" | "playbook" | "budget" | "post_mortem";

/** Append to an incident's timeline in the caller's transaction (no-op when incidentId is null). */
export async function appendTimeline(tx: Tx, incidentId: string | null | undefined, kind: TimelineKind, body: Record<string, unknown>) {
  if (!incidentId) return;
  await tx.incidentEvent.create({ data: { incidentId, kind, body: JSON.parse(JSON.stringify(body)) } });
}
