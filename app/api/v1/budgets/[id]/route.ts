import { runApiAction } from "@/lib/api";
import { deleteBudgetAction } from "@/lib/spend/actions";

export const dynamic = "force-dynamic";

/** DELETE /api/v1/budgets/{id} — delete a budget and its alert history (the audit trail keeps it). Requires budgets:manage. */
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, deleteBudgetAction, { id: (await params).id });
}
