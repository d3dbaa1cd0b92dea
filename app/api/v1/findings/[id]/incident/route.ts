import { runApiAction } from "@/lib/api";
import { openIncidentAction } from "@/lib/findings/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/findings/{id}/incident {severity?} → 201 {data: incident}. Scope tools:decide; audited as "incident.open". */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, openIncidentAction, { id: (await params).id }, 201);
}
