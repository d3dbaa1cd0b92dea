import { runApiAction } from "@/lib/api";
import { addIncidentNoteAction } from "@/lib/incidents/actions";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** POST /api/v1/incidents/{id}/notes {text (≤ 4000)} → 201 {data: {id, incidentId, at, author, text}}. Scope incidents:manage. */
export async function POST(req: Request, { params }: Ctx) {
  return runApiAction(req, addIncidentNoteAction, { id: (await params).id }, 201);
}
