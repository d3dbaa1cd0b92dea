import "server-only";
import { db, isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { missingOrDeleted } from "@/lib/audit/deleted";
import { Prisma } from "@/lib/generated/prisma/client";
import { budgetView, type BudgetView } from "./queries";
import type { TBudgetDelete, TBudgetSet } from "./schema";

const SELECT = { id: true, agentId: true, dailyUsd: true, onLimit: true, enabled: true, createdAt: true, updatedAt: true } as const;

/**
 * Create or replace the budget of an agent (or the fleet's, agentId null), audited "budget.set"
 * with before and after. Today's alerts stay: a threshold that fired today does not fire again.
 */
export async function setBudget(actor: Actor, input: TBudgetSet): Promise<BudgetView> {
  // Two first-time writes of the same budget race on its unique key: the loser retries as an update.
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        let agentName: string | null = null;
        if (input.agentId) {
          const agent = await tx.agent.findUnique({ where: { id: input.agentId }, select: { name: true } });
          if (!agent) throw new AppError("invalid", "That agent does not exist.", { agentId: ["No such agent."] });
          agentName = agent.name;
        }
        const data = { dailyUsd: new Prisma.Decimal(input.dailyUsd), onLimit: input.onLimit, enabled: input.enabled };
        const existing = await tx.budget.findFirst({ where: { agentId: input.agentId }, select: SELECT });
        const saved = existing ? await tx.budget.update({ where: { id: existing.id }, data, select: SELECT }) : await tx.budget.create({ data: { ...data, agentId: input.agentId }, select: SELECT });
        const view = budgetView(saved);
        await recordAudit(tx, actor, {
          action: "budget.set",
          targetType: "budget",
          targetId: saved.id,
          before: existing ? auditShape(budgetView(existing), agentName) : null,
          after: auditShape(view, agentName),
        });
        return view;
      });
    } catch (err) {
      if (isUniqueViolation(err) && attempt === 0) continue;
      if (isUniqueViolation(err)) throw new AppError("conflict", "The budget was changed at the same time; try again.");
      throw err;
    }
  }
}

/** Delete a budget (its alert history goes with it), audited "budget.delete". */
export async function deleteBudget(actor: Actor, input: TBudgetDelete): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const existing = await tx.budget.findUnique({ where: { id: input.id }, select: { ...SELECT, agent: { select: { name: true } } } });
    if (!existing) throw await missingOrDeleted(tx, "budget.delete", input.id, "budget");
    // deleteMany, counted: of concurrent deletes exactly one removes the row (and audits), the rest 409.
    const gone = await tx.budget.deleteMany({ where: { id: existing.id } });
    if (gone.count !== 1) throw new AppError("conflict", "This budget was already deleted.");
    await recordAudit(tx, actor, { action: "budget.delete", targetType: "budget", targetId: existing.id, before: auditShape(budgetView(existing), existing.agent?.name ?? null) });
    return { id: existing.id };
  });
}

function auditShape(b: BudgetView, agentName: string | null) {
  return { agentId: b.agentId, agentName: b.agentId ? agentName : "fleet", dailyUsd: b.dailyUsd, onLimit: b.onLimit, enabled: b.enabled };
}
