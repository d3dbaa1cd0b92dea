import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { INVENTORY_LOCK } from "@/lib/gateways/inventory";
import { reevaluateAdvisories } from "@/lib/gateways/reconcile";
import type { TAdvisoryCreate, TAdvisoryDelete } from "./schema";

/**
 * Record an advisory and, in the same transaction, match it against every gateway's reported
 * version: affected gateways get an `advisory` finding at once, not at their next push.
 */
export async function createAdvisory(actor: Actor, input: TAdvisoryCreate) {
  return db.$transaction(
    async (tx) => {
      const a = await tx.advisory.create({
        data: { ...input, createdById: actor.userId ?? null },
        select: { id: true, product: true, versionRange: true, severity: true, title: true, url: true, note: true, createdAt: true },
      });
      const findings = await reevaluateAdvisories(tx, INVENTORY_LOCK, new Date());
      await recordAudit(tx, actor, { action: "advisory.create", targetType: "advisory", targetId: a.id, after: { ...a, findings } });
      return { ...a, findings };
    },
    { timeout: 60_000 },
  );
}

/** Delete an advisory; its open findings are resolved in the same transaction. */
export async function deleteAdvisory(actor: Actor, input: TAdvisoryDelete) {
  return db.$transaction(
    async (tx) => {
      const before = await tx.advisory.findUnique({ where: { id: input.id }, select: { id: true, product: true, versionRange: true, severity: true, title: true, url: true, note: true } });
      if (!before) throw new AppError("not_found", "No such advisory.");
      await tx.advisory.delete({ where: { id: input.id } });
      const findings = await reevaluateAdvisories(tx, INVENTORY_LOCK, new Date());
      await recordAudit(tx, actor, { action: "advisory.delete", targetType: "advisory", targetId: before.id, before, after: { findings } });
      return { id: before.id, findings };
    },
    { timeout: 60_000 },
  );
}
