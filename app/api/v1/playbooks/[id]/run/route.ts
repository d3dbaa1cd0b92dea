import { runApiAction } from "@/lib/api";
import { runPlaybookAction } from "@/lib/playbooks/actions";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/playbooks/{id}/run {reason, expectedUpdatedAt?} → 201 {data: {incidentId, dedupeKey,
 * severity, actions}}; 409 when expectedUpdatedAt is given and the playbook has changed since.
 * Runs the playbook now, by hand: a new incident, then every automated action of its steps in run
 * order (kill switches reach the gateways after the commit); a failed action is reported in
 * `actions` and on the incident's timeline, the rest still run. A person only (session or personal
 * token). Scope containment:execute; audited as "playbook.fire".
 */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, runPlaybookAction, { id: (await params).id }, 201);
}
