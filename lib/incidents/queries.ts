import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { findingWhereOf, incidentWhereOf, toolCallWhereOf, type TeamScope } from "@/lib/teams/scope";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Scope } from "@/lib/auth/roles";
import { CSV_MAX_ROWS, parseListQuery, skipTake, sortKey, textContains, type ListResult } from "@/lib/list";
import { toCsv } from "@/lib/csv";
import type { TimelineEntry } from "./types";
import { parseTimelineEvent, type TimelineEvent } from "./timeline-schema";
import { INCIDENT_STATUSES, SEVERITIES, type IncidentStatusName } from "./schema";

export type { TimelineEntry, TimelineTone } from "./types";

/** Who may see incidents (pages and GET routes); changing them needs "incidents:manage". */
export const INCIDENT_READ_SCOPE: Scope = "registry:read";

const HOUR = 3_600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Bounds of the detail page: every query below has a LIMIT and uses an index (or a small table).
export const TIMELINE_EVENT_LIMIT = 500;
export const ACTION_LIMIT = 50;
export const DELIVERY_LIMIT = 100;
export const RELATED_FINDING_LIMIT = 20;
export const RELATED_CALL_LIMIT = 50;

/** URL filters of the incident list (beside q, sort, dir, page, pageSize). */
export const INCIDENT_FILTERS = {
  status: z.enum(INCIDENT_STATUSES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  dir: z.enum(["asc", "desc"]).default("desc"),
};

/** Parse the list URL (page or API): invalid values are dropped and reported in `invalid`. */
export function parseIncidentQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, INCIDENT_FILTERS);
}
export type TIncidentListQuery = ReturnType<typeof parseIncidentQuery>["query"];

export const INCIDENT_SORTS = ["openedAt", "severity", "status", "title", "closedAt"] as const;

function whereOf(q: TIncidentListQuery): Prisma.IncidentWhereInput {
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(q.severity ? { severity: q.severity } : {}),
    ...(q.q ? { title: textContains(q.q) } : {}),
  };
}

const LIST_SELECT = {
  id: true,
  title: true,
  severity: true,
  status: true,
  openedAt: true,
  closedAt: true,
  findingId: true,
  owner: { select: { id: true, name: true, email: true } },
  playbook: { select: { id: true, name: true } },
} as const satisfies Prisma.IncidentSelect;
export type IncidentRow = Prisma.IncidentGetPayload<{ select: typeof LIST_SELECT }>;

/** One page of incidents: filters, title search, allowlisted sort (newest first by default). */
export async function listIncidents(q: TIncidentListQuery, scope: TeamScope = null): Promise<ListResult<IncidentRow>> {
  const where = { AND: [whereOf(q), incidentWhereOf(scope)] };
  const [rows, total] = await Promise.all([db.incident.findMany({ where, orderBy: orderOf(q), ...skipTake(q), select: LIST_SELECT }), db.incident.count({ where })]);
  return { rows, total, page: q.page, pageSize: q.pageSize };
}

function orderOf(q: TIncidentListQuery): Prisma.IncidentOrderByWithRelationInput[] {
  const key = sortKey(q.sort, INCIDENT_SORTS, "openedAt");
  return [{ [key]: q.dir }, { openedAt: "desc" }, { id: "asc" }];
}

const CSV_COLUMNS = ["id", "title", "severity", "status", "owner", "playbook", "opened_at", "closed_at", "from_finding"].map((k) => ({ key: k, header: k }));

/** The current view (filters and sort, every page up to CSV_MAX_ROWS) as CSV, formula-neutralised. */
export async function exportIncidentsCsv(q: TIncidentListQuery, scope: TeamScope = null): Promise<{ csv: string; rows: number }> {
  const rows = await db.incident.findMany({ where: { AND: [whereOf(q), incidentWhereOf(scope)] }, orderBy: orderOf(q), take: CSV_MAX_ROWS, select: LIST_SELECT });
  const flat = rows.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    owner: r.owner?.email ?? null,
    playbook: r.playbook?.name ?? null,
    opened_at: r.openedAt,
    closed_at: r.closedAt,
    from_finding: r.findingId,
  }));
  return { csv: toCsv(CSV_COLUMNS, flat), rows: flat.length };
}

/** How many incidents are in each status (all four keys, zeros included). */
export async function incidentCounts(scope: TeamScope = null): Promise<Record<IncidentStatusName, number>> {
  const groups = await db.incident.groupBy({ by: ["status"], where: incidentWhereOf(scope), _count: { _all: true } });
  const out = Object.fromEntries(INCIDENT_STATUSES.map((s) => [s, 0])) as Record<IncidentStatusName, number>;
  for (const g of groups) out[g.status] = g._count._all;
  return out;
}

/** Owners and playbooks to choose from in the incident forms (active users only). */
export async function incidentFormChoices() {
  const [owners, playbooks] = await Promise.all([
    db.user.findMany({ where: { disabledAt: null }, orderBy: { name: "asc" }, take: 500, select: { id: true, name: true, email: true } }),
    db.playbook.findMany({ orderBy: { name: "asc" }, take: 500, select: { id: true, name: true } }),
  ]);
  return { owners, playbooks };
}

// ───────────────────────────── detail and merged timeline ─────────────────────────────

const DETAIL_SELECT = {
  id: true,
  title: true,
  severity: true,
  status: true,
  summary: true,
  postMortem: true,
  dedupeKey: true,
  openedAt: true,
  closedAt: true,
  ownerId: true,
  playbookId: true,
  findingId: true,
  owner: { select: { id: true, name: true, email: true, disabledAt: true } },
  playbook: { select: { id: true, name: true, description: true, trigger: true, breakGlass: true, contacts: true } },
  finding: {
    select: {
      id: true,
      kind: true,
      severity: true,
      status: true,
      title: true,
      gatewayId: true,
      agentId: true,
      toolName: true,
      firstSeenAt: true,
      lastSeenAt: true,
      gateway: { select: { name: true } },
      agent: { select: { name: true } },
    },
  },
} as const satisfies Prisma.IncidentSelect;

const ACTION_SELECT = {
  id: true,
  scope: true,
  target: true,
  action: true,
  reason: true,
  status: true,
  source: true,
  createdAt: true,
  releasedAt: true,
  releaseReason: true,
  affected: true,
  requestedBy: { select: { name: true, email: true } },
  deliveries: {
    orderBy: [{ createdAt: "asc" }, { gateway: { name: "asc" } }, { id: "asc" }],
    take: DELIVERY_LIMIT,
    select: {
      id: true,
      kind: true,
      state: true,
      attempts: true,
      deliveredAt: true,
      ackedAt: true,
      escalatedAt: true,
      error: true,
      wsState: true,
      wsAt: true,
      createdAt: true,
      gateway: { select: { id: true, name: true } },
    },
  },
  _count: { select: { deliveries: true } },
} as const satisfies Prisma.ContainmentActionSelect;

type ActionRow = Prisma.ContainmentActionGetPayload<{ select: typeof ACTION_SELECT }>;
type Ref = { id: string; name: string };

/** The blast radius snapshot stored on an action, read defensively. */
function affectedOf(a: { affected: unknown; target: string }) {
  const v = (a.affected && typeof a.affected === "object" && !Array.isArray(a.affected) ? a.affected : {}) as { gateways?: unknown; agents?: unknown; label?: unknown };
  const refs = (x: unknown): Ref[] => (Array.isArray(x) ? x.filter((r): r is Ref => !!r && typeof r === "object" && typeof (r as Ref).id === "string" && typeof (r as Ref).name === "string") : []);
  return { label: typeof v.label === "string" ? v.label : a.target, gateways: refs(v.gateways), agents: refs(v.agents) };
}

function shapeAction(a: ActionRow) {
  const aff = affectedOf(a);
  return {
    id: a.id,
    scope: a.scope,
    target: a.target,
    label: aff.label,
    action: a.action,
    reason: a.reason,
    status: a.status,
    source: a.source,
    createdAt: a.createdAt,
    releasedAt: a.releasedAt,
    releaseReason: a.releaseReason,
    requestedBy: a.requestedBy ? `${a.requestedBy.name} (${a.requestedBy.email})` : null,
    affectedGateways: aff.gateways.length,
    affectedAgents: aff.agents.length,
    deliveries: a.deliveries.map((d) => ({ ...d, gatewayName: d.gateway.name, gatewayId: d.gateway.id })),
    deliveriesTotal: a._count.deliveries,
  };
}
export type IncidentAction = ReturnType<typeof shapeAction>;

/**
 * What an incident is about, the one rule for "related" (findings and blocked calls on its timeline):
 * the agent its finding names, or the finding's tool when it names no agent, or the finding's
 * gateway when it names neither; plus every agent, tool and gateway it contained (a fleet-wide
 * containment relates every blocked call). A finding's gateway or tool alone never makes another
 * agent's finding related: every agent on a gateway shares it.
 */
function targetsOf(finding: { gatewayId: string | null; agentId: string | null; toolName: string | null } | null, actions: IncidentAction[]) {
  const agents = new Set<string>(),
    tools = new Set<string>(),
    gateways = new Set<string>();
  let fleet = false;
  if (finding?.agentId) agents.add(finding.agentId);
  else if (finding?.toolName) tools.add(finding.toolName);
  else if (finding?.gatewayId) gateways.add(finding.gatewayId);
  for (const a of actions) {
    if (a.scope === "tool") tools.add(a.target);
    else if (a.scope === "agent" && UUID.test(a.target)) agents.add(a.target.toLowerCase());
    else if (a.scope === "gateway" && UUID.test(a.target)) gateways.add(a.target.toLowerCase());
    else if (a.scope === "fleet") fleet = true;
  }
  return { agents: [...agents], tools: [...tools], gateways: [...gateways], fleet };
}

/**
 * The time an incident covers: from an hour before the earliest of its opening and its finding's
 * first sighting (the call that raised it), to its close or now. An incident opened days after its
 * finding still shows the calls that caused it.
 */
export function incidentWindow(incident: { openedAt: Date; closedAt: Date | null; finding: { firstSeenAt: Date } | null }, now = new Date()): { from: Date; to: Date } {
  const start = Math.min(incident.openedAt.getTime(), incident.finding?.firstSeenAt.getTime() ?? Infinity);
  return { from: new Date(start - HOUR), to: incident.closedAt ?? now };
}

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null);
const words = (s: string) => s.replace(/_/g, " ");
const clip = (s: string | null, max: number) => (s && s.length > max ? `${s.slice(0, max)}…` : s);
const nameOf = (v: unknown): string => (v && typeof v === "object" && typeof (v as { name?: unknown }).name === "string" ? (v as { name: string }).name : "nobody");

/** The primitive fields of an event body, for kinds without their own wording. */
function factsOf(body: Record<string, unknown>, skip: string[] = []): [string, string][] {
  return Object.entries(body)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]): [string, string | null] => [k, str(v)])
    .filter((e): e is [string, string] => e[1] !== null)
    .slice(0, 8)
    .map(([k, v]) => [words(k.length > 60 ? `${k.slice(0, 60)}…` : k), v.length > 300 ? `${v.slice(0, 300)}…` : v]);
}

const cmdOf = (kind: unknown) => (kind === "release" ? "release of" : "command");

/**
 * Identity of a stored delivery event, matching the derived entry for the same fact, so the merge
 * shows each ack/escalation once. Stored bodies (lib/outbox/commands.ts, lib/containment/
 * escalation.ts) carry containmentId + gateway name + kind, not the delivery id.
 */
function deliveryFactKey(b: TimelineBodyOf<"delivery">): string | null {
  if (!b.containmentId) return null;
  const kind = b.kind ?? "apply";
  if (b.escalated === true) return `escalated:${b.containmentId}:${b.gateway}:${kind}`;
  if (b.path === undefined && (b.state === "applied" || b.state === "failed")) return `acked:${b.containmentId}:${b.gateway}:${kind}`;
  return null;
}

type ActionNames = Map<string, string>;
type TimelineBodyOf<K extends TimelineEvent["kind"]> = Extract<TimelineEvent, { kind: K }>["body"];

/** Wording of a stored timeline event (IncidentEvent), parsed with the timeline schema; rows that do not fit it read as a plain entry. */
function describeEvent(e: { id: bigint; at: Date; kind: string; body: unknown }, actionNames: ActionNames): TimelineEntry {
  const parsed = parseTimelineEvent(e.kind, e.body);
  if (!parsed.ok) return describeUnrecognised(e, parsed.body);
  const ev = parsed.event;
  const base = { key: `ev-${e.id}`, at: e.at, kind: ev.kind, source: "event" as const };
  switch (ev.kind) {
    case "opened": {
      const b = ev.body;
      return {
        ...base,
        by: b.by ?? null,
        title: b.severity ? `Incident opened (${b.severity})` : "Incident opened",
        tone: "blue",
        facts: [["source", b.source ?? "manual"], ...(b.owner ? [["owner", nameOf(b.owner)] as [string, string]] : []), ...(b.playbook ? [["playbook", nameOf(b.playbook)] as [string, string]] : [])],
      };
    }
    case "note":
      return { ...base, by: ev.body.author ?? ev.body.by ?? null, title: "Note", text: ev.body.text };
    case "status": {
      const b = ev.body;
      return { ...base, by: b.by ?? null, title: `${b.field === "severity" ? "Severity" : "Status"}: ${b.from} → ${b.to}`, tone: b.field === "status" && b.to === "closed" ? "green" : "gray" };
    }
    case "owner":
      return { ...base, by: ev.body.by ?? null, title: `Owner: ${nameOf(ev.body.from)} → ${nameOf(ev.body.to)}` };
    case "containment": {
      const b = ev.body;
      const what = [b.action && words(b.action), b.scope, b.label ?? b.target].filter(Boolean).join(" · ");
      return {
        ...base,
        by: b.by ?? null,
        title: `Containment ${b.event}: ${what}`,
        text: b.reason ?? null,
        tone: b.event === "released" ? "green" : "red",
        facts: factsOf(b, ["event", "action", "scope", "label", "target", "reason", "by", "containmentId", "incidentId", "options"]),
      };
    }
    case "delivery": {
      const b = ev.body;
      const action = words((b.containmentId && actionNames.get(b.containmentId)) || "containment");
      const source = "delivery" as const;
      if (b.escalated === true) {
        return {
          ...base,
          source,
          title: `${b.gateway} did not acknowledge ${cmdOf(b.kind)} ${action} in time: escalated`,
          tone: "amber",
          facts: factsOf(b, ["containmentId", "deliveryId", "gateway", "kind", "state", "escalated"]),
        };
      }
      if (b.path === "admin_ws") {
        return { ...base, source, title: `${b.gateway} admin WebSocket: ${cmdOf(b.kind)} ${action} ${words(b.state)}`, text: b.detail ?? null, tone: b.state === "applied" ? "green" : "red" };
      }
      return {
        ...base,
        source,
        title: `${b.gateway} acknowledged ${cmdOf(b.kind)} ${action}: ${words(b.state)}`,
        text: b.detail ?? null,
        tone: b.state === "applied" ? "green" : b.state === "failed" ? "red" : "gray",
      };
    }
    case "playbook": {
      const b = ev.body;
      if (b.event === "fired") {
        return { ...base, title: `Playbook ${b.playbook ?? ""} fired: ${b.cause?.summary ?? words(b.trigger ?? "")}`.trim(), tone: "blue", facts: b.trigger ? [["trigger", words(b.trigger)]] : [] };
      }
      return {
        ...base,
        title: `Playbook step ${b.step ? `“${b.step}”` : ""}: ${words(b.type)} ${b.target} — ${b.ok ? "done" : "failed"}`.replace(/\s+/g, " "),
        text: b.ok ? null : (b.error ?? null),
        tone: b.ok ? "green" : "red",
        facts: b.phase ? [["phase", words(b.phase)]] : [],
      };
    }
    case "finding": {
      const b = ev.body;
      return {
        ...base,
        by: b.openedBy ?? null,
        title: `Opened from finding: ${b.title}`,
        tone: "amber",
        facts: [
          ["kind", words(b.kind)],
          ["severity", b.severity],
          ...(b.toolName ? [["tool", b.toolName] as [string, string]] : []),
          ["first seen", b.firstSeenAt ?? "?"],
          ["last seen", b.lastSeenAt ?? "?"],
        ],
      };
    }
    case "post_mortem":
      return { ...base, by: ev.body.by ?? null, title: `Post-mortem ${ev.body.event}`, facts: ev.body.length ? [["length", `${ev.body.length} characters`]] : [] };
  }
}

/** A row the schema does not know (an older version's, or foreign): its kind and primitive fields, as text. */
function describeUnrecognised(e: { id: bigint; at: Date; kind: string }, b: Record<string, unknown>): TimelineEntry {
  const kind = e.kind.slice(0, 100);
  return {
    key: `ev-${e.id}`,
    at: e.at,
    kind,
    source: "event",
    by: str(b.by)?.slice(0, 300) ?? str(b.author)?.slice(0, 300) ?? null,
    title: (str(b.title) ?? str(b.summary) ?? str(b.message) ?? `${words(kind) || "Entry"} (unrecognised entry)`).slice(0, 300),
    text: clip(str(b.text) ?? str(b.reason), 20_000),
    tone: "gray",
    facts: factsOf(b, ["title", "summary", "message", "text", "reason", "by", "author"]),
  };
}

function containmentWhat(a: IncidentAction) {
  return `${words(a.action)} · ${a.scope} · ${a.label}`;
}

/**
 * Entries derived from the linked containment actions and their per-gateway deliveries, skipping
 * facts already recorded as timeline events (`recorded`: containment applied/released, acks, escalations).
 */
function actionEntries(actions: IncidentAction[], recorded: Set<string>): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const a of actions) {
    if (!recorded.has(`${a.id}:applied`)) {
      out.push({
        key: `ca-${a.id}-applied`,
        at: a.createdAt,
        kind: "containment",
        source: "containment",
        title: `Containment applied: ${containmentWhat(a)}`,
        text: a.reason,
        by: a.requestedBy,
        tone: "red",
        facts: [["source", a.source]],
      });
    }
    if (a.releasedAt && !recorded.has(`${a.id}:released`)) {
      out.push({
        key: `ca-${a.id}-released`,
        at: a.releasedAt,
        kind: "containment",
        source: "containment",
        title: `Containment released: ${containmentWhat(a)}`,
        text: a.releaseReason,
        tone: "green",
      });
    }
    for (const d of a.deliveries) {
      const cmd = cmdOf(d.kind);
      const action = words(a.action);
      const facts: [string, string][] = [["attempts", String(d.attempts)]];
      if (d.deliveredAt) out.push({ key: `dl-${d.id}-delivered`, at: d.deliveredAt, kind: "delivery", source: "delivery", title: `${d.gatewayName}: ${cmd} ${action} delivered`, facts });
      if (d.ackedAt && !recorded.has(`acked:${a.id}:${d.gatewayName}:${d.kind}`)) {
        const ok = d.state === "applied";
        out.push({
          key: `dl-${d.id}-acked`,
          at: d.ackedAt,
          kind: "delivery",
          source: "delivery",
          title: `${d.gatewayName} acknowledged ${cmd} ${action}: ${words(d.state)}`,
          text: ok ? null : d.error,
          tone: ok ? "green" : "red",
          facts,
        });
      }
      if (d.escalatedAt && !recorded.has(`escalated:${a.id}:${d.gatewayName}:${d.kind}`)) {
        out.push({
          key: `dl-${d.id}-escalated`,
          at: d.escalatedAt,
          kind: "delivery",
          source: "delivery",
          title: `${d.gatewayName} did not acknowledge ${cmd} ${action} in time: escalated`,
          text: d.error,
          tone: "amber",
          facts,
        });
      }
    }
  }
  return out;
}

/**
 * An incident with everything its page shows: owner, playbook (with break-glass notes), finding,
 * containment actions with per-gateway delivery states, and the merged timeline — stored events,
 * containment and delivery acks, related findings and blocked tool calls (targetsOf) in the
 * incident's window (incidentWindow), oldest first. Tool calls: metadata only (never
 * params or results). Null when there is no such incident.
 */
export async function getIncident(id: string, now = new Date(), scope: TeamScope = null) {
  if (!UUID.test(id)) return null;
  const incident = await db.incident.findFirst({ where: { id, ...incidentWhereOf(scope) }, select: DETAIL_SELECT });
  if (!incident) return null;
  const window = incidentWindow(incident, now);

  const [eventsDesc, actionRows] = await Promise.all([
    // Index incident_events(incident_id, at): the newest events if there are very many.
    db.incidentEvent.findMany({ where: { incidentId: id }, orderBy: [{ at: "desc" }, { id: "desc" }], take: TIMELINE_EVENT_LIMIT + 1, select: { id: true, at: true, kind: true, body: true } }),
    db.containmentAction.findMany({ where: { incidentId: id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: ACTION_LIMIT, select: ACTION_SELECT }),
  ]);
  const eventsTruncated = eventsDesc.length > TIMELINE_EVENT_LIMIT;
  const events = eventsDesc.slice(0, TIMELINE_EVENT_LIMIT).reverse();
  const actions = actionRows.map(shapeAction);
  const t = targetsOf(incident.finding, actions);

  const callOr: Prisma.ToolCallWhereInput[] = [
    ...(t.agents.length ? [{ agentId: { in: t.agents } }] : []),
    ...(t.tools.length ? [{ toolName: { in: t.tools } }] : []),
    ...(t.gateways.length ? [{ gatewayId: { in: t.gateways } }] : []),
  ];
  const findingOr: Prisma.FindingWhereInput[] = [
    ...(t.agents.length ? [{ agentId: { in: t.agents } }] : []),
    ...(t.tools.length ? [{ toolName: { in: t.tools } }] : []),
    ...(t.gateways.length ? [{ gatewayId: { in: t.gateways } }] : []),
  ];

  const [calls, related] = await Promise.all([
    // Indexes tool_calls(agent_id, occurred_at) / (tool_name, occurred_at) / (occurred_at); newest first, capped.
    t.fleet || callOr.length
      ? db.toolCall.findMany({
          // A team-scoped reader sees the related calls and findings of their team only.
          where: { decision: "blocked", occurredAt: { gte: window.from, lte: window.to }, ...(t.fleet ? {} : { OR: callOr }), ...toolCallWhereOf(scope) },
          orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
          take: RELATED_CALL_LIMIT + 1,
          // Metadata only: never params, result or error text.
          select: { id: true, occurredAt: true, toolName: true, agentName: true, agentId: true, gatewayId: true, decision: true },
        })
      : Promise.resolve([]),
    findingOr.length
      ? db.finding.findMany({
          where: {
            AND: [findingWhereOf(scope), { OR: findingOr }],
            ...(incident.findingId ? { id: { not: incident.findingId } } : {}),
            firstSeenAt: { lte: window.to },
            lastSeenAt: { gte: window.from },
          },
          orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
          take: RELATED_FINDING_LIMIT,
          select: { id: true, kind: true, severity: true, status: true, title: true, agentId: true, toolName: true, gatewayId: true, firstSeenAt: true, lastSeenAt: true },
        })
      : Promise.resolve([]),
  ]);
  const callsTruncated = calls.length > RELATED_CALL_LIMIT;
  const blockedCalls = calls
    .slice(0, RELATED_CALL_LIMIT)
    .map((c) => ({ id: c.id.toString(), occurredAt: c.occurredAt, toolName: c.toolName, agentName: c.agentName, agentId: c.agentId, gatewayId: c.gatewayId, decision: c.decision }));

  const recorded = new Set<string>();
  for (const e of events) {
    const parsed = parseTimelineEvent(e.kind, e.body);
    if (!parsed.ok) continue;
    if (parsed.event.kind === "containment") recorded.add(`${parsed.event.body.containmentId}:${parsed.event.body.event}`);
    if (parsed.event.kind === "delivery") {
      const k = deliveryFactKey(parsed.event.body);
      if (k) recorded.add(k);
    }
  }
  const actionNames: ActionNames = new Map(actions.map((a) => [a.id, a.action]));
  const entries: TimelineEntry[] = [
    ...events.map((e) => describeEvent(e, actionNames)),
    ...actionEntries(actions, recorded),
    ...related.map((f): TimelineEntry => ({
      key: `f-${f.id}`,
      at: f.firstSeenAt,
      kind: "related_finding",
      source: "finding",
      title: `Related finding: ${f.title}`,
      tone: f.severity === "critical" || f.severity === "high" ? "red" : "amber",
      facts: [
        ["kind", words(f.kind)],
        ["severity", f.severity],
        ["status", f.status],
        ["last seen", f.lastSeenAt.toISOString()],
      ],
      href: f.agentId ? `/findings?agent=${f.agentId}` : f.gatewayId ? `/findings?gateway=${f.gatewayId}` : "/findings",
    })),
    ...blockedCalls.map((c): TimelineEntry => ({
      key: `tc-${c.id}-${c.occurredAt.getTime()}`,
      at: c.occurredAt,
      kind: "tool_call",
      source: "tool_call",
      title: `Blocked call: ${c.toolName} by ${c.agentName}`,
      tone: "gray",
    })),
  ];
  // Stable: equal times keep the order above (stored events before derived ones).
  entries.sort((a, b) => a.at.getTime() - b.at.getTime());

  return {
    ...incident,
    window,
    actions,
    relatedFindings: related,
    blockedCalls,
    timeline: entries,
    truncated: { events: eventsTruncated, calls: callsTruncated, actions: actionRows.length >= ACTION_LIMIT },
  };
}
export type IncidentDetail = NonNullable<Awaited<ReturnType<typeof getIncident>>>;

/** The evidence page link for an incident's window (incidentWindow). */
export function evidenceHref(window: { from: Date; to: Date }): string {
  return `/audit/evidence?${new URLSearchParams({ from: window.from.toISOString(), to: window.to.toISOString() })}`;
}
