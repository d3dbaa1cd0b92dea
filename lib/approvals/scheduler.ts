import "server-only";
import { startPeriodic } from "@/lib/periodic";
import { expireApprovals } from "./service";

/**
 * Mark pending approvals past their expiry as expired every 5 s (idempotent start). Safe on every
 * replica at once: the update is conditional and skips rows another replica holds, so each request
 * expires (and is audited) exactly once. Reads of the queue also expire lazily.
 */
export function startApprovalScheduler(): () => void {
  return startPeriodic("expiring approvals", 5_000, () => expireApprovals());
}
