import "server-only";
import { db } from "@/lib/db";
import type { AuditAction } from "@/lib/audit/actions";

const LOGIN: AuditAction = "auth.login";
export const LOGIN_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;

/**
 * Sign-in throttling, counted from the audit trail itself (failed attempts are audited anyway):
 * at most 5 failures per account and 20 per IP in 15 minutes. Applies equally to accounts that
 * do not exist, so it reveals nothing.
 */
export async function checkLoginAllowed(email: string, ip: string | null): Promise<boolean> {
  const since = new Date(Date.now() - LOGIN_WINDOW_MINUTES * 60_000);
  const [byAccount, byIp] = await Promise.all([
    db.auditEvent.count({ where: { action: LOGIN, outcome: { in: ["failure", "denied"] }, createdAt: { gte: since }, targetId: email } }),
    ip ? db.auditEvent.count({ where: { action: LOGIN, outcome: { in: ["failure", "denied"] }, createdAt: { gte: since }, ip } }) : Promise.resolve(0),
  ]);
  return byAccount < MAX_FAILURES_PER_ACCOUNT && byIp < MAX_FAILURES_PER_IP;
}
