import { z } from "zod";

// Shared by the incident forms (client-side validation), the server actions and /api/v1/incidents.

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type SeverityName = (typeof SEVERITIES)[number];
export const INCIDENT_STATUSES = ["open", "contained", "resolved", "closed"] as const;
export type IncidentStatusName = (typeof INCIDENT_STATUSES)[number];

export const NOTE_MAX = 4000;
export const SUMMARY_MAX = 4000;
export const POST_MORTEM_MAX = 20_000;

/**
 * Allowed status changes: forward along open → contained → resolved → closed (steps may be
 * skipped, e.g. a false alarm is closed straight from open), and back only by reopening a
 * resolved incident. Closed is final.
 */
export const STATUS_TRANSITIONS: Record<IncidentStatusName, readonly IncidentStatusName[]> = {
  open: ["contained", "resolved", "closed"],
  contained: ["resolved", "closed"],
  resolved: ["closed", "open"],
  closed: [],
};

/** May an incident move from `from` to `to`? */
export function canTransition(from: IncidentStatusName, to: IncidentStatusName): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

const ZId = z.uuid("Not a valid id.");
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const ZSeverity = z.enum(SEVERITIES, { message: `One of: ${SEVERITIES.join(", ")}.` });
const ZTitle = z.string({ message: "Required." }).trim().min(3, "At least 3 characters.").max(200, "At most 200 characters.");

/**
 * Open an incident by hand (title and severity required) or from a finding (`findingId`: its
 * title and severity are copied unless given). A finding that already has an incident that is
 * not closed is refused with 409 and that incident's id in the message.
 */
export const ZIncidentOpen = z
  .object({
    findingId: z.preprocess(blankToUndefined, ZId.optional()),
    title: z.preprocess(blankToUndefined, ZTitle.optional()),
    severity: z.preprocess(blankToUndefined, ZSeverity.optional()),
    summary: z.preprocess(blankToUndefined, z.string().trim().max(SUMMARY_MAX, `At most ${SUMMARY_MAX} characters.`).optional()),
    playbookId: z.preprocess(blankToUndefined, ZId.optional()),
    ownerId: z.preprocess(blankToUndefined, ZId.optional()),
  })
  .superRefine((v, ctx) => {
    if (v.findingId) return;
    if (!v.title) ctx.addIssue({ code: "custom", path: ["title"], message: "Required (or open from a finding)." });
    if (!v.severity) ctx.addIssue({ code: "custom", path: ["severity"], message: "Required." });
  });
export type TIncidentOpen = z.infer<typeof ZIncidentOpen>;

/**
 * PATCH semantics: only the keys sent change. `ownerId: null` (or "") removes the owner.
 * `postMortem` may be sent here too (API); the console uses ZIncidentPostMortem.
 */
export const ZIncidentUpdate = z
  .object({
    id: ZId,
    status: z.enum(INCIDENT_STATUSES, { message: `One of: ${INCIDENT_STATUSES.join(", ")}.` }).optional(),
    severity: ZSeverity.optional(),
    ownerId: z.preprocess(blankToNull, ZId.nullable().optional()),
    postMortem: z.string({ message: "Text." }).max(POST_MORTEM_MAX, `At most ${POST_MORTEM_MAX} characters.`).optional(),
  })
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });
export type TIncidentUpdate = z.infer<typeof ZIncidentUpdate>;

export const ZIncidentNote = z.object({
  id: ZId,
  text: z.string({ message: "Required." }).trim().min(1, "Write something.").max(NOTE_MAX, `At most ${NOTE_MAX} characters.`),
});
export type TIncidentNote = z.infer<typeof ZIncidentNote>;

/** The post-mortem as plain text (shown preformatted); an empty text clears it. */
export const ZIncidentPostMortem = z.object({
  id: ZId,
  postMortem: z.string({ message: "Text." }).max(POST_MORTEM_MAX, `At most ${POST_MORTEM_MAX} characters.`),
});
export type TIncidentPostMortem = z.infer<typeof ZIncidentPostMortem>;
