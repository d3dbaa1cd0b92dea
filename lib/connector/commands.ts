import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
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

/**
 * Claim due commands in one statement (no interactive transaction, so hundreds of gateways polling
 * at once never queue for pool connections): pending ones, and delivered or timed-out ones that
 * were not acknowledged and are due again (the gateway may have crashed). SKIP LOCKED keeps two
 * polls of one gateway from taking the same row.
 */
async function claimPending(gatewayId: string): Promise<GatewayCommand[]> {
  const rows = await db.$queryRaw<{ id: string; kind: string; attempts: number; action_id: string; created_at: Date }[]>`
    with due as (
      select id from containment_deliveries
       where gateway_id = ${gatewayId}::uuid and state in ('pending', 'delivered', 'timed_out') and next_attempt_at <= now()
       order by created_at limit 50 for update skip locked
    )
    update containment_deliveries d
       set state = case when d.state = 'timed_out' then 'timed_out'::"DeliveryState" else 'delivered'::"DeliveryState" end,
           attempts = d.attempts + 1,
           delivered_at = now(),
           next_attempt_at = now() + (case least(d.attempts, ${REDELIVER_AFTER_MS.length - 1}) ${Prisma.raw(REDELIVER_AFTER_MS.map((ms, i) => `when ${i} then interval '${ms} milliseconds'`).join(" "))} end)
      from due where d.id = due.id
    returning d.id::text, d.kind, d.attempts - 1 as attempts, d.action_id::text, d.created_at`;
  if (!rows.length) return [];
  const actions = await db.containmentAction.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.action_id))] } },
    select: { id: true, scope: true, action: true, target: true, reason: true, createdAt: true, options: true },
  });
  const out: GatewayCommand[] = [];
  for (const r of rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime())) {
    const a = actions.find((x) => x.id === r.action_id);
    if (!a) continue;
    // adminWsState is the admin-WebSocket path's own restore memory; the plugin keeps its own.
    const { adminWsState: _ws, ...options } = (a.options ?? {}) as Record<string, unknown>;
    void _ws;
    out.push({
      id: r.id, actionId: a.id, kind: r.kind === "release" ? "release" : "apply", scope: a.scope, action: a.action, target: a.target, reason: a.reason,
      issuedAt: a.createdAt.toISOString(), attempt: Number(r.attempts) + 1,
      options: { ...options, ...(await commandTarget(db, a.scope, a.target)) },
    });
  }
  return out;
}

/**
 * Long-poll: answer as soon as the gateway has commands, or after `waitSeconds` with none.
 * Commands come from the persisted outbox, so they survive a Warden restart; an unacknowledged
 * one is delivered again with backoff. A containment in this process wakes the poll at once.
 */
export async function pollCommands(gatewayId: string, waitSeconds: number, signal?: AbortSignal): Promise<GatewayCommand[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const commands = await claimPending(gatewayId);
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
    const label = (d.action.affected as { label?: string } | null)?.label ?? d.action.target;
    await appendTimeline(tx, d.action.incidentId, "delivery", { containmentId: d.actionId, gateway: d.gateway.name, kind: d.kind, state, detail: input.detail ?? null });
    if (state === "failed") {
      await notify(tx, "containment.failed", `Gateway ${d.gateway.name} could not ${d.kind === "release" ? "release" : "apply"} ${d.action.action.replace(/_/g, " ")} on ${d.action.scope} ${label}: ${input.detail ?? "failed"}`, { containmentId: d.actionId, deliveryId: d.id, gateway: d.gateway.name, kind: d.kind, detail: input.detail ?? null });
    }
    // Last: the audit append serialises on one lock, held from here until commit only.
    await recordAudit(tx, actor, { action: "gateway.command_ack", targetType: "containment_delivery", targetId: d.id, before: { state: d.state }, after: { state, detail: input.detail ?? null, actionId: d.actionId, kind: d.kind } });
    return updated;
  });
}
