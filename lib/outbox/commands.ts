import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAuditMany } from "@/lib/audit/record";
import { notify } from "@/lib/notify";
import { appendTimeline, timelineEntry } from "@/lib/incidents/timeline";
import { listenForWake, wakeGateways } from "@/lib/outbox/wake";
import { connectorPool } from "@/lib/db-raw";
import { shutdownSignal } from "@/lib/shutdown";
import { grouped } from "@/lib/db-group";
import pg from "pg";
import { env } from "@/lib/env";
import { runInBackground } from "@/lib/background";
import { settings } from "@/lib/env";

/** The kinds of command the outbox carries. Containment rows point at a containment action. */
export type CommandType = "containment" | "policy_refresh" | "approval_decision";

/**
 * What a gateway receives: one command per outbox row. For containment, `action` is the
 * containment action (deny_tool, suspend_agent, …) and `actionId` its id; for other types
 * `action` is the type itself, `actionId` is null and `options` is the row's payload.
 */
export type GatewayCommand = {
  id: string;
  type: CommandType;
  actionId: string | null;
  kind: "apply" | "release";
  scope: string;
  action: string;
  target: string;
  reason: string;
  issuedAt: string;
  attempt: number;
  options: Record<string, unknown>;
};

type Tx = Pick<typeof db, "gatewayCommand" | "$executeRaw">;

/**
 * Enqueue a command of a non-containment type for each gateway, in the caller's transaction
 * (so it commits with the change that caused it). Call `wakeGateways(ids)` after the commit so
 * parked long-polls answer at once. `target` names what the command is about (an approval id,
 * a policy version); `payload` is what the gateway needs and is sent as `options`.
 */
export async function enqueueCommands(tx: Tx, input: { gatewayIds: string[]; type: Exclude<CommandType, "containment">; target?: string; payload?: Record<string, unknown> }): Promise<string[]> {
  if (input.type === "policy_refresh") {
    // One path for every policy change: mark the cached policy stale and enqueue one coalesced
    // refresh per gateway, with its NOTIFY wake-up (the same function the database triggers call).
    const gatewayIds = [...new Set(input.gatewayIds)];
    if (gatewayIds.length) await tx.$executeRaw`select warden_policy_touch(${gatewayIds}::uuid[])`;
    return [];
  }
  const ids: string[] = [];
  for (const gatewayId of new Set(input.gatewayIds)) {
    const row = await tx.gatewayCommand.create({
      data: { gatewayId, type: input.type, kind: "apply", payload: { ...(input.payload ?? {}), ...(input.target ? { target: input.target } : {}) } as object },
      select: { id: true },
    });
    ids.push(row.id);
  }
  return ids;
}

const REDELIVER_AFTER_MS = [5_000, 15_000, 60_000, 300_000];
/**
 * Parked long-polls are re-checked against the outbox this often: redeliveries that fall due, and
 * the safety net behind `warden_wake` (a command committed by another replica NOTIFYs at commit,
 * see listenForNotifications). WARDEN_OUTBOX_RECHECK_MS changes it (the replica e2e test sets it
 * long, to prove wake-ups cross replicas by NOTIFY and not by this recheck).
 */
const RECHECK_MS = settings.outboxRecheckMs();

/** What a command looks like on the wire (shared by the long-poll and the admin-WebSocket path). */
export async function commandTarget(tx: Pick<typeof db, "agent">, scope: string, target: string): Promise<Record<string, unknown>> {
  if (scope !== "agent") return {};
  const a = await tx.agent.findUnique({ where: { id: target }, select: { externalId: true, name: true } });
  return a ? { agentExternalId: a.externalId ?? a.name, agentName: a.name } : {};
}

type ClaimRow = {
  id: string;
  type: string;
  payload: Record<string, unknown> | null;
  kind: string;
  attempts: number;
  action_id: string;
  scope: string;
  action: string;
  target: string;
  reason: string;
  issued_at: Date;
  options: Record<string, unknown> | null;
  agent_external_id: string | null;
  agent_name: string | null;
};

/**
 * Claim due commands in one statement on the connector pool (no interactive transaction, so
 * hundreds of gateways polling at once never queue for connections): pending ones, and delivered
 * or timed-out ones that were not acknowledged and are due again (the gateway may have crashed).
 * The row lock (FOR UPDATE, waiting, never SKIP LOCKED) keeps two polls from taking the same row:
 * the second waits for the first and then sees the row claimed. Never skipping matters because the
 * admin-WebSocket path also writes these rows (ws_state): a skipped row would hide a due command from
 * this poll until the next recheck (~2 s for a kill switch). The other path holds a row's lock only
 * for its claim statement and its short result transaction, so the wait is milliseconds. Claims lock
 * rows in one order (created_at, id) on both paths, and every transaction that writes a command row
 * and audits takes the row first and the audit chain last, so none of them deadlock. The same statement reads what the
 * gateway needs of each containment (and of its agent, for agent scope). Polls woken together
 * (a fleet-wide kill switch) claim together, in one statement (see grouped()); when one gateway
 * has two polls in the same group, the first gets its commands.
 */
const claimPending = grouped(async (gatewayIds: string[]): Promise<GatewayCommand[][]> => {
  const backoff = REDELIVER_AFTER_MS.map((ms, i) => `when ${i} then interval '${ms} milliseconds'`).join(" ");
  const { rows } = await connectorPool().query<ClaimRow & { gateway_id: string }>(
    `with due as (
       select id from gateway_commands
        where gateway_id = any($1::uuid[]) and state in ('pending', 'delivered', 'timed_out') and next_attempt_at <= now()
        order by created_at, id limit $2 for update
     ), claimed as (
       update gateway_commands d
          set state = case when d.state = 'timed_out' then 'timed_out'::"DeliveryState" else 'delivered'::"DeliveryState" end,
              attempts = d.attempts + 1,
              delivered_at = now(),
              next_attempt_at = now() + (case least(d.attempts, ${REDELIVER_AFTER_MS.length - 1}) ${backoff} end)
         from due where d.id = due.id
       returning d.id, d.gateway_id, d.type, d.payload, d.kind, d.attempts - 1 as attempts, d.action_id, d.created_at
     )
     select c.id::text, c.gateway_id::text, c.type, c.payload, c.kind, c.attempts, a.id::text as action_id, a.scope::text as scope, a.action, a.target, a.reason,
            coalesce(a.created_at, c.created_at) as issued_at, a.options, ag.external_id as agent_external_id, ag.name as agent_name
       from claimed c
       left join containment_actions a on a.id = c.action_id
       left join agents ag on a.scope = 'agent' and ag.id::text = a.target
      order by c.created_at`,
    [[...new Set(gatewayIds)], 50 * gatewayIds.length],
  );
  const byGateway = new Map<string, GatewayCommand[]>();
  for (const r of rows) {
    if (r.type !== "containment") {
      // `reason` is both the command's reason and part of its options (approval decisions carry it there).
      const { target, ...payload } = (r.payload ?? {}) as Record<string, unknown>;
      const reason = payload.reason;
      const list = byGateway.get(r.gateway_id) ?? [];
      list.push({
        id: r.id,
        type: r.type as CommandType,
        actionId: null,
        kind: "apply",
        scope: "gateway",
        action: r.type,
        target: typeof target === "string" ? target : r.gateway_id,
        reason: typeof reason === "string" ? reason : "",
        issuedAt: new Date(r.issued_at).toISOString(),
        attempt: Number(r.attempts) + 1,
        options: payload,
      });
      byGateway.set(r.gateway_id, list);
      continue;
    }
    // adminWsState is the admin-WebSocket path's own restore memory; the plugin keeps its own.
    const { adminWsState: _ws, ...options } = r.options ?? {};
    void _ws;
    const agent = r.scope === "agent" && r.agent_name ? { agentExternalId: r.agent_external_id ?? r.agent_name, agentName: r.agent_name } : {};
    const list = byGateway.get(r.gateway_id) ?? [];
    list.push({
      id: r.id,
      type: "containment",
      actionId: r.action_id,
      kind: r.kind === "release" ? "release" : "apply",
      scope: r.scope,
      action: r.action,
      target: r.target,
      reason: r.reason,
      issuedAt: new Date(r.issued_at).toISOString(),
      attempt: Number(r.attempts) + 1,
      options: { ...options, ...agent },
    });
    byGateway.set(r.gateway_id, list);
  }
  return gatewayIds.map((id) => {
    const list = byGateway.get(id) ?? [];
    byGateway.delete(id);
    return list;
  });
});

/** Gateways with a long-poll parked in this process, and how many polls each. */
const parked = new Map<string, number>();
let watcher: ReturnType<typeof setInterval> | null = null;

/**
 * While any poll is parked, check the outbox for all parked gateways in one query every
 * RECHECK_MS and wake those with due commands: redeliveries, and containments committed by
 * another Warden process (whose in-process wake-up does not reach this one).
 */
function park(gatewayId: string, delta: 1 | -1) {
  const n = (parked.get(gatewayId) ?? 0) + delta;
  if (n > 0) parked.set(gatewayId, n);
  else parked.delete(gatewayId);
  if (parked.size && !watcher) {
    watcher = setInterval(() => void checkParked(), RECHECK_MS);
    watcher.unref?.();
  } else if (!parked.size && watcher) {
    clearInterval(watcher);
    watcher = null;
  }
  if (parked.size) {
    if (linger) clearTimeout(linger);
    linger = null;
    listenForNotifications();
  } else if (!linger) {
    // Kept a while: a gateway parks again right after each answer.
    linger = setTimeout(() => {
      linger = null;
      if (!parked.size) stopListening();
    }, 30_000);
    linger.unref?.();
  }
}

/**
 * Cross-process wake-ups: the database triggers that enqueue a command (a policy_refresh, a
 * containment apply or release, an approval decision) NOTIFY `warden_wake` with the gateway ids,
 * delivered at commit to every Warden process listening, so a gateway parked on another replica
 * answers at once too (the RECHECK_MS query stays as the safety net).
 * One dedicated connection per process while polls are parked.
 */
let listener: pg.Client | null = null;
let linger: ReturnType<typeof setTimeout> | null = null;
function listenForNotifications() {
  if (listener) return;
  const client = new pg.Client({ connectionString: env().DATABASE_URL });
  listener = client;
  client.on("notification", (msg) => {
    if (msg.channel !== "warden_wake" || !msg.payload) return;
    wakeGateways(msg.payload.split(",").filter((id) => parked.has(id)));
    // The admin-WebSocket copy of a pushed policy refresh (gateways with that path configured).
    runInBackground(import("@/lib/outbox/ws-path").then((m) => m.kickAdminWs()));
  });
  const drop = (err?: Error) => {
    if (err) console.error("warden: the outbox notification listener failed:", err.message);
    if (listener === client) listener = null;
    client.end().catch(() => {});
  };
  client.on("error", drop);
  client.on("end", () => {
    if (listener === client) listener = null;
  });
  client
    .connect()
    .then(() => {
      // Never keep the process alive for this connection alone.
      (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      return client.query("listen warden_wake");
    })
    .catch(drop);
}
function stopListening() {
  const client = listener;
  listener = null;
  client?.end().catch(() => {});
}

let checking = false;
async function checkParked() {
  if (checking || !parked.size) return;
  checking = true;
  try {
    const { rows } = await connectorPool().query<{ id: string }>(
      `select distinct gateway_id::text as id from gateway_commands
        where gateway_id = any($1::uuid[]) and state in ('pending', 'delivered', 'timed_out') and next_attempt_at <= now()`,
      [[...parked.keys()]],
    );
    wakeGateways(rows.map((r) => r.id));
  } catch (err) {
    console.error("warden: checking the command outbox failed:", (err as Error).message);
  } finally {
    checking = false;
  }
}

/**
 * Long-poll: answer as soon as the gateway has commands, or after `waitSeconds` with none.
 * Commands come from the persisted outbox, so they survive a Warden restart; an unacknowledged
 * one is delivered again with backoff. A containment in this process wakes the poll at once.
 */
export async function pollCommands(gatewayId: string, waitSeconds: number, requestSignal?: AbortSignal): Promise<GatewayCommand[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  // A poll ends when its client goes away, and at once when this process shuts down. One
  // controller per poll, its listeners removed at the end: AbortSignal.any would leave a record of
  // every poll on the process-long shutdown signal.
  const stop = new AbortController();
  const abort = () => stop.abort();
  const shutdown = shutdownSignal();
  if (shutdown.aborted || requestSignal?.aborted) abort();
  shutdown.addEventListener("abort", abort, { once: true });
  requestSignal?.addEventListener("abort", abort, { once: true });
  const signal = stop.signal;
  try {
    for (;;) {
      const wake = listenForWake(gatewayId);
      try {
        const commands = await claimPending(gatewayId);
        if (commands.length || Date.now() >= deadline || signal.aborted) return commands;
        park(gatewayId, 1);
        try {
          await wake.wait(Math.max(0, deadline - Date.now()), signal);
        } finally {
          park(gatewayId, -1);
        }
      } finally {
        wake.stop();
      }
    }
  } finally {
    shutdown.removeEventListener("abort", abort);
    requestSignal?.removeEventListener("abort", abort);
  }
}

export const ZAck = z.object({
  outcome: z.enum(["applied", "failed"]),
  detail: z.string().max(4000).optional(),
});

/** The body of POST /api/v1/connector/commands: the previous poll's acks, then a new long-poll. */
export const ZPollWithAcks = z.object({
  acks: z
    .array(ZAck.extend({ id: z.uuid() }))
    .max(50)
    .default([]),
});

type AckResult = { id: string; state: string; ackedAt: Date };
type AckJob = { actor: Actor; gatewayId: string; deliveryId: string; input: z.infer<typeof ZAck>; resolve: (r: AckResult) => void; reject: (e: unknown) => void };

/** Acks waiting for the next group commit, and whether one is running. */
const ackQueue: AckJob[] = [];
let ackFlushing = false;
const ACK_BATCH = 200;

/**
 * A gateway acknowledges one of its commands with the outcome; audited as the gateway. Resolves
 * once the ack and its audit event are committed.
 *
 * Acks are committed in groups: the first one starts a transaction at once, and those that arrive
 * while it runs go together in the next one (one chain-lock, one audit insert and one fsync for
 * all of them). A fan-out to hundreds of gateways otherwise queues its acks one by one on the
 * audit chain's lock. No ack waits for a timer.
 */
export function ackCommand(actor: Actor, gatewayId: string, deliveryId: string, input: z.infer<typeof ZAck>): Promise<AckResult> {
  return new Promise((resolve, reject) => {
    ackQueue.push({ actor, gatewayId, deliveryId, input, resolve, reject });
    if (!ackFlushing) void flushAcks();
  });
}

async function flushAcks() {
  ackFlushing = true;
  try {
    while (ackQueue.length) {
      // One job per delivery per group: a repeated ack of the same command goes in the next group.
      const batch: AckJob[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < ackQueue.length && batch.length < ACK_BATCH;) {
        if (seen.has(ackQueue[i].deliveryId)) i++;
        else {
          seen.add(ackQueue[i].deliveryId);
          batch.push(...ackQueue.splice(i, 1));
        }
      }
      try {
        await ackGroup(batch);
      } catch (err) {
        if (batch.length === 1) batch[0].reject(err);
        // A failed group is retried one by one, so one bad ack cannot fail the others.
        else for (const job of batch) await ackGroup([job]).catch((e) => job.reject(e));
      }
    }
  } finally {
    ackFlushing = false;
  }
}

type AckTarget = {
  id: string;
  gateway_id: string;
  type: string;
  state: string;
  acked_at: Date | null;
  action_id: string | null;
  kind: string;
  gateway_name: string;
  scope: string | null;
  target: string | null;
  action: string | null;
  incident_id: string | null;
  affected: { label?: string } | null;
};

async function ackGroup(batch: AckJob[]) {
  const results = await db.$transaction(async (tx) => {
    const found = await tx.$queryRaw<AckTarget[]>`
      select d.id::text, d.gateway_id::text, d.type, d.state::text, d.acked_at, d.action_id::text, d.kind, g.name as gateway_name,
             a.scope::text, a.target, a.action, a.incident_id::text, a.affected
        from gateway_commands d
        join gateways g on g.id = d.gateway_id
        left join containment_actions a on a.id = d.action_id
       where d.id = any(${batch.map((j) => j.deliveryId)}::uuid[])`;
    const byId = new Map(found.map((d) => [d.id, d]));
    const ok: { job: AckJob; d: AckTarget; state: "applied" | "failed" }[] = [];
    const out = new Map<AckJob, AckResult | AppError>();
    for (const job of batch) {
      const d = byId.get(job.deliveryId);
      const state = job.input.outcome === "applied" ? "applied" : "failed";
      if (!d || d.gateway_id !== job.gatewayId) out.set(job, new AppError("not_found", "No such command for this gateway."));
      // A repeated ack with the same outcome (a gateway resending after a lost answer) changes nothing.
      else if (d.state === state && d.acked_at) out.set(job, { id: d.id, state, ackedAt: d.acked_at });
      else ok.push({ job, d, state });
    }
    if (!ok.length) return out;
    const ackedAt = new Date();
    await tx.$executeRaw`
      update gateway_commands d set state = v.state::"DeliveryState", acked_at = ${ackedAt}, error = v.error
        from unnest(${ok.map((o) => o.d.id)}::uuid[], ${ok.map((o) => o.state)}::text[], ${ok.map((o) => (o.state === "failed" ? (o.job.input.detail ?? "failed") : null))}::text[]) as v(id, state, error)
       where d.id = v.id`;
    // A refresh the gateway applied makes it fetch the newest policy, which covers every older
    // refresh still waiting for its acknowledgement (lost in an outage): close those as superseded,
    // so they are neither redelivered nor escalated.
    const refreshed = ok.filter((o) => o.d.type === "policy_refresh" && o.state === "applied").map((o) => o.d.id);
    if (refreshed.length) {
      await tx.$executeRaw`
        update gateway_commands old set state = 'applied', acked_at = ${ackedAt}, error = 'superseded by a newer policy refresh'
          from gateway_commands cur
         where cur.id = any(${refreshed}::uuid[]) and old.gateway_id = cur.gateway_id and old.type = 'policy_refresh'
           and old.id <> cur.id and old.created_at <= cur.created_at and old.state in ('delivered', 'timed_out')`;
    }
    for (const { job, d, state } of ok) {
      out.set(job, { id: d.id, state, ackedAt });
      if (d.type !== "containment" || !d.action) continue;
      const detail = job.input.detail ?? null;
      await appendTimeline(tx, d.incident_id, timelineEntry.delivery({ containmentId: d.action_id, gateway: d.gateway_name, kind: d.kind, state, detail }));
      if (state === "failed") {
        const label = d.affected?.label ?? d.target ?? "";
        await notify(
          tx,
          "containment.failed",
          `Gateway ${d.gateway_name} could not ${d.kind === "release" ? "release" : "apply"} ${d.action.replace(/_/g, " ")} on ${d.scope} ${label}: ${detail ?? "failed"}`,
          { containmentId: d.action_id, deliveryId: d.id, gateway: d.gateway_name, kind: d.kind, detail },
        );
      }
    }
    // Last: the audit append serialises on one lock, held from here until commit only.
    await recordAuditMany(
      tx,
      ok.map(({ job, d, state }) => ({
        actor: job.actor,
        input: {
          action: "gateway.command_ack",
          outcome: state === "failed" ? "failure" : "success",
          targetType: d.type === "containment" ? "containment_delivery" : "gateway_command",
          targetId: d.id,
          before: { state: d.state },
          after: { state, detail: job.input.detail ?? null, type: d.type, actionId: d.action_id, kind: d.kind },
        },
      })),
    );
    return out;
  });
  for (const job of batch) {
    const r = results.get(job);
    if (r instanceof AppError) job.reject(r);
    else if (r) job.resolve(r);
  }
}
