import "server-only";
import { action } from "@/lib/action";
import { ZBudgetDelete, ZBudgetSet } from "./schema";
import { deleteBudget, setBudget } from "./service";

// Each mutation defined once; used by app/(console)/spend/actions.ts and by /api/v1/budgets.
export const setBudgetAction = action({ name: "budget.set", scope: "budgets:manage", schema: ZBudgetSet, run: setBudget });
export const deleteBudgetAction = action({ name: "budget.delete", scope: "budgets:manage", schema: ZBudgetDelete, run: deleteBudget });
