import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { findingWhereOf, incidentWhereOf, teamScopeOf } from "@/lib/teams/scope";
import { recordAudit } from "@/lib/audit/record";
import { notify } from "@/lib/notify";
import { appendTimeline, timelineEntry } from "./timeline";
import { canTransition, STATUS_TRANSITIONS, type TIncidentNote, type TIncidentOpen, type TIncidentPostMortem, type TIncidentUpdate } from "./schema";

// Opening from a finding takes the findings lock: it is serialised with findings runs and
// dismissals, so a run cannot overwrite the finding's new "incident" status.
import { FINDINGS_LOCK } from "@/lib/findings/compute";

type Json = Prisma.InputJsonValue;
const iso = (d: Date) => d.toISOString();

const SNAPSHOT = {
  id: true,
  title: true,
  severity: true,
  status: true,
  ownerId: true,
  playbookId: true,
  findingId: true,
  summary: true,
  postMortem: true,
  dedupeKey: true,
  openedAt: true,
  closedAt: true,
  owner: { select: { id: true, name: true, email: true } },
  playbook: { select: { id: true, name: true } },
} as const satisfies Prisma.IncidentSelect;
export type IncidentSnapshot = Prisma.IncidentGetPayload<{ select: typeof SNAPSHOT }>;

async function load(tx: Tx, id: string, lock = false): Promise<IncidentSnapshot> {
  // Row lock first: two people changing one incident at once are applied one after the other,
  // each checking its transition against the status the other left.
  if (lock) await tx.$queryRaw`select id from incidents where id = ${id}::uuid for update`;
  const row = await tx.incident.findUnique({ where: { id }, select: SNAPSHOT });
  if (!row) throw new AppError("not_found", "No such incident.");
  return row;
}

/** Another team's incident is "no such incident" for a team-scoped actor. */
async function assertIncidentInScope(tx: Tx, actor: Actor, id: string): Promise<void> {
  const scope = teamScopeOf(actor);
  if (scope && !(await tx.incident.findFirst({ where: { id, ...incidentWhereOf(scope) }, select: { id: true } }))) throw new AppError("not_found", "No such incident.");
}

/** The audit's view of an incident: people by email, no post-mortem text (it is audited on its own). */
function auditView(i: IncidentSnapshot) {
  return {
    title: i.title,
    severity: i.severity,
    status: i.status,
    owner: i.owner?.email ?? null,
    playbook: i.playbook?.name ?? null,
    findingId: i.findingId,
    closedAt: i.closedAt,
  };
}

function changed(before: Record<string, unknown>, after: Record<string, unknown>) {
  const keys = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return { before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])) };
}

/** An owner must be an existing, active user. */
async function activeOwner(tx: Tx, ownerId: string) {
  const u = await tx.user.findUnique({ where: { id: ownerId }, select: { id: true, name: true, email: true, disabledAt: true } });
  if (!u) throw new AppError("invalid", "No such user.", { ownerId: ["No user with this id."] });
  if (u.disabledAt) throw new AppError("invalid", "This user is disabled.", { ownerId: ["A disabled user cannot own an incident."] });
  return u;
}

const FINDING_SELECT = {
  id: true,
  kind: true,
  severity: true,
  status: true,
  title: true,
  detail: true,
  gatewayId: true,
  agentId: true,
  toolName: true,
  firstSeenAt: true,
  lastSeenAt: true,
} as const satisfies Prisma.FindingSelect;

export type OpenOptions = {
  /** Automatic opens (playbook trigger, breaker): the same key returns the incident opened first. */
  dedupeKey?: string;
  /** How it was opened, for the timeline's "opened" entry (default: automatic with a dedupeKey, else manual). */
  source?: string;
};

/**
 * Open an incident inside the caller's transaction: by hand (title, severity) or from a finding
 * (title/severity copied unless given; the finding becomes "incident"; a "finding" timeline entry
 * keeps its details). A finding whose incident is not closed yet is refused (409, with that
 * incident's id). With `dedupeKey`, an existing incident with that key is returned instead
 * (`created: false`). Audited ("incident.open") and notified ("incident.opened") in the same tx.
 */
export async function openIncidentInTx(tx: Tx, actor: Actor, input: TIncidentOpen, opts: OpenOptions = {}): Promise<{ incident: IncidentSnapshot; created: boolean }> {
  if (opts.dedupeKey) {
    // The same lock as lib/playbooks/triggers.ts takes, so automatic opens of one cause serialise on either path.
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${opts.dedupeKey}::text))`;
    const existing = await tx.incident.findUnique({ where: { dedupeKey: opts.dedupeKey }, select: SNAPSHOT });
    if (existing) return { incident: existing, created: false };
  }

  let finding: Prisma.FindingGetPayload<{ select: typeof FINDING_SELECT }> | null = null;
  if (input.findingId) {
    await tx.$executeRaw`select pg_advisory_xact_lock(${FINDINGS_LOCK})`;
    finding = await tx.finding.findFirst({ where: { id: input.findingId, ...findingWhereOf(teamScopeOf(actor)) }, select: FINDING_SELECT });
    if (!finding) throw new AppError("not_found", "No such finding.", { findingId: ["No finding with this id."] });
    const current = await tx.incident.findFirst({ where: { findingId: finding.id, status: { not: "closed" } }, orderBy: { openedAt: "desc" }, select: { id: true, status: true } });
    if (current) throw new AppError("conflict", `An incident is already open for this finding: ${current.id} (${current.status}).`, { findingId: [`Already linked to incident ${current.id}.`] });
  }
  const title = input.title ?? finding?.title;
  const severity = input.severity ?? finding?.severity;
  if (!title || !severity) throw new AppError("invalid", "Some fields are not valid.", { ...(title ? {} : { title: ["Required."] }), ...(severity ? {} : { severity: ["Required."] }) });

  const owner = input.ownerId ? await activeOwner(tx, input.ownerId) : null;
  const playbook = input.playbookId ? await tx.playbook.findUnique({ where: { id: input.playbookId }, select: { id: true, name: true } }) : null;
  if (input.playbookId && !playbook) throw new AppError("invalid", "No such playbook.", { playbookId: ["No playbook with this id."] });

  const summary = input.summary ?? (finding ? `Opened from a ${finding.kind.replace(/_/g, " ")} finding first seen ${iso(finding.firstSeenAt)}.` : "");
  const { id } = await tx.incident.create({
    data: { title, severity, summary, ownerId: owner?.id ?? null, playbookId: playbook?.id ?? null, findingId: finding?.id ?? null, dedupeKey: opts.dedupeKey ?? null },
    select: { id: true },
  });
  const incident = await load(tx, id);

  await appendTimeline(
    tx,
    id,
    timelineEntry.opened({
      by: actor.label,
      title,
      severity,
      source: finding ? "finding" : (opts.source ?? (opts.dedupeKey ? "automatic" : "manual")),
      owner: owner ? { id: owner.id, name: owner.name } : null,
      playbook: playbook ?? null,
    }),
  );
  if (finding) {
    await appendTimeline(
      tx,
      id,
      timelineEntry.finding({
        findingId: finding.id,
        kind: finding.kind,
        severity: finding.severity,
        title: finding.title,
        gatewayId: finding.gatewayId,
        agentId: finding.agentId,
        toolName: finding.toolName,
        detail: (finding.detail ?? {}) as Json,
        firstSeenAt: iso(finding.firstSeenAt),
        lastSeenAt: iso(finding.lastSeenAt),
        openedBy: actor.label,
      }),
    );
    if (finding.status !== "incident") await tx.finding.update({ where: { id: finding.id }, data: { status: "incident" } });
  }
  await recordAudit(tx, actor, {
    action: "incident.open",
    targetType: "incident",
    targetId: id,
    before: finding ? { findingStatus: finding.status } : null,
    after: { ...auditView(incident), summary, ...(finding ? { findingStatus: "incident" } : {}), ...(opts.dedupeKey ? { dedupeKey: opts.dedupeKey } : {}) },
  });
  await notify(tx, "incident.opened", `Incident opened (${severity}): ${title}`, {
    incidentId: id,
    title,
    severity,
    status: incident.status,
    openedAt: iso(incident.openedAt),
    openedBy: actor.label,
    owner: owner?.email ?? null,
    playbook: playbook?.name ?? null,
    findingId: finding?.id ?? null,
  });
  return { incident, created: true };
}

/** Open an incident by hand or from a finding (see openIncidentInTx); returns the new incident. */
export async function openIncident(actor: Actor, input: TIncidentOpen): Promise<IncidentSnapshot> {
  return db.$transaction(async (tx) => (await openIncidentInTx(tx, actor, input)).incident);
}

/**
 * Change status, severity, owner (and, from the API, the post-mortem). Each change appends a
 * timeline entry with from/to and who. Status moves follow STATUS_TRANSITIONS; closing sets
 * closedAt; a closed incident only takes notes and its post-mortem. Audited as "incident.close"
 * when it closes, else "incident.update" (and "incident.post_mortem" for the text).
 */
export async function updateIncident(actor: Actor, input: TIncidentUpdate, now = new Date()): Promise<IncidentSnapshot> {
  return db.$transaction(async (tx) => {
    await assertIncidentInScope(tx, actor, input.id);
    const before = await load(tx, input.id, true);
    const wants = {
      status: input.status !== undefined && input.status !== before.status,
      severity: input.severity !== undefined && input.severity !== before.severity,
      owner: input.ownerId !== undefined && input.ownerId !== before.ownerId,
    };
    if (before.status === "closed" && (wants.status || wants.severity || wants.owner)) {
      throw new AppError("conflict", "This incident is closed: only notes and the post-mortem can change.");
    }
    if (wants.status && !canTransition(before.status, input.status!)) {
      const allowed = STATUS_TRANSITIONS[before.status];
      throw new AppError("invalid", `An incident cannot go from ${before.status} to ${input.status}.`, {
        status: [allowed.length ? `From ${before.status}: ${allowed.join(", ")}.` : `A ${before.status} incident cannot change status.`],
      });
    }
    // A request that changes nothing is a conflict (the change it asks for already happened, e.g. a
    // concurrent identical status change that committed first), never a second success.
    if (!wants.status && !wants.severity && !wants.owner && input.postMortem === undefined) {
      throw new AppError("conflict", input.status !== undefined ? `This incident is already ${before.status}.` : "Nothing to change: the incident already is as requested.");
    }
    const owner = wants.owner && input.ownerId ? await activeOwner(tx, input.ownerId) : null;

    const data: Prisma.IncidentUncheckedUpdateInput = {};
    if (wants.status) {
      data.status = input.status;
      if (input.status === "closed") data.closedAt = now;
    }
    if (wants.severity) data.severity = input.severity;
    if (wants.owner) data.ownerId = owner?.id ?? null;
    if (Object.keys(data).length) await tx.incident.update({ where: { id: before.id }, data });

    if (wants.status) await appendTimeline(tx, before.id, timelineEntry.status({ field: "status", from: before.status, to: input.status!, by: actor.label }));
    if (wants.severity) await appendTimeline(tx, before.id, timelineEntry.status({ field: "severity", from: before.severity, to: input.severity!, by: actor.label }));
    if (wants.owner) {
      await appendTimeline(
        tx,
        before.id,
        timelineEntry.owner({
          from: before.owner ? { id: before.owner.id, name: before.owner.name } : null,
          to: owner ? { id: owner.id, name: owner.name } : null,
          by: actor.label,
        }),
      );
    }
    if (Object.keys(data).length) {
      const after = await load(tx, before.id);
      await recordAudit(tx, actor, {
        action: data.status === "closed" ? "incident.close" : "incident.update",
        targetType: "incident",
        targetId: before.id,
        ...changed(auditView(before), auditView(after)),
      });
    }
    if (input.postMortem !== undefined) await writePostMortem(tx, actor, before, input.postMortem);
    return load(tx, before.id);
  });
}

/** Add a note to the timeline (author = the actor's label). Allowed on closed incidents too. */
export async function addIncidentNote(actor: Actor, input: TIncidentNote) {
  return db.$transaction(async (tx) => {
    const i = await tx.incident.findFirst({ where: { id: input.id, ...incidentWhereOf(teamScopeOf(actor)) }, select: { id: true, status: true } });
    if (!i) throw new AppError("not_found", "No such incident.");
    const ev = (await appendTimeline(tx, i.id, timelineEntry.note({ author: actor.label, text: input.text })))!;
    await recordAudit(tx, actor, { action: "incident.note", targetType: "incident", targetId: i.id, after: { text: input.text, status: i.status } });
    return { id: ev.id.toString(), incidentId: i.id, at: ev.at, author: actor.label, text: input.text };
  });
}

async function writePostMortem(tx: Tx, actor: Actor, before: IncidentSnapshot, raw: string) {
  const text = raw.trim() ? raw.replace(/\s+$/, "") : null;
  if (text === before.postMortem) return false;
  await tx.incident.update({ where: { id: before.id }, data: { postMortem: text } });
  const event = text === null ? "cleared" : before.postMortem ? "updated" : "written";
  await appendTimeline(tx, before.id, timelineEntry.post_mortem({ event, by: actor.label, length: text?.length ?? 0 }));
  await recordAudit(tx, actor, { action: "incident.post_mortem", targetType: "incident", targetId: before.id, before: { postMortem: before.postMortem }, after: { postMortem: text } });
  return true;
}

/** Write or replace the post-mortem (plain text); an empty text clears it. Allowed in any status. */
export async function setPostMortem(actor: Actor, input: TIncidentPostMortem) {
  return db.$transaction(async (tx) => {
    await assertIncidentInScope(tx, actor, input.id);
    const before = await load(tx, input.id, true);
    const saved = await writePostMortem(tx, actor, before, input.postMortem);
    const after = await load(tx, before.id);
    return { id: after.id, postMortem: after.postMortem, changed: saved };
  });
}
