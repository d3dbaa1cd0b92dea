import "server-only";
import { randomUUID } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { notify } from "@/lib/notify";
import { AppError } from "@/lib/errors";
import { afterContainCommit, containInTx } from "@/lib/containment/service";
import { fireSpendPlaybooks } from "@/lib/playbooks/triggers";
import type { ContainmentInput } from "@/lib/containment/types";
import { Prisma } from "@/lib/generated/prisma/client";
import { dayKey, usageForDay, utcDayStart } from "./queries";
import { THRESHOLDS, type OnLimit, type Threshold } from "./schema";

export type FiredAlert = {
  alertId: string;
  budgetId: string;
  agentId: string | null;
  day: string;
  threshold: Threshold;
  spentUsd: string;
  dailyUsd: string;
  containmentActionId: string | null;
  /** Set when the configured containment could not be applied (the alert and notification still went out). */
  containmentError: string | null;
  /** Incidents opened by spend_threshold playbooks following this budget at this threshold. */
  incidentIds: string[];
};

type BudgetRow = { id: string; agentId: string | null; dailyUsd: Prisma.Decimal; onLimit: string; agent: { name: string } | null };

const usd = (d: Prisma.Decimal) => `$${d.toFixed(2)}`;

/**
 * Evaluate every enabled budget against the spend of the UTC day `now` falls in, and fire each
 * threshold (50/75/90/100 %) it reached that has not fired for that day yet — lowest first, each
 * in its own transaction: record the alert, audit "budget.threshold" (as the system), queue the
 * "budget.threshold" notification, and at 100 % apply the budget's containment. The alert's unique
 * key (budget, day, threshold) makes a threshold fire exactly once per day even when several
 * evaluations run at once: only the evaluation whose insert created the row acts on it. A
 * threshold whose transaction fails is reported in `failed` and retried by the next run.
 */
export async function evaluateBudgets(opts: { now?: Date } = {}): Promise<{ day: string; fired: FiredAlert[]; failed: { budgetId: string; threshold: Threshold; error: string }[] }> {
  const now = opts.now ?? new Date();
  const dayStart = utcDayStart(now);
  const day = dayKey(dayStart);
  const budgets = await db.budget.findMany({ where: { enabled: true }, select: { id: true, agentId: true, dailyUsd: true, onLimit: true, agent: { select: { name: true } } } });
  if (!budgets.length) return { day, fired: [], failed: [] };

  const [usage, recorded] = await Promise.all([
    // Without a fleet budget only the budgeted agents' rows are read.
    usageForDay(now, budgets.some((b) => b.agentId === null) ? {} : { agentIds: budgets.flatMap((b) => (b.agentId ? [b.agentId] : [])) }),
    db.budgetAlert.findMany({ where: { budgetId: { in: budgets.map((b) => b.id) }, day: dayStart }, select: { budgetId: true, threshold: true } }),
  ]);
  const done = new Set(recorded.map((a) => `${a.budgetId}:${a.threshold}`));
  const zero = new Prisma.Decimal(0);

  const fired: FiredAlert[] = [];
  const failed: { budgetId: string; threshold: Threshold; error: string }[] = [];
  for (const b of budgets) {
    const spent = (b.agentId ? usage.byAgent.get(b.agentId)?.costUsd : usage.fleet.costUsd) ?? zero;
    for (const threshold of THRESHOLDS) {
      if (done.has(`${b.id}:${threshold}`)) continue;
      // spent ≥ threshold % of the budget, compared exactly (spent × 100 ≥ daily × threshold).
      if (spent.mul(100).lt(b.dailyUsd.mul(threshold))) break;
      try {
        const alert = await fireThreshold(b, { dayStart, day, threshold, spent });
        if (alert) fired.push(alert);
      } catch (err) {
        // Nothing of this threshold was committed; the next run retries it. Higher thresholds of
        // this budget wait for it (they fire in order); other budgets go on.
        console.error(`warden: budget ${b.id} could not fire its ${threshold} % threshold`, err);
        failed.push({ budgetId: b.id, threshold, error: err instanceof Error ? err.message : String(err) });
        break;
      }
    }
  }
  return { day, fired, failed };
}

async function fireThreshold(b: BudgetRow, f: { dayStart: Date; day: string; threshold: Threshold; spent: Prisma.Decimal }): Promise<FiredAlert | null> {
  const res = await db.$transaction(
    async (tx) => {
      const alertId = randomUUID();
      // Only the evaluation whose insert created the row goes on; a concurrent one waits on the
      // unique key here, then finds the row taken (or free again if the first rolled back).
      const inserted = await tx.$queryRaw<{ id: string }[]>`
        insert into budget_alerts (id, budget_id, day, threshold, spent_usd, fired_at)
        values (${alertId}::uuid, ${b.id}::uuid, ${f.day}::date, ${f.threshold}::int, ${f.spent.toFixed()}::numeric, clock_timestamp())
        on conflict (budget_id, day, threshold) do nothing
        returning id::text`;
      if (!inserted.length) return null;

      const who = b.agentId ? `Agent ${b.agent?.name ?? b.agentId}` : "The fleet";
      const daily = usd(b.dailyUsd);
      const spent = usd(f.spent);
      const gatewayIds = new Set<string>();

      // Playbooks first, so that a breaker containment can join the incident a playbook opened.
      // Each side effect runs in a savepoint: one that fails must not cost the alert or the others.
      const playbooks = await inSavepoint(tx, "breaker_playbooks", () => fireSpendPlaybooks(tx, { agentId: b.agentId, percent: f.threshold, day: f.day }));
      const incidentIds = playbooks.ok ? playbooks.value.map((p) => p.incidentId) : [];
      if (playbooks.ok) playbooks.value.forEach((p) => p.gatewayIds.forEach((g) => gatewayIds.add(g)));

      let containmentActionId: string | null = null;
      let containmentError: string | null = null;
      const containment = f.threshold === 100 ? containmentFor(b, `daily budget of ${daily} reached (${spent} spent)`, incidentIds[0] ?? null) : null;
      if (containment) {
        const res = await inSavepoint(tx, "breaker_contain", () => containInTx(tx, SYSTEM_ACTOR, containment));
        if (res.ok) {
          containmentActionId = res.value.id;
          res.value.gatewayIds.forEach((g) => gatewayIds.add(g));
          await tx.budgetAlert.update({ where: { id: alertId }, data: { containmentActionId } });
        } else {
          containmentError = res.error;
        }
      }

      const details = {
        budgetId: b.id,
        agent: b.agentId ? { id: b.agentId, name: b.agent?.name ?? null } : null,
        percent: f.threshold,
        spentUsd: f.spent.toFixed(2),
        dailyUsd: b.dailyUsd.toFixed(2),
        day: f.day,
        onLimit: b.onLimit,
        ...(containment
          ? {
              containment: containmentActionId
                ? { id: containmentActionId, scope: containment.scope, action: containment.action }
                : { scope: containment.scope, action: containment.action, error: containmentError },
            }
          : {}),
        ...(incidentIds.length ? { incidentIds } : {}),
      };
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "budget.threshold",
        targetType: "budget",
        targetId: b.id,
        after: { alertId, ...details, ...(playbooks.ok ? {} : { playbookError: playbooks.error }) },
      });
      if (containment && containmentError) {
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: "budget.contain",
          outcome: "failure",
          targetType: "budget",
          targetId: b.id,
          after: { alertId, scope: containment.scope, action: containment.action, error: containmentError },
        });
      }

      const verb = containment ? containment.action.replace(/_/g, " ") : "";
      const tail = containment ? (containmentActionId ? ` — ${verb} applied` : ` — ${verb} FAILED (${containmentError}); act manually`) : "";
      await notify(tx, "budget.threshold", `${who} reached ${f.threshold} % of its daily budget: ${spent} of ${daily} (${f.day} UTC)${tail}`, details);

      const alert: FiredAlert = {
        alertId,
        budgetId: b.id,
        agentId: b.agentId,
        day: f.day,
        threshold: f.threshold,
        spentUsd: f.spent.toFixed(),
        dailyUsd: b.dailyUsd.toFixed(2),
        containmentActionId,
        containmentError,
        incidentIds,
      };
      return { alert, gatewayIds: [...gatewayIds] };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  if (!res) return null;
  if (res.gatewayIds.length) afterContainCommit(res.gatewayIds);
  return res.alert;
}

/** The kill switch a budget applies at 100 % (null for "notify", or a fleet budget set to suspend an agent). */
function containmentFor(b: BudgetRow, reason: string, incidentId: string | null): ContainmentInput | null {
  const onLimit = b.onLimit as OnLimit;
  if (onLimit === "suspend_agent" && b.agentId) return { scope: "agent", target: b.agentId, action: "suspend_agent", reason, source: "breaker", incidentId };
  if (onLimit === "block_fleet") return { scope: "fleet", target: "fleet", action: "block_all", reason, source: "breaker", incidentId };
  return null;
}

/**
 * Run `fn` inside a savepoint of `tx`: on failure the transaction is rolled back to the savepoint
 * (so it stays usable, whatever SQL failed) and the error is returned instead of thrown — an
 * AppError's message, or a generic one (the details go to the log, not to webhooks).
 */
export async function inSavepoint<T>(tx: Tx, name: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  if (!/^[a-z_]+$/.test(name)) throw new Error("bad savepoint name");
  await tx.$executeRawUnsafe(`savepoint ${name}`);
  try {
    const value = await fn();
    await tx.$executeRawUnsafe(`release savepoint ${name}`);
    return { ok: true, value };
  } catch (err) {
    await tx.$executeRawUnsafe(`rollback to savepoint ${name}`);
    if (!(err instanceof AppError)) console.error(`warden: breaker step ${name} failed`, err);
    return { ok: false, error: err instanceof AppError ? err.message.slice(0, 500) : "Internal error (see the server log)." };
  }
}

// ───────────────────────────── scheduling ─────────────────────────────
// The periodic evaluation is the "spend-breaker" job (lib/jobs/catalog.ts, every 30 s on one replica).
// Ingestion asks for one sooner in the process that ingested, on any replica: several replicas
// evaluating at once stay correct, since only the insert that creates an alert's row acts on it.

const SOON_MS = 1_000;

let soonTimer: ReturnType<typeof setTimeout> | null = null;
let running: Promise<void> | null = null;
let again = false;

/** One evaluation; when one is already running it is run once more after it. */
function runOnce(): void {
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    try {
      await evaluateBudgets();
    } catch (err) {
      console.error("warden: evaluating budgets failed", err);
    } finally {
      running = null;
      if (again) {
        again = false;
        evaluateBudgetsSoon();
      }
    }
  })();
}

/**
 * Ask for an evaluation about a second from now (ingestion calls this after each batch). Calls in
 * that second share one run, so a steady stream of batches still evaluates about once a second; a
 * call during a run schedules one more run after it, so new spend is never missed.
 */
export function evaluateBudgetsSoon(): void {
  if (soonTimer) return;
  soonTimer = setTimeout(() => {
    soonTimer = null;
    runOnce();
  }, SOON_MS);
  soonTimer.unref?.();
}

/** Resolves when no scheduled evaluation is pending or running (for tests and graceful shutdown). */
export async function breakerIdle(): Promise<void> {
  while (soonTimer || running) {
    if (running) await running;
    else await new Promise((r) => setTimeout(r, 50));
  }
}
