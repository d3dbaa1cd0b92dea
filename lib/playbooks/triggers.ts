import "server-only";
import { randomUUID } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { SYSTEM_ACTOR, type Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { appendTimeline, timelineEntry } from "@/lib/incidents/timeline";
import { notify } from "@/lib/notify";
import { openIncidentInTx } from "@/lib/incidents/service";
import { afterContainCommit, containInTx } from "@/lib/containment/service";
import { sortSteps, stepActionOf } from "./queries";
import { parseTriggerConfig, TRIGGER_LABELS, type PlaybookTriggerName, type SeverityName, type TPlaybookRun, type TriggerConfig, type TStepAction } from "./schema";

const MINUTE = 60_000;
/**
 * Advisory flags are matched "since the playbook's last fire"; this grace covers a flag set while
 * the previous fire was being committed. The dedupe key keeps one incident per flag regardless.
 */
const ADVISORY_GRACE_MS = 10 * MINUTE;
/** The cause-key prefix of runs by hand (the automatic triggers' "since the last fire" ignores them). */
const MANUAL_KEY = "manual:";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a playbook fires: `key` makes the incident unique (one incident per playbook and cause). */
export type FireCause = { key: string; summary: string; detail: Record<string, unknown> };

/** What one automated action of a fired playbook did (also its timeline entry). */
export type ActionOutcome = {
  stepId: string;
  step: string;
  phase: string;
  type: TStepAction["type"];
  target: string;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: string;
};

export type FireResult = { incidentId: string; dedupeKey: string; severity: SeverityName; actions: ActionOutcome[]; gatewayIds: string[] };

/** The incident dedupe key of a playbook and a cause. */
export function dedupeKeyOf(playbookId: string, causeKey: string) {
  return `playbook:${playbookId}:${causeKey}`;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const byIdOrName = (target: string) => (UUID.test(target) ? { OR: [{ id: target }, { name: target }] } : { name: target });

/**
 * Run one automated action inside a savepoint: a failing action (unknown target, a gateway-side
 * error) is recorded on the timeline as failed and rolled back alone, and the incident still opens.
 */
async function runAction(
  tx: Tx,
  a: TStepAction,
  ctx: { playbook: { id: string; name: string }; incidentId: string; reason: string; summary: string; severity: SeverityName; cause: FireCause; now: Date; actor: Actor },
) {
  await tx.$executeRawUnsafe("savepoint playbook_action");
  try {
    let result: Record<string, unknown>;
    let gatewayIds: string[] = [];
    switch (a.type) {
      case "deny_tool":
      case "require_approval":
      case "suspend_agent": {
        const scope = a.type === "suspend_agent" ? "agent" : "tool";
        const res = await containInTx(tx, ctx.actor, { scope, target: a.target, action: a.type, reason: ctx.reason, incidentId: ctx.incidentId, source: "playbook" });
        gatewayIds = (res as { gatewayIds?: string[] }).gatewayIds ?? [];
        result = { containmentId: res.id, gateways: res.gateways };
        break;
      }
      case "switch_fallback": {
        const integ = await tx.integration.findFirst({ where: byIdOrName(a.target), select: { id: true, name: true, fallbackActiveAt: true, degradation: true } });
        if (!integ) throw new AppError("not_found", `No integration named "${a.target}".`);
        if (integ.fallbackActiveAt) {
          result = { integrationId: integ.id, integration: integ.name, alreadyActiveSince: integ.fallbackActiveAt.toISOString() };
          break;
        }
        await tx.integration.update({ where: { id: integ.id }, data: { fallbackActiveAt: ctx.now }, select: { id: true } });
        await recordAudit(tx, ctx.actor, {
          action: "integration.fallback_on",
          targetType: "integration",
          targetId: integ.id,
          before: { fallbackActiveAt: null },
          after: { fallbackActiveAt: ctx.now, degradation: integ.degradation, reason: ctx.reason, incidentId: ctx.incidentId, playbookId: ctx.playbook.id },
        });
        result = { integrationId: integ.id, integration: integ.name, fallbackActiveAt: ctx.now.toISOString() };
        break;
      }
      case "notify": {
        const queued = await notify(tx, "incident.opened", `${ctx.summary} (notify: ${a.target})`, {
          incidentId: ctx.incidentId,
          playbookId: ctx.playbook.id,
          playbook: ctx.playbook.name,
          severity: ctx.severity,
          target: a.target,
          cause: { key: ctx.cause.key, summary: ctx.cause.summary, detail: ctx.cause.detail },
        });
        result = { queued };
        break;
      }
    }
    await tx.$executeRawUnsafe("release savepoint playbook_action");
    return { ok: true as const, result, gatewayIds };
  } catch (err) {
    await tx.$executeRawUnsafe("rollback to savepoint playbook_action");
    const message = err instanceof AppError ? err.message : "Internal error while running the action.";
    if (!(err instanceof AppError)) console.error("warden: playbook action failed", err);
    return { ok: false as const, error: message, gatewayIds: [] as string[] };
  }
}

/**
 * Fire a playbook in the caller's transaction: open an incident through openIncidentInTx (dedupe
 * key `playbook:<id>:<cause key>`; an existing incident with that key means nothing happens and
 * null is returned), linked to the playbook (and the finding, for hash drift), record the cause on
 * its timeline, then run the steps' automated actions in run order, each with its own timeline
 * entry. Audited as playbook.fire. `now` stamps fallback switches. After the caller's commit, pass
 * `gatewayIds` to afterContainCommit() to wake the gateways.
 */
export async function firePlaybook(tx: Tx, playbook: { id: string; name?: string }, cause: FireCause, opts: { now?: Date; findingId?: string | null; actor?: Actor } = {}): Promise<FireResult | null> {
  const now = opts.now ?? new Date();
  const actor = opts.actor ?? SYSTEM_ACTOR;
  const dedupeKey = dedupeKeyOf(playbook.id, cause.key);
  // Two ticks (or two app replicas) racing on the same cause: the second waits, then sees the
  // incident (openIncidentInTx takes the same lock; taking it first keeps the check cheap).
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${dedupeKey}::text))`;
  if (await tx.incident.findUnique({ where: { dedupeKey }, select: { id: true } })) return null;

  const p = await tx.playbook.findUnique({
    where: { id: playbook.id },
    select: { id: true, name: true, trigger: true, triggerConfig: true, steps: { select: { id: true, phase: true, position: true, title: true, action: true } } },
  });
  if (!p) throw new AppError("not_found", "No such playbook.");
  const config = parseTriggerConfig(p.trigger, p.triggerConfig);
  const severity: SeverityName = (config.success && (config.data as { severity?: SeverityName }).severity) || "high";
  const summary = `Playbook "${p.name}" (${TRIGGER_LABELS[p.trigger]}): ${cause.summary}`;

  // A finding already handled by an open incident is not linked twice (the cause still names it).
  let findingId = opts.findingId ?? null;
  if (findingId && (await tx.incident.findFirst({ where: { findingId, status: { not: "closed" } }, select: { id: true } }))) findingId = null;
  // The one path that opens incidents: "opened" timeline entry, incident.open audit, notification.
  const opened = await openIncidentInTx(
    tx,
    actor,
    { title: clip(`${p.name}: ${cause.summary}`, 200), severity, summary: clip(summary, 4000), playbookId: p.id, ...(findingId ? { findingId } : {}) },
    { dedupeKey, ...(cause.key.startsWith(MANUAL_KEY) ? { source: "playbook run by hand" } : {}) },
  );
  if (!opened.created) return null;
  const incident = { id: opened.incident.id };
  await appendTimeline(
    tx,
    incident.id,
    timelineEntry.playbook({ event: "fired", playbookId: p.id, playbook: p.name, trigger: p.trigger, cause: { key: cause.key, summary: cause.summary, detail: cause.detail } }),
  );

  const reason = clip(`playbook ${p.name}: ${cause.summary}`, 1000);
  const actions: ActionOutcome[] = [];
  const gatewayIds = new Set<string>();
  for (const step of sortSteps(p.steps)) {
    const a = stepActionOf(step.action);
    if (!a) continue;
    const res = await runAction(tx, a, { playbook: p, incidentId: incident.id, reason, summary, severity, cause, now, actor });
    res.gatewayIds.forEach((g) => gatewayIds.add(g));
    const outcome: ActionOutcome = { stepId: step.id, step: step.title, phase: step.phase, type: a.type, target: a.target, ok: res.ok, ...(res.ok ? { result: res.result } : { error: res.error }) };
    actions.push(outcome);
    await appendTimeline(tx, incident.id, timelineEntry.playbook({ event: "action", playbookId: p.id, ...outcome }));
  }
  await recordAudit(tx, actor, {
    // A run whose automated actions did not all succeed is a failure; the row lists which failed.
    action: "playbook.fire",
    outcome: actions.every((a) => a.ok) ? "success" : "failure",
    targetType: "playbook",
    targetId: p.id,
    after: {
      incidentId: incident.id,
      dedupeKey,
      severity,
      cause: { key: cause.key, summary: cause.summary, detail: cause.detail },
      actions: actions.map(({ type, target, ok, error }) => ({ type, target, ok, error: error ?? null })),
    },
  });
  return { incidentId: incident.id, dedupeKey, severity, actions, gatewayIds: [...gatewayIds] };
}

/**
 * Run a playbook by hand (POST /api/v1/playbooks/{id}/run, the "Run now" button): one new incident
 * per run, its cause the person and their reason, then the steps' automated actions in run order,
 * all in one transaction audited as playbook.fire with the person as actor. Gateways are woken
 * after the commit. A person only: an automated caller has the triggers.
 */
export async function runPlaybookNow(actor: Actor, input: TPlaybookRun): Promise<Omit<FireResult, "gatewayIds">> {
  if (!actor.userId) throw new AppError("forbidden", "A playbook is run by hand by a person: sign in, or use a personal API token.");
  const cause: FireCause = {
    key: `${MANUAL_KEY}${randomUUID()}`,
    summary: clip(`run by hand by ${actor.label}: ${input.reason}`, 300),
    detail: { reason: input.reason, by: actor.label, userId: actor.userId },
  };
  const res = await db.$transaction(async (tx) => {
    if (input.expectedUpdatedAt) {
      // FOR SHARE: an edit waits until this run commits, so the steps run are the steps confirmed.
      const [row] = await tx.$queryRaw<{ updated_at: Date }[]>`select updated_at from playbooks where id = ${input.id}::uuid for share`;
      if (row && row.updated_at.getTime() !== input.expectedUpdatedAt.getTime()) {
        throw new AppError("conflict", "This playbook was changed after you opened it: review its steps, then run it again.", { expectedUpdatedAt: [`Changed at ${row.updated_at.toISOString()}.`] });
      }
    }
    return firePlaybook(tx, { id: input.id }, cause, { actor });
  });
  // The key is new for every run, so an incident always opens.
  if (!res) throw new AppError("conflict", "This run was already recorded.");
  if (res.gatewayIds.length) afterContainCommit(res.gatewayIds);
  return { incidentId: res.incidentId, dedupeKey: res.dedupeKey, severity: res.severity, actions: res.actions };
}

/** When this playbook last opened an incident on its own (null: never). Runs by hand do not count. */
async function lastFireAt(playbookId: string): Promise<Date | null> {
  const last = await db.incident.findFirst({
    where: { playbookId, dedupeKey: { startsWith: `playbook:${playbookId}:` }, NOT: { dedupeKey: { startsWith: `playbook:${playbookId}:${MANUAL_KEY}` } } },
    orderBy: { openedAt: "desc" },
    select: { openedAt: true },
  });
  return last?.openedAt ?? null;
}

type Candidate = { cause: FireCause; findingId?: string };
type TickPlaybook = { id: string; name: string; trigger: PlaybookTriggerName };

/** Advisories flagged on the followed integration or tool (or any) since the playbook's last fire. */
async function advisoryCauses(p: TickPlaybook, c: TriggerConfig["vendor_advisory"]): Promise<Candidate[]> {
  const last = await lastFireAt(p.id);
  const flagged = { not: null, ...(last ? { gt: new Date(last.getTime() - ADVISORY_GRACE_MS) } : {}) };
  const [integrations, tools] = await Promise.all([
    c.toolName
      ? []
      : db.integration.findMany({
          where: { advisoryFlaggedAt: flagged, ...(c.integrationId ? { id: c.integrationId } : {}) },
          select: { id: true, name: true, advisoryFlaggedAt: true, advisoryNote: true },
        }),
    c.integrationId
      ? []
      : db.tool.findMany({ where: { advisoryFlaggedAt: flagged, ...(c.toolName ? { name: c.toolName } : {}) }, select: { id: true, name: true, advisoryFlaggedAt: true, advisoryNote: true } }),
  ]);
  const cause = (kind: "integration" | "tool", r: { id: string; name: string; advisoryFlaggedAt: Date | null; advisoryNote: string | null }): Candidate => ({
    cause: {
      key: `advisory:${kind}:${r.id}:${r.advisoryFlaggedAt!.getTime()}`,
      summary: clip(`vendor advisory on ${kind} ${r.name}${r.advisoryNote ? ` — ${r.advisoryNote}` : ""}`, 300),
      detail: { [`${kind}Id`]: r.id, [kind]: r.name, advisoryFlaggedAt: r.advisoryFlaggedAt!.toISOString(), advisoryNote: r.advisoryNote },
    },
  });
  return [...integrations.map((r) => cause("integration", r)), ...tools.map((r) => cause("tool", r))];
}

/**
 * At least `count` blocked tool calls (fleet-wide) in the last `minutes`, counting only calls after
 * the playbook's last fire so one burst opens one incident. A raw count: tool_calls is partitioned
 * by day and the occurred_at range lets Postgres prune to the days concerned.
 */
async function burstCauses(p: TickPlaybook, c: TriggerConfig["unapproved_burst"], now: Date): Promise<Candidate[]> {
  const last = await lastFireAt(p.id);
  const windowStart = new Date(Math.max(now.getTime() - c.minutes * MINUTE, last ? last.getTime() + 1 : 0));
  const [{ n }] = await db.$queryRaw<{ n: number }[]>`
    select count(*)::int as n from tool_calls
    where decision = 'blocked' and occurred_at >= ${windowStart} and occurred_at <= ${now}`;
  if (n < c.count) return [];
  const top = await db.$queryRaw<{ tool_name: string; agent_name: string; n: number }[]>`
    select tool_name, agent_name, count(*)::int as n from tool_calls
    where decision = 'blocked' and occurred_at >= ${windowStart} and occurred_at <= ${now}
    group by tool_name, agent_name order by n desc, tool_name limit 5`;
  const bucket = Math.floor(now.getTime() / (c.minutes * MINUTE));
  return [
    {
      cause: {
        key: `burst:${c.minutes}m:${bucket}`,
        summary: `${n} blocked tool calls within ${c.minutes} min (threshold ${c.count})`,
        detail: {
          blocked: n,
          threshold: c.count,
          minutes: c.minutes,
          since: windowStart.toISOString(),
          until: now.toISOString(),
          top: top.map((t) => ({ tool: t.tool_name, agent: t.agent_name, calls: t.n })),
        },
      },
    },
  ];
}

type DriftFinding = { id: string; title: string; toolName: string | null; agentId: string | null; gatewayId: string | null; severity: string; detail: unknown; agent: { name: string } | null };

function driftCauses(c: TriggerConfig["hash_drift"], findings: DriftFinding[]): Candidate[] {
  return findings
    .filter((f) => !c.toolName || f.toolName === c.toolName)
    .map((f) => ({
      findingId: f.id,
      cause: {
        key: `finding:${f.id}`,
        summary: clip(`hash drift on ${f.toolName ?? "a tool"}${f.agent ? ` (agent ${f.agent.name})` : ""}`, 300),
        detail: { findingId: f.id, title: f.title, toolName: f.toolName, agentId: f.agentId, gatewayId: f.gatewayId, severity: f.severity, detail: f.detail },
      },
    }));
}

export type TickResult = {
  fired: { playbookId: string; incidentId: string; dedupeKey: string }[];
  skipped: { playbookId: string; reason: string }[];
  failed: { playbookId: string; error: string }[];
};

/**
 * One scheduler tick: check every automatic playbook's trigger (vendor advisory, burst of blocked
 * calls, hash drift; spend thresholds are pushed by the breaker through fireSpendPlaybooks) and fire
 * those whose condition holds. Each fire commits on its own; a cause already handled opens nothing.
 */
export async function evaluatePlaybookTriggers({ now = new Date(), playbookIds }: { now?: Date; playbookIds?: string[] } = {}): Promise<TickResult> {
  const out: TickResult = { fired: [], skipped: [], failed: [] };
  const playbooks = await db.playbook.findMany({
    where: { trigger: { in: ["vendor_advisory", "unapproved_burst", "hash_drift"] }, ...(playbookIds ? { id: { in: playbookIds } } : {}) },
    orderBy: { name: "asc" },
    select: { id: true, name: true, trigger: true, triggerConfig: true },
  });
  // Read once per tick, before anything fires: firing marks a finding as "incident", and every
  // playbook that follows hash drift should still see it in this tick.
  const drift: DriftFinding[] = playbooks.some((p) => p.trigger === "hash_drift")
    ? await db.finding.findMany({
        where: { kind: "hash_drift", status: "open" },
        orderBy: { firstSeenAt: "asc" },
        take: 500,
        select: { id: true, title: true, toolName: true, agentId: true, gatewayId: true, severity: true, detail: true, agent: { select: { name: true } } },
      })
    : [];

  for (const p of playbooks) {
    const parsed = parseTriggerConfig(p.trigger, p.triggerConfig);
    if (!parsed.success) {
      out.skipped.push({ playbookId: p.id, reason: "trigger configuration not valid" });
      continue;
    }
    try {
      const candidates =
        p.trigger === "vendor_advisory"
          ? await advisoryCauses(p, parsed.data as TriggerConfig["vendor_advisory"])
          : p.trigger === "unapproved_burst"
            ? await burstCauses(p, parsed.data as TriggerConfig["unapproved_burst"], now)
            : driftCauses(parsed.data as TriggerConfig["hash_drift"], drift);
      if (candidates.length === 0) continue;
      // Skip causes already handled without opening a transaction for each.
      const keys = candidates.map((c) => dedupeKeyOf(p.id, c.cause.key));
      const seen = new Set((await db.incident.findMany({ where: { dedupeKey: { in: keys } }, select: { dedupeKey: true } })).map((i) => i.dedupeKey));
      for (const c of candidates) {
        if (seen.has(dedupeKeyOf(p.id, c.cause.key))) continue;
        const res = await db.$transaction((tx) => firePlaybook(tx, p, c.cause, { now, findingId: c.findingId ?? null }));
        if (!res) continue;
        if (res.gatewayIds.length) afterContainCommit(res.gatewayIds);
        out.fired.push({ playbookId: p.id, incidentId: res.incidentId, dedupeKey: res.dedupeKey });
      }
    } catch (err) {
      console.error(`warden: playbook ${p.name} could not be evaluated`, err);
      out.failed.push({ playbookId: p.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/**
 * For the spend breaker, in its transaction: fire the spend_threshold playbooks following this
 * budget (config agentId, absent = the fleet) at this threshold, keyed
 * `spend:<agentId|fleet>:<day>:<percent>` so each fires once a day. Returns what fired; pass the
 * union of `gatewayIds` to afterContainCommit() after the commit.
 */
export async function fireSpendPlaybooks(tx: Tx, input: { agentId: string | null; percent: number; day: Date | string }, opts: { now?: Date } = {}): Promise<FireResult[]> {
  const day = typeof input.day === "string" ? input.day.slice(0, 10) : input.day.toISOString().slice(0, 10);
  const playbooks = await tx.playbook.findMany({ where: { trigger: "spend_threshold" }, orderBy: { name: "asc" }, select: { id: true, name: true, triggerConfig: true } });
  const matching = playbooks.filter((p) => {
    const c = parseTriggerConfig("spend_threshold", p.triggerConfig);
    return c.success && c.data.percent === input.percent && (c.data.agentId ?? null) === input.agentId;
  });
  if (matching.length === 0) return [];
  const agent = input.agentId ? await tx.agent.findUnique({ where: { id: input.agentId }, select: { name: true } }) : null;
  const who = input.agentId ? `agent ${agent?.name ?? input.agentId}` : "the fleet";
  const cause: FireCause = {
    key: `spend:${input.agentId ?? "fleet"}:${day}:${input.percent}`,
    summary: `${who} reached ${input.percent} % of its daily budget (${day})`,
    detail: { agentId: input.agentId, agent: agent?.name ?? null, percent: input.percent, day },
  };
  const out: FireResult[] = [];
  for (const p of matching) {
    const res = await firePlaybook(tx, p, cause, { now: opts.now });
    if (res) out.push(res);
  }
  return out;
}
