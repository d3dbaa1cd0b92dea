import "server-only";
import { db } from "@/lib/db";
import { unseal } from "@/lib/crypto";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { appendTimeline, timelineEntry } from "@/lib/incidents/timeline";
import { commandTarget, type GatewayCommand } from "@/lib/outbox/commands";
import { applyViaAdminWs, withGatewaySession, type AdminWsResult } from "@/lib/containment/admin-ws";

const RETRY_AFTER_MS = 30_000;
const GIVE_UP_AFTER_MS = 15 * 60_000;
/** Per gateway, the chain of admin-WebSocket sends in flight: one gateway's commands in order, gateways in parallel. */
const lanes = new Map<string, Promise<void>>();

/**
 * The second delivery path: gateways with an admin WebSocket configured also get each containment
 * command directly through the OpenClaw gateway protocol (config.patch …). Its state is kept apart
 * from the connector path (ws_state), so the console shows both. Runs in the background after commit.
 *
 * A kick claims what is pending at once and queues it behind only the same gateway's earlier sends
 * (apply before release), never behind other gateways' slow sends: a release goes out as soon as its
 * apply is done. Claims are one statement each (the row lock lasts that statement only; the connector
 * long-poll waits for it instead of skipping the row). Resolves when what this kick claimed is sent.
 */
export async function kickAdminWs(): Promise<void> {
  const claiming = claimAll();
  claims.add(claiming);
  try {
    await claiming;
  } finally {
    claims.delete(claiming);
  }
  // Another kick may have claimed a row this one no longer sees: wait until every kick in flight has
  // queued what it claimed, then for every send queued (claims never wait on each other: no cycle).
  await Promise.all([...claims].map((c) => c.catch(() => {})));
  await Promise.all([...lanes.values()]);
}
/** Kicks still claiming (claimed rows not yet queued on their gateway's lane). */
const claims = new Set<Promise<void>>();

/** Claim every pending row and queue each on its gateway's lane (returns once queued, not sent). */
async function claimAll(): Promise<void> {
  for (;;) {
    const claimed = await db.$queryRaw<{ id: string }[]>`
      update gateway_commands set ws_state = 'sending', ws_at = now()
       where id in (select id from gateway_commands where type in ('containment', 'policy_refresh') and ws_state = 'pending' order by created_at, id limit 200 for update)
         and ws_state = 'pending'
      returning id::text`;
    if (!claimed.length) break;
    const rows = await db.gatewayCommand.findMany({
      where: { id: { in: claimed.map((c) => c.id) } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: {
        id: true,
        type: true,
        kind: true,
        attempts: true,
        gateway: { select: { id: true, name: true, adminWsUrl: true, adminTokenEnc: true } },
        action: { select: { id: true, scope: true, target: true, action: true, reason: true, createdAt: true, options: true, incidentId: true } },
      },
    });
    for (const r of rows) {
      const action = r.action;
      const send = action ? () => sendOne({ ...r, action }) : r.type === "policy_refresh" ? () => sendRefresh(r) : null;
      if (!send) continue;
      const lane: Promise<void> = (lanes.get(r.gateway.id) ?? Promise.resolve())
        .then(send)
        .catch((err) => console.error(`warden: admin WebSocket send to gateway ${r.gateway.name} failed:`, (err as Error).message))
        .finally(() => {
          if (lanes.get(r.gateway.id) === lane) lanes.delete(r.gateway.id);
        });
      lanes.set(r.gateway.id, lane);
    }
  }
}

async function sendOne(r: {
  id: string;
  kind: string;
  attempts: number;
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
      id: r.id,
      type: "containment",
      actionId: r.action.id,
      kind: r.kind === "release" ? "release" : "apply",
      scope: r.action.scope,
      action: r.action.action,
      target: r.action.target,
      reason: r.action.reason,
      issuedAt: r.action.createdAt.toISOString(),
      attempt: r.attempts + 1,
      options: { ...options, ...(await commandTarget(db, r.action.scope, r.action.target)), ...(adminWsState?.[r.gateway.id] ?? {}) },
    };
    try {
      result = await applyViaAdminWs({ url: r.gateway.adminWsUrl, token: unseal(r.gateway.adminTokenEnc), command, timeoutMs: 20_000, label: `gateway ${r.gateway.name}` });
    } catch (err) {
      result = { ok: false, error: (err as Error).message };
    }
  }
  const wsState = result.ok ? "applied" : "failed";
  const detail = result.ok ? result.detail : result.error.slice(0, 1000);
  await db.$transaction(async (tx) => {
    // The command's row first, the audit chain last: the same lock order as an acknowledgement
    // (row, then chain), so the two never deadlock.
    await tx.gatewayCommand.update({ where: { id: r.id }, data: { wsState, wsAt: new Date(), wsError: result.ok ? null : detail } });
    if (result.ok && result.state && Object.keys(result.state).length) {
      // One statement (row-locked): gateways finishing at once cannot overwrite each other's state.
      await tx.$executeRaw`
        update containment_actions set options = options || jsonb_build_object('adminWsState',
          coalesce(options->'adminWsState', '{}'::jsonb) || jsonb_build_object(${r.gateway.id}::text, coalesce(options->'adminWsState'->${r.gateway.id}::text, '{}'::jsonb) || ${JSON.stringify(result.state)}::jsonb))
        where id = ${r.action.id}::uuid`;
    }
    await appendTimeline(tx, r.action.incidentId, timelineEntry.delivery({ containmentId: r.action.id, gateway: r.gateway.name, kind: r.kind, path: "admin_ws", state: wsState, detail }));
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: "containment.admin_ws",
      outcome: result.ok ? "success" : "failure",
      targetType: "containment_delivery",
      targetId: r.id,
      after: { gateway: r.gateway.name, kind: r.kind, action: r.action.action, state: wsState, detail },
    });
  });
}

/**
 * A policy_refresh over the admin WebSocket: call the Warden plugin's own gateway method
 * (`warden.policy.refresh`), which fetches and verifies the signed policy from Warden at once. The
 * connector long-poll delivers the same command; whichever comes first, the gateway refetches.
 */
async function sendRefresh(r: { id: string; gateway: { id: string; name: string; adminWsUrl: string | null; adminTokenEnc: string | null } }) {
  let ok = false;
  let detail: string;
  if (!r.gateway.adminWsUrl || !r.gateway.adminTokenEnc) detail = "no admin WebSocket configured";
  else {
    try {
      const res = await withGatewaySession({ url: r.gateway.adminWsUrl, token: unseal(r.gateway.adminTokenEnc), timeoutMs: 10_000 }, (s) =>
        s.call<{ result?: string; version?: string }>("warden.policy.refresh", {}),
      );
      ok = true;
      detail = `policy ${typeof res?.result === "string" ? res.result.slice(0, 40) : "refreshed"}${typeof res?.version === "string" ? ` (v${res.version.slice(0, 64)})` : ""}`;
    } catch (err) {
      detail = (err as Error).message.slice(0, 1000);
    }
  }
  await db.$transaction(async (tx) => {
    // Row first, audit chain last (the lock order of an acknowledgement).
    await tx.gatewayCommand.update({ where: { id: r.id }, data: { wsState: ok ? "applied" : "failed", wsAt: new Date(), wsError: ok ? null : detail } });
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: "gateway.command_admin_ws",
      outcome: ok ? "success" : "failure",
      targetType: "gateway_command",
      targetId: r.id,
      after: { gateway: r.gateway.name, type: "policy_refresh", state: ok ? "applied" : "failed", detail },
    });
  });
}

/**
 * Retry failed admin-WebSocket sends (every 30 s, for 15 minutes). A policy refresh the connector
 * already applied needs no second send. A containment command is retried even when the connector
 * applied it: the admin WebSocket writes the gateway's own config (a layer that holds without the
 * plugin), so both layers must end up applied — unless a newer command of the same action on that
 * gateway (its release, or a re-apply) superseded it, which must never be undone by a late retry.
 */
export async function retryAdminWs(now = new Date()) {
  const failedBefore = new Date(now.getTime() - RETRY_AFTER_MS);
  const stuckBefore = new Date(now.getTime() - 2 * 60_000);
  const since = new Date(now.getTime() - GIVE_UP_AFTER_MS);
  await db.$executeRaw`
    update gateway_commands c set ws_state = 'pending'
     where ((c.ws_state = 'failed' and c.ws_at <= ${failedBefore}) or (c.ws_state = 'sending' and c.ws_at <= ${stuckBefore}))
       and c.created_at >= ${since}
       and (c.state <> 'applied'
            or (c.type = 'containment' and c.action_id is not null and not exists (
                  select 1 from gateway_commands n
                   where n.action_id = c.action_id and n.gateway_id = c.gateway_id and (n.created_at, n.id) > (c.created_at, c.id))))`;
  await kickAdminWs();
}
