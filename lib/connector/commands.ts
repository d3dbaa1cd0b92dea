import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { notify } from "@/lib/notify";
import { appendTimeline } from "@/lib/incidents/timeline";
import { waitForWake } from "@/lib/containment/wake";

/** What a gateway receives: one command per outbox row (containment or its release). */
export type GatewayCommand = { id: string; actionId: string; kind: "apply" | "release"; scope: string; action: string; target: string; reason: string; issuedAt: string; attempt: number; options: Record<string, unknown> };

const REDELIVER_AFTER_MS = [5_000, 15_000, 60_000, 300_000];
/** Long-polls re-check the outbox this often even without an in-process wake (several replicas). */
const RECHECK_MS = 2_000;

/** What a command looks like on the wire (shared by the long-poll and the admin-WebSocket path). */
export async function commandTarget(tx: Pick<typeof db, "agent">, scope: string, target: string): Promise<Record<string, unknown>> {
  if (scope !== "agent") return {};
  const a = await tx.agent.findUnique({ where: { id: target }, select: { externalId: true, name: true } });
  return a ? { agentExternalId: a.externalId ?? a.name, agentName: a.name } : {};
}

async function claimPending(gatewayId: string, now: Date): Promise<GatewayCommand[]> {
  return db.$transaction(async (tx) => {
    // Pending, or delivered/timed out but not acknowledged and due again (the gateway may have crashed).
    const rows = await tx.containmentDelivery.findMany({
      where: { gatewayId, state: { in: ["pending", "delivered", "timed_out"] }, nextAttemptAt: { lte: now } },
      orderBy: { createdAt: "asc" },
      take: 50,
      select: { id: true, kind: true, attempts: true, state: true, action: { select: { id: true, scope: true, action: true, target: true, reason: true, createdAt: true, options: true } } },
    });
    const out: GatewayCommand[] = [];
    for (const r of rows) {
      const backoff = REDELIVER_AFTER_MS[Math.min(r.attempts, REDELIVER_AFTER_MS.length - 1)];
      await tx.containmentDelivery.update({
        where: { id: r.id },
        // A timed-out command stays timed out (escalated) until the gateway acknowledges it.
        data: { state: r.state === "timed_out" ? "timed_out" : "delivered", attempts: { increment: 1 }, deliveredAt: now, nextAttemptAt: new Date(now.getTime() + backoff) },
      });
      // adminWsState is the admin-WebSocket path's own restore memory; the plugin keeps its own.
      const { adminWsState: _ws, ...options } = (r.action.options ?? {}) as Record<string, unknown>;
      void _ws;
      out.push({
        id: r.id,
        actionId: r.action.id,
        kind: r.kind === "release" ? "release" : "apply",
        scope: r.action.scope,
        action: r.action.action,
        target: r.action.target,
        reason: r.action.reason,
        issuedAt: r.action.createdAt.toISOString(),
        attempt: r.attempts + 1,
        options: { ...options, ...(await commandTarget(tx, r.action.scope, r.action.target)) },
      });
    }
    return out;
  });
}

/**
 * Long-poll: answer as soon as the gateway has commands, or after `waitSeconds` with none.
 * Commands come from the persisted outbox, so they survive a Warden restart; an unacknowledged
 * one is delivered again with backoff. A containment in this process wakes the poll at once.
 */
export async function pollCommands(gatewayId: string, waitSeconds: number, signal?: AbortSignal): Promise<GatewayCommand[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const commands = await claimPending(gatewayId, new Date());
    if (commands.length || Date.now() >= deadline || signal?.aborted) return commands;
    await waitForWake(gatewayId, Math.min(RECHECK_MS, Math.max(0, deadline - Date.now())), signal);
  }
}

export const ZAck = z.object({
  outcome: z.enum(["applied", "failed"]),
  detail: z.string().max(4000).optional(),
});

/** A gateway acknowledges one of its commands with the outcome; audited as the gateway. */
export async function ackCommand(actor: Actor, gatewayId: string, deliveryId: string, input: z.infer<typeof ZAck>) {
  return db.$transaction(async (tx) => {
    const d = await tx.containmentDelivery.findFirst({
      where: { id: deliveryId, gatewayId },
      select: { id: true, state: true, actionId: true, kind: true, gateway: { select: { name: true } }, action: { select: { scope: true, target: true, action: true, incidentId: true, affected: true } } },
    });
    if (!d) throw new AppError("not_found", "No such command for this gateway.");
    const state = input.outcome === "applied" ? "applied" : "failed";
    const updated = await tx.containmentDelivery.update({ where: { id: d.id }, data: { state, ackedAt: new Date(), error: input.outcome === "failed" ? (input.detail ?? "failed") : null }, select: { id: true, state: true, ackedAt: true } });
    await recordAudit(tx, actor, { action: "gateway.command_ack", targetType: "containment_delivery", targetId: d.id, before: { state: d.state }, after: { state, detail: input.detail ?? null, actionId: d.actionId, kind: d.kind } });
    const label = (d.action.affected as { label?: string } | null)?.label ?? d.action.target;
    await appendTimeline(tx, d.action.incidentId, "delivery", { containmentId: d.actionId, gateway: d.gateway.name, kind: d.kind, state, detail: input.detail ?? null });
    if (state === "failed") {
      await notify(tx, "containment.failed", `Gateway ${d.gateway.name} could not ${d.kind === "release" ? "release" : "apply"} ${d.action.action.replace(/_/g, " ")} on ${d.action.scope} ${label}: ${input.detail ?? "failed"}`, { containmentId: d.actionId, deliveryId: d.id, gateway: d.gateway.name, kind: d.kind, detail: input.detail ?? null });
    }
    return updated;
  });
}
