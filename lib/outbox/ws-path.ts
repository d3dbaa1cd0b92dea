import "server-only";
import { db } from "@/lib/db";
import { unseal } from "@/lib/crypto";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { appendTimeline } from "@/lib/incidents/timeline";
import { commandTarget, type GatewayCommand } from "@/lib/outbox/commands";
import { applyViaAdminWs, type AdminWsResult } from "@/lib/containment/admin-ws";

const RETRY_AFTER_MS = 30_000;
const GIVE_UP_AFTER_MS = 15 * 60_000;
let running: Promise<void> | null = null;

/**
 * The second delivery path: gateways with an admin WebSocket configured also get each command
 * directly through the OpenClaw gateway protocol (config.patch …). Its state is kept apart from
 * the connector path (ws_state), so the console shows both. Runs in the background after commit.
 */
export function kickAdminWs(): Promise<void> {
  running ??= drain().finally(() => (running = null));
  return running;
}

async function drain() {
  for (;;) {
    const claimed = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        select id::text from gateway_commands where type = 'containment' and ws_state = 'pending' order by created_at limit 50 for update skip locked`;
      if (rows.length) await tx.gatewayCommand.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { wsState: "sending", wsAt: new Date() } });
      return rows.map((r) => r.id);
    });
    if (!claimed.length) return;
    const rows = await db.gatewayCommand.findMany({
      where: { id: { in: claimed } },
      orderBy: { createdAt: "asc" },
      select: { id: true, kind: true, attempts: true, gateway: { select: { id: true, name: true, adminWsUrl: true, adminTokenEnc: true } }, action: { select: { id: true, scope: true, target: true, action: true, reason: true, createdAt: true, options: true, incidentId: true } } },
    });
    // One gateway's commands in order (apply before release); gateways in parallel.
    type Row = Parameters<typeof sendOne>[0];
    const byGateway = new Map<string, Row[]>();
    for (const r of rows) if (r.action) byGateway.set(r.gateway.id, [...(byGateway.get(r.gateway.id) ?? []), { ...r, action: r.action }]);
    await Promise.all([...byGateway.values()].map(async (list) => {
      for (const r of list) await sendOne(r);
    }));
  }
}

async function sendOne(r: {
  id: string; kind: string; attempts: number;
  gateway: { id: string; name: string; adminWsUrl: string | null; adminTokenEnc: string | null };
  action: { id: string; scope: string; target: string; action: string; reason: string; createdAt: Date; options: unknown; incidentId: string | null };
}) {
  let result: AdminWsResult;
  if (!r.gateway.adminWsUrl || !r.gateway.adminTokenEnc) result = { ok: false, error: "no admin WebSocket configured" };
  else {
    // What an earlier apply changed on this gateway (cron was on, which skills were enabled …) goes
    // back with the release and with repeated applies, so the undo restores exactly that.
    const { adminWsState, ...options } = (r.action.options ?? {}) as Record<string, unknown> & { adminWsState?: Record<string, Record<string, unknown>> };
    const command: GatewayCommand = {
      id: r.id, type: "containment", actionId: r.action.id, kind: r.kind === "release" ? "release" : "apply", scope: r.action.scope, action: r.action.action, target: r.action.target, reason: r.action.reason,
      issuedAt: r.action.createdAt.toISOString(), attempt: r.attempts + 1,
      options: { ...options, ...(await commandTarget(db, r.action.scope, r.action.target)), ...(adminWsState?.[r.gateway.id] ?? {}) },
    };
    try {
      result = await applyViaAdminWs({ url: r.gateway.adminWsUrl, token: unseal(r.gateway.adminTokenEnc), command, timeoutMs: 10_000, label: `gateway ${r.gateway.name}` });
    } catch (err) {
      result = { ok: false, error: (err as Error).message };
    }
  }
  const wsState = result.ok ? "applied" : "failed";
  const detail = result.ok ? result.detail : result.error.slice(0, 1000);
  await db.$transaction(async (tx) => {
    await tx.gatewayCommand.update({ where: { id: r.id }, data: { wsState, wsAt: new Date(), wsError: result.ok ? null : detail } });
    if (result.ok && result.state && Object.keys(result.state).length) {
      // One statement (row-locked): gateways finishing at once cannot overwrite each other's state.
      await tx.$executeRaw`
        update containment_actions set options = options || jsonb_build_object('adminWsState',
          coalesce(options->'adminWsState', '{}'::jsonb) || jsonb_build_object(${r.gateway.id}::text, coalesce(options->'adminWsState'->${r.gateway.id}::text, '{}'::jsonb) || ${JSON.stringify(result.state)}::jsonb))
        where id = ${r.action.id}::uuid`;
    }
    await recordAudit(tx, SYSTEM_ACTOR, { action: "containment.admin_ws", outcome: result.ok ? "success" : "failure", targetType: "containment_delivery", targetId: r.id, after: { gateway: r.gateway.name, kind: r.kind, action: r.action.action, state: wsState, detail } });
    await appendTimeline(tx, r.action.incidentId, "delivery", { containmentId: r.action.id, gateway: r.gateway.name, kind: r.kind, path: "admin_ws", state: wsState, detail });
  });
}

/** Retry failed admin-WebSocket sends (every 30 s, for 15 minutes) unless the connector already applied it. */
export async function retryAdminWs(now = new Date()) {
  await db.gatewayCommand.updateMany({
    where: {
      OR: [
        { wsState: "failed", wsAt: { lte: new Date(now.getTime() - RETRY_AFTER_MS) } },
        { wsState: "sending", wsAt: { lte: new Date(now.getTime() - 2 * 60_000) } },
      ],
      state: { not: "applied" },
      createdAt: { gte: new Date(now.getTime() - GIVE_UP_AFTER_MS) },
    },
    data: { wsState: "pending" },
  });
  await kickAdminWs();
}
