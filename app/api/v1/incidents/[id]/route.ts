import { runApiAction, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { updateIncidentAction } from "@/lib/incidents/actions";
import { getIncident, INCIDENT_READ_SCOPE } from "@/lib/incidents/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/incidents/{id} → {data}: the incident, owner, playbook, finding, containment actions
 * with per-gateway deliveries and the merged timeline (tool calls as metadata only). Scope registry:read.
 */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead(INCIDENT_READ_SCOPE, "incident", async (actor) => {
    const data = await getIncident(id, new Date(), teamScopeOf(actor));
    if (!data) throw new AppError("not_found", "No such incident.");
    return { data };
  });
}

/**
 * PATCH /api/v1/incidents/{id} {status?, severity?, ownerId? (null clears), postMortem?} → {data}.
 * Status: open → contained → resolved → closed (skips allowed), resolved → open reopens; closed is
 * final (409). Scope incidents:manage.
 */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updateIncidentAction, { id: (await params).id });
}
