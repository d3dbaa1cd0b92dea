import { runApiAction } from "@/lib/api";
import { runDrillAction } from "@/lib/playbooks/actions";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/playbooks/{id}/drill {stepResults?, startedAt?, finishedAt?, note?} → 201 {data}
 * with timeToContainMs. Without stepResults Warden walks every step itself (each marked done with
 * real timestamps). A drill touches no gateway and creates no containment. Scope incidents:manage;
 * audited as "playbook.drill".
 */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, runDrillAction, { id: (await params).id }, 201);
}
