import "server-only";
import { db } from "@/lib/db";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { notify } from "@/lib/notify";
import { appendTimeline, timelineEntry } from "@/lib/incidents/timeline";
import { settings } from "@/lib/env";

/** How long a gateway has to acknowledge a command (any type) before it is escalated (WARDEN_CONTAINMENT_ACK_TIMEOUT_SECONDS). */
export function ackTimeoutMs(): number {
  return settings.containmentAckTimeoutMs();
}

/**
 * Mark commands not acknowledged within the ack timeout as timed out and escalate each once:
 * audited, notified (a channel that does not depend on the agents) and put on the incident's
 * timeline. Delivery keeps being retried; a later ack still turns it `applied`.
 */
export async function escalateOverdue(now = new Date(), timeoutMs = ackTimeoutMs()): Promise<number> {
  const cutoff = new Date(now.getTime() - timeoutMs);
  return db.$transaction(async (tx) => {
    // SKIP LOCKED: two processes escalating at once never escalate one command twice.
    const due = await tx.$queryRaw<{ id: string }[]>`
      select id::text from gateway_commands
      where state in ('pending', 'delivered') and escalated_at is null and created_at <= ${cutoff}
      order by created_at limit 500 for update skip locked`;
    if (!due.length) return 0;
    const ids = due.map((d) => d.id);
    // Containment commands turn `timed_out` (the console's escalation state). Other types keep their
    // state: a still-pending policy_refresh keeps absorbing later changes (one pending per gateway),
    // so an offline gateway is escalated once per outage, not once per change.
    await tx.gatewayCommand.updateMany({ where: { id: { in: ids }, type: "containment" }, data: { state: "timed_out", escalatedAt: now } });
    await tx.gatewayCommand.updateMany({ where: { id: { in: ids }, type: { not: "containment" } }, data: { escalatedAt: now } });
    const rows = await tx.gatewayCommand.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        type: true,
        kind: true,
        attempts: true,
        createdAt: true,
        payload: true,
        gateway: { select: { id: true, name: true, lastSeenAt: true, policyVersionApplied: true } },
        action: { select: { id: true, scope: true, target: true, action: true, incidentId: true, affected: true } },
      },
    });
    for (const d of rows) {
      if (!d.action) {
        // Every other command type escalates the same way; what it was about is in its payload.
        const body = {
          commandId: d.id,
          type: d.type,
          gateway: d.gateway.name,
          attempts: d.attempts,
          target: (d.payload as { target?: unknown } | null)?.target ?? null,
          waitedSeconds: Math.round((now.getTime() - d.createdAt.getTime()) / 1000),
          gatewayLastSeenAt: d.gateway.lastSeenAt?.toISOString() ?? null,
          policyVersionHeld: d.gateway.policyVersionApplied,
        };
        const what = d.type === "policy_refresh" ? "a policy refresh (it may be enforcing an old policy)" : `a ${d.type.replace(/_/g, " ")} command`;
        const webhooksQueued = await notify(tx, "containment.escalated", `ESCALATION: gateway ${d.gateway.name} has not acknowledged ${what} after ${body.waitedSeconds}s`, body);
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: "gateway.command_escalate",
          targetType: "gateway_command",
          targetId: d.id,
          before: { state: "unacknowledged" },
          after: { state: "timed_out", ...body, webhooksQueued },
        });
        continue;
      }
      const label = (d.action.affected as { label?: string } | null)?.label ?? d.action.target;
      const body = {
        containmentId: d.action.id,
        deliveryId: d.id,
        gateway: d.gateway.name,
        kind: d.kind,
        attempts: d.attempts,
        waitedSeconds: Math.round((now.getTime() - d.createdAt.getTime()) / 1000),
        gatewayLastSeenAt: d.gateway.lastSeenAt?.toISOString() ?? null,
      };
      // The audit row says how many webhook endpoints were told (0 when none is subscribed).
      const webhooksQueued = await notify(
        tx,
        "containment.escalated",
        `ESCALATION: gateway ${d.gateway.name} has not acknowledged ${d.kind === "release" ? "the release of " : ""}${d.action.action.replace(/_/g, " ")} on ${d.action.scope} ${label} after ${body.waitedSeconds}s`,
        body,
      );
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "containment.escalate",
        targetType: "containment_delivery",
        targetId: d.id,
        before: { state: "unacknowledged" },
        after: { state: "timed_out", ...body, webhooksQueued },
      });
      await appendTimeline(tx, d.action.incidentId, timelineEntry.delivery({ ...body, state: "timed_out", escalated: true }));
    }
    return rows.length;
  });
}
