import { runApiAction } from "@/lib/api";
import { decideDataFlowAction } from "@/lib/data-flows/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/data-flows/{id}/decision {status: "approved"|"rejected", reason?} → {data} with approver and date. Scope data_flows:decide. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, decideDataFlowAction, { id: (await params).id });
}
