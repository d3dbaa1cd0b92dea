import "server-only";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { AuditAction } from "./actions";

/**
 * The error for a record that is not there: 409 when the audit trail shows it was deleted (so a
 * repeated or concurrent delete is a conflict, like any other transition that already happened),
 * 404 when it never existed.
 */
export async function missingOrDeleted(tx: Tx, deleteAction: AuditAction & `${string}.delete`, id: string, what: string): Promise<AppError> {
  const gone = await tx.auditEvent.findFirst({ where: { action: deleteAction, targetId: id, outcome: "success" }, select: { id: true } });
  return gone ? new AppError("conflict", `This ${what} was already deleted.`) : new AppError("not_found", `No such ${what}.`);
}
