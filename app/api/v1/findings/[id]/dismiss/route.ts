import { runApiAction } from "@/lib/api";
import { dismissFindingAction } from "@/lib/findings/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/findings/{id}/dismiss {reason} → {data}. Scope tools:decide; audited as "finding.dismiss". */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, dismissFindingAction, { id: (await params).id });
}
