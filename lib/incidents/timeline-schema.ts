import { z } from "zod";

// The stored incident timeline (incident_events: kind + body JSON) as one validated union. Writers
// build entries with `timelineEntry.<kind>(body)` and appendTimeline() checks them against this
// schema before storing; readers parse each row with parseTimelineEvent(), and a row that does not
// fit (written by an older version, or by hand) is shown as a plain "unrecognised" entry instead
// of breaking the page. Bodies keep the fields their writers have always stored, so existing rows
// parse as they are (no migration): old optional fields stay optional, and extra fields are kept
// (`looseObject`) so the page can still show them as facts.

const MAX_TEXT = 20_000;
const text = z.string().max(MAX_TEXT);
const label = z.string().max(1_000);
/** A person or record named in an entry: {id, name}. */
const ZNamed = z.looseObject({ id: z.string().max(200).optional(), name: z.string().max(1_000).nullish() });

const ZOpened = z.looseObject({
  by: label.optional(),
  title: text.optional(),
  severity: label.optional(),
  /** manual, automatic, finding, playbook, a vendor advisory … */
  source: label.optional(),
  owner: ZNamed.nullish(),
  playbook: ZNamed.nullish(),
});

const ZNote = z.looseObject({
  text,
  /** Who wrote it (the console's writer); older rows say `by`. */
  author: label.optional(),
  by: label.optional(),
});

const ZStatusChange = z.looseObject({
  field: z.enum(["status", "severity"]).default("status"),
  from: label,
  to: label,
  by: label.optional(),
});

const ZOwnerChange = z.looseObject({ from: ZNamed.nullable(), to: ZNamed.nullable(), by: label.optional() });

const ZContainment = z.looseObject({
  containmentId: z.string().max(200),
  event: z.enum(["applied", "released"]),
  by: label.optional(),
  action: label.optional(),
  scope: label.optional(),
  target: label.optional(),
  label: label.optional(),
  reason: text.nullish(),
});

const ZDelivery = z.looseObject({
  containmentId: z.string().max(200).nullish(),
  deliveryId: z.string().max(200).optional(),
  gateway: label,
  /** apply or release. */
  kind: label.optional(),
  state: label,
  /** Sent over the gateway's admin WebSocket rather than the connector's long-poll. */
  path: z.literal("admin_ws").optional(),
  detail: text.nullish(),
  escalated: z.boolean().optional(),
});

const ZFindingLinked = z.looseObject({
  findingId: z.string().max(200).optional(),
  title: text,
  kind: label,
  severity: label,
  toolName: label.nullish(),
  firstSeenAt: label.nullish(),
  lastSeenAt: label.nullish(),
  openedBy: label.optional(),
});

const ZCause = z.looseObject({ key: label.optional(), summary: text.optional(), detail: z.unknown().optional() });

const ZPlaybook = z.discriminatedUnion("event", [
  z.looseObject({ event: z.literal("fired"), playbookId: z.string().max(200).optional(), playbook: label.optional(), trigger: label.optional(), cause: ZCause.optional() }),
  z.looseObject({
    event: z.literal("action"),
    playbookId: z.string().max(200).optional(),
    stepId: z.string().max(200).optional(),
    step: label.optional(),
    phase: label.optional(),
    type: label,
    target: label,
    ok: z.boolean(),
    error: text.nullish(),
  }),
]);

const ZPostMortem = z.looseObject({ event: z.enum(["written", "updated", "cleared"]), by: label.optional(), length: z.number().int().min(0).default(0) });

/** Body schema of each timeline kind. */
export const TIMELINE_BODIES = {
  opened: ZOpened,
  note: ZNote,
  status: ZStatusChange,
  owner: ZOwnerChange,
  containment: ZContainment,
  delivery: ZDelivery,
  finding: ZFindingLinked,
  playbook: ZPlaybook,
  post_mortem: ZPostMortem,
} as const;

export type TimelineKind = keyof typeof TIMELINE_BODIES;
export const TIMELINE_KINDS = Object.keys(TIMELINE_BODIES) as TimelineKind[];

/** One stored timeline entry, by kind. */
export const ZTimelineEvent = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("opened"), body: ZOpened }),
  z.object({ kind: z.literal("note"), body: ZNote }),
  z.object({ kind: z.literal("status"), body: ZStatusChange }),
  z.object({ kind: z.literal("owner"), body: ZOwnerChange }),
  z.object({ kind: z.literal("containment"), body: ZContainment }),
  z.object({ kind: z.literal("delivery"), body: ZDelivery }),
  z.object({ kind: z.literal("finding"), body: ZFindingLinked }),
  z.object({ kind: z.literal("playbook"), body: ZPlaybook }),
  z.object({ kind: z.literal("post_mortem"), body: ZPostMortem }),
]);
export type TimelineEvent = z.output<typeof ZTimelineEvent>;
/** What a writer gives: the body before defaults. */
export type TimelineEventInput = z.input<typeof ZTimelineEvent>;
export type TimelineBody<K extends TimelineKind> = z.input<(typeof TIMELINE_BODIES)[K]>;

function constructor<K extends TimelineKind>(kind: K) {
  return (body: TimelineBody<K>) => ({ kind, body }) as Extract<TimelineEventInput, { kind: K }>;
}

/** Typed constructors, one per kind: `timelineEntry.note({ author, text })`. */
export const timelineEntry: { [K in TimelineKind]: (body: TimelineBody<K>) => Extract<TimelineEventInput, { kind: K }> } = {
  opened: constructor("opened"),
  note: constructor("note"),
  status: constructor("status"),
  owner: constructor("owner"),
  containment: constructor("containment"),
  delivery: constructor("delivery"),
  finding: constructor("finding"),
  playbook: constructor("playbook"),
  post_mortem: constructor("post_mortem"),
};

/**
 * A new entry, checked and made JSON-safe for storage (dates to ISO strings, undefined dropped).
 * Throws on a body that does not fit its kind: a writer's bug must not store a row no reader knows.
 */
export function timelineRow(entry: TimelineEventInput): { kind: TimelineKind; body: object } {
  const parsed = ZTimelineEvent.parse(JSON.parse(JSON.stringify(entry)));
  return { kind: parsed.kind, body: parsed.body };
}

export type ParsedTimelineEvent = { ok: true; event: TimelineEvent } | { ok: false; kind: string; body: Record<string, unknown> };

/** A stored row read back: the typed entry, or (legacy or foreign rows) its kind and plain-object body. */
export function parseTimelineEvent(kind: string, body: unknown): ParsedTimelineEvent {
  const parsed = ZTimelineEvent.safeParse({ kind, body });
  if (parsed.success) return { ok: true, event: parsed.data };
  const plain = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return { ok: false, kind: typeof kind === "string" ? kind : "unknown", body: plain };
}
