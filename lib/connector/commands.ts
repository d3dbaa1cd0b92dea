import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";

/** What a gateway receives: one command per outbox row (containment or its release). */
export type GatewayCommand = { id: string; kind: "apply" | "release"; scope: string; action: string; target: string; reason: string; issuedAt: string; attempt: number };

const REDELIVER_AFTER_MS = [5_000, 15_000, 60_000, 300_000];

async function claimPending(gatewayId: string, now: Date): Promise<GatewayCommand[]> {
  return db.$transaction(async (tx) => {
    // Pending, or delivered but not acknowledged and due again (the gateway may have crashed).
    const rows = await tx.containmentDelivery.findMany({
      where: { gatewayId, state: { in: ["pending", "delivered"] }, nextAttemptAt: { lte: now }, action: { status: { in: ["active", "released"] } } },
      orderBy: { createdAt: "asc" },
      take: 50,
      select: { id: true, kind: true, attempts: true, action: { select: { scope: true, action: true, target: true, reason: true, createdAt: true } } },
    });
    for (const r of rows) {
      const backoff = REDELIVER_AFTER_MS[Math.min(r.attempts, REDELIVER_AFTER_MS.length - 1)];
      await tx.containmentDelivery.update({ where: { id: r.id }, data: { state: "delivered", attempts: { increment: 1 }, deliveredAt: now, nextAttemptAt: new Date(now.getTime() + backoff) } });
    }
    return rows.map((r) => ({ id: r.id, kind: r.kind === "release" ? "release" : "apply", scope: r.action.scope, action: r.action.action, target: r.action.target, reason: r.action.reason, issuedAt: r.action.createdAt.toISOString(), attempt: r.attempts + 1 }));
  });
}

/**
 * Long-poll: answer as soon as the gateway has commands, or after `waitSeconds` with none.
 * Commands come from the persisted outbox, so they survive a Warden restart; an unacknowledged
 * one is delivered again with backoff.
 */
export async function pollCommands(gatewayId: string, waitSeconds: number, signal?: AbortSignal): Promise<GatewayCommand[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const commands = await claimPending(gatewayId, new Date());
    if (commands.length || Date.now() >= deadline || signal?.aborted) return commands;
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, deadline - Date.now()))));
  }
}

export const ZAck = z.object({
  outcome: z.enum(["applied", "failed"]),
  detail: z.string().max(4000).optional(),
});

/** A gateway acknowledges one of its commands with the outcome; audited as the gateway. */
export async function ackCommand(actor: Actor, gatewayId: string, deliveryId: string, input: z.infer<typeof ZAck>) {
  return db.$transaction(async (tx) => {
    const d = await tx.containmentDelivery.findFirst({ where: { id: deliveryId, gatewayId }, select: { id: true, state: true, actionId: true, kind: true } });
    if (!d) throw new AppError("not_found", "No such command for this gateway.");
    const state = input.outcome === "applied" ? "applied" : "failed";
    const updated = await tx.containmentDelivery.update({ where: { id: d.id }, data: { state, ackedAt: new Date(), error: input.outcome === "failed" ? (input.detail ?? "failed") : null }, select: { id: true, state: true, ackedAt: true } });
    await recordAudit(tx, actor, { action: "gateway.command_ack", targetType: "containment_delivery", targetId: d.id, before: { state: d.state }, after: { state, detail: input.detail ?? null, actionId: d.actionId, kind: d.kind } });
    return updated;
  });
}
