import "server-only";
import { startPeriodic } from "@/lib/periodic";
import { escalateOverdue } from "@/lib/outbox/escalation";

/** Escalate unacknowledged commands and retry the admin-WebSocket path every 5 s (idempotent start). */
export function startContainmentScheduler(): () => void {
  return startPeriodic("outbox escalation", 5_000, async () => {
    await escalateOverdue();
    const { retryAdminWs } = await import("@/lib/outbox/ws-path");
    await retryAdminWs();
  });
}
