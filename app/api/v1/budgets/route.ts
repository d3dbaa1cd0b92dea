import { runApiAction, runApiRead } from "@/lib/api";
import { listBudgets } from "@/lib/spend/queries";
import { setBudgetAction } from "@/lib/spend/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/budgets — every budget (the fleet budget has agentId null). */
export function GET() {
  return runApiRead("dashboard:read", "budgets", async () => ({ data: await listBudgets() }));
}

/**
 * PUT /api/v1/budgets {agentId: uuid | null, dailyUsd: 25 | "25.00", onLimit: "notify"|"suspend_agent"|"block_fleet", enabled?: true}
 * — create or replace the budget of an agent, or of the fleet (agentId null). Requires budgets:manage.
 */
export function PUT(req: Request) {
  return runApiAction(req, setBudgetAction);
}
