import { z } from "zod";

// Shared by the playbook forms (client-side validation), the drill runner, the server actions and
// /api/v1/playbooks. No server imports here: client components use it too.

export const PLAYBOOK_TRIGGERS = ["manual", "vendor_advisory", "spend_threshold", "unapproved_burst", "hash_drift"] as const;
export type PlaybookTriggerName = (typeof PLAYBOOK_TRIGGERS)[number];
export const PLAYBOOK_PHASES = ["detection", "containment", "investigation", "recovery", "post_mortem"] as const;
export type PlaybookPhaseName = (typeof PLAYBOOK_PHASES)[number];
export const STEP_ACTION_TYPES = ["deny_tool", "require_approval", "suspend_agent", "switch_fallback", "notify"] as const;
export type StepActionType = (typeof STEP_ACTION_TYPES)[number];
/** Budget thresholds a spend playbook can follow (the breaker fires at these). */
export const SPEND_PERCENTS = [50, 75, 90, 100] as const;
export const CONTACT_KINDS = ["vendor", "oncall"] as const;
export const DRILL_OUTCOMES = ["done", "skipped", "failed"] as const;
export type DrillOutcome = (typeof DRILL_OUTCOMES)[number];
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type SeverityName = (typeof SEVERITIES)[number];

/** A playbook not drilled within this many days is due a drill. */
export const DRILL_DUE_DAYS = 90;
/** Client clocks may run a little ahead of the server; drill timestamps within this are accepted. */
export const DRILL_CLOCK_SKEW_MS = 15_000;
/** A drill is an exercise of minutes or hours: longer windows are refused as mistakes. */
export const DRILL_MAX_DURATION_MS = 48 * 3_600_000;
export const MAX_STEPS = 100;
export const MAX_CONTACTS = 20;

export const TRIGGER_LABELS: Record<PlaybookTriggerName, string> = {
  manual: "Manual",
  vendor_advisory: "Vendor advisory",
  spend_threshold: "Spend threshold",
  unapproved_burst: "Burst of blocked calls",
  hash_drift: "Hash drift",
};
export const TRIGGER_HELP: Record<PlaybookTriggerName, string> = {
  manual: "Run by a person: never fires on its own.",
  vendor_advisory: "Fires when an advisory is flagged on an integration or a tool (a specific one, or any).",
  spend_threshold: "Fires when an agent's (or the fleet's) daily budget reaches a threshold.",
  unapproved_burst: "Fires when at least N tool calls are blocked within M minutes, fleet-wide.",
  hash_drift: "Fires on an open hash-drift finding (a build that differs from the approved one).",
};
export const PHASE_LABELS: Record<PlaybookPhaseName, string> = {
  detection: "Detection",
  containment: "Containment",
  investigation: "Investigation",
  recovery: "Recovery",
  post_mortem: "Post-mortem",
};
export const ACTION_LABELS: Record<StepActionType, string> = {
  deny_tool: "Deny tool fleet-wide",
  require_approval: "Require approval for tool",
  suspend_agent: "Suspend agent",
  switch_fallback: "Switch integration to fallback",
  notify: "Send notification",
};
/** What the target of each automated action names (form hints and error messages). */
export const ACTION_TARGET_HINT: Record<StepActionType, string> = {
  deny_tool: "Tool name, e.g. slack-notify",
  require_approval: "Tool name, e.g. web_fetch",
  suspend_agent: "Agent name or id",
  switch_fallback: "Integration name or id",
  notify: "Who or what is told, e.g. vendor-security-contact",
};

const ZId = z.uuid("Not a valid id.");
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
/** Form fields arrive as strings; JSON may send numbers. */
const toNumber = (v: unknown) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v);
const reqText = (max: number) => z.string({ message: "Required." }).trim().min(1, "Required.").max(max, `At most ${max} characters.`);
const optText = (max: number) => z.string({ message: "Text." }).trim().max(max, `At most ${max} characters.`);
const ZSeverity = z.enum(SEVERITIES, { message: `One of: ${SEVERITIES.join(", ")}.` });
const ZName = reqText(200).refine((s) => !/\p{Cc}/u.test(s), "No control characters.");
const ZInt = (min: number, max: number, what: string) =>
  z.preprocess(
    toNumber,
    z
      .number({ message: `A whole number of ${what}.` })
      .int(`A whole number of ${what}.`)
      .min(min, `At least ${min}.`)
      .max(max, `At most ${max}.`),
  );

// ── trigger configuration, one shape per trigger (unknown keys are refused: a typo must not pass) ──

const severity = { severity: z.preprocess(blankToUndefined, ZSeverity.optional()) };
const configError = {
  error: (iss: { code?: string; keys?: string[] }) => (iss.code === "unrecognized_keys" ? `Unknown setting for this trigger: ${(iss.keys ?? []).join(", ")}.` : "An object."),
};

export const TRIGGER_CONFIG = {
  manual: z.strictObject(severity, configError),
  vendor_advisory: z
    .strictObject({ integrationId: z.preprocess(blankToUndefined, ZId.optional()), toolName: z.preprocess(blankToUndefined, ZName.optional()), ...severity }, configError)
    .refine((c) => !(c.integrationId && c.toolName), { message: "Follow one integration or one tool, not both.", path: ["toolName"] }),
  spend_threshold: z.strictObject(
    {
      percent: z.preprocess(
        toNumber,
        z.union(SPEND_PERCENTS.map((p) => z.literal(p)) as [z.ZodLiteral<50>, z.ZodLiteral<75>, z.ZodLiteral<90>, z.ZodLiteral<100>], {
          message: `One of: ${SPEND_PERCENTS.join(", ")} (% of the daily budget).`,
        }),
      ),
      /** Absent: the fleet budget. */
      agentId: z.preprocess((v) => (v === "" || v === null || v === "fleet" ? undefined : v), ZId.optional()),
      ...severity,
    },
    configError,
  ),
  unapproved_burst: z.strictObject({ count: ZInt(1, 100_000, "calls"), minutes: ZInt(1, 1440, "minutes"), ...severity }, configError),
  hash_drift: z.strictObject({ toolName: z.preprocess(blankToUndefined, ZName.optional()), ...severity }, configError),
} satisfies Record<PlaybookTriggerName, z.ZodType>;

export type TriggerConfig = {
  manual: z.infer<(typeof TRIGGER_CONFIG)["manual"]>;
  vendor_advisory: z.infer<(typeof TRIGGER_CONFIG)["vendor_advisory"]>;
  spend_threshold: z.infer<(typeof TRIGGER_CONFIG)["spend_threshold"]>;
  unapproved_burst: z.infer<(typeof TRIGGER_CONFIG)["unapproved_burst"]>;
  hash_drift: z.infer<(typeof TRIGGER_CONFIG)["hash_drift"]>;
};
export type AnyTriggerConfig = TriggerConfig[PlaybookTriggerName];

/** Parse a stored or submitted trigger configuration against its trigger. */
export function parseTriggerConfig<T extends PlaybookTriggerName>(trigger: T, raw: unknown) {
  return (TRIGGER_CONFIG[trigger] as unknown as z.ZodType<TriggerConfig[T]>).safeParse(raw ?? {});
}

// ── contacts and steps ──

const ZEmail = z.preprocess(blankToUndefined, z.email("Not a valid email address.").max(254, "At most 254 characters.").optional());
const ZPhone = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .regex(/^\+?[0-9 ().-]{3,40}$/, "Digits, spaces and + ( ) - . only.")
    .optional(),
);

export const ZContact = z
  .object({
    kind: z.enum(CONTACT_KINDS, { message: "vendor or oncall." }),
    name: reqText(120),
    email: ZEmail,
    phone: ZPhone,
  })
  .refine((c) => Boolean(c.email || c.phone), { message: "Add an email or a phone number: a contact must be reachable.", path: ["email"] });
export type TContact = z.infer<typeof ZContact>;

const target = (type: StepActionType) => z.string({ message: "Required." }).trim().min(1, `Required: ${ACTION_TARGET_HINT[type].toLowerCase()}.`).max(200, "At most 200 characters.");

/** An automated action a step runs when the playbook fires (never during a drill). */
export const ZStepAction = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("deny_tool"), target: target("deny_tool") }),
    z.object({ type: z.literal("require_approval"), target: target("require_approval") }),
    z.object({ type: z.literal("suspend_agent"), target: target("suspend_agent") }),
    z.object({ type: z.literal("switch_fallback"), target: target("switch_fallback") }),
    z.object({ type: z.literal("notify"), target: target("notify") }),
  ],
  { message: `Action type: one of ${STEP_ACTION_TYPES.join(", ")}.` },
);
export type TStepAction = z.infer<typeof ZStepAction>;

export const ZStep = z.object({
  /** An existing step keeps its id (drill history refers to it); new steps have none. */
  id: z.preprocess(blankToUndefined, ZId.optional()),
  phase: z.enum(PLAYBOOK_PHASES, { message: `One of: ${PLAYBOOK_PHASES.join(", ")}.` }),
  title: reqText(200),
  detail: optText(4000).default(""),
  action: z.preprocess((v) => (v === "" || v === undefined || (v && typeof v === "object" && "type" in v && (v as { type: unknown }).type === "") ? null : v), ZStepAction.nullable()),
});
export type TStep = z.infer<typeof ZStep>;

const ZSteps = z
  .array(ZStep, { message: "A list of steps." })
  .max(MAX_STEPS, `At most ${MAX_STEPS} steps.`)
  .superRefine((steps, ctx) => {
    const seen = new Set<string>();
    steps.forEach((s, i) => {
      if (!s.id) return;
      if (seen.has(s.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: "This step appears twice." });
      seen.add(s.id);
    });
  });

/** Steps in run order: phases in their fixed order, and the given order within a phase. */
export function orderSteps<S extends { phase: PlaybookPhaseName }>(steps: S[]): S[] {
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => PLAYBOOK_PHASES.indexOf(a.s.phase) - PLAYBOOK_PHASES.indexOf(b.s.phase) || a.i - b.i)
    .map((x) => x.s);
}

// ── playbook create / update / delete ──

const ZTrigger = z.enum(PLAYBOOK_TRIGGERS, { message: `One of: ${PLAYBOOK_TRIGGERS.join(", ")}.` });
const ZTriggerConfigRaw = z.record(z.string(), z.unknown(), configError);

const fields = {
  name: reqText(120).refine((s) => !/\p{Cc}/u.test(s), "No control characters."),
  description: optText(2000).default(""),
  contacts: z.array(ZContact, { message: "A list of contacts." }).max(MAX_CONTACTS, `At most ${MAX_CONTACTS} contacts.`).default([]),
  breakGlass: optText(10_000).default(""),
};

/** Push the trigger-config issues of `v` under "triggerConfig.<field>". */
function checkTriggerConfig(v: { trigger?: PlaybookTriggerName; triggerConfig?: Record<string, unknown> }, ctx: z.RefinementCtx) {
  if (!v.trigger || v.triggerConfig === undefined) return;
  const r = parseTriggerConfig(v.trigger, v.triggerConfig);
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: "custom", path: ["triggerConfig", ...issue.path.map(String)], message: issue.message });
}

/** The parsed (normalised) configuration replaces the raw one once it is known to be valid. */
function normaliseTriggerConfig<V extends { trigger?: PlaybookTriggerName; triggerConfig?: Record<string, unknown> }>(v: V): V {
  if (!v.trigger || v.triggerConfig === undefined) return v;
  const r = parseTriggerConfig(v.trigger, v.triggerConfig);
  return r.success ? { ...v, triggerConfig: r.data as Record<string, unknown> } : v;
}

export const ZPlaybookCreate = z
  .object({ ...fields, trigger: ZTrigger, triggerConfig: ZTriggerConfigRaw.default({}), steps: ZSteps.default([]) })
  .superRefine((v, ctx) => {
    checkTriggerConfig(v, ctx);
    v.steps.forEach((s, i) => {
      if (s.id) ctx.addIssue({ code: "custom", path: ["steps", i, "id"], message: "A new playbook's steps have no ids." });
    });
  })
  .transform(normaliseTriggerConfig);
export type TPlaybookCreate = z.infer<typeof ZPlaybookCreate>;

/**
 * PATCH semantics: only the keys sent change. `steps`, when sent, is the whole new list (add, edit,
 * reorder, remove): existing steps keep their id; steps left out are removed. A triggerConfig sent
 * without its trigger is checked on the server against the playbook's current trigger.
 */
export const ZPlaybookUpdate = z
  .object({
    id: ZId,
    name: fields.name.optional(),
    description: optText(2000).optional(),
    trigger: ZTrigger.optional(),
    triggerConfig: ZTriggerConfigRaw.optional(),
    contacts: z.array(ZContact, { message: "A list of contacts." }).max(MAX_CONTACTS, `At most ${MAX_CONTACTS} contacts.`).optional(),
    breakGlass: optText(10_000).optional(),
    steps: ZSteps.optional(),
  })
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] })
  .superRefine(checkTriggerConfig)
  .transform(normaliseTriggerConfig);
export type TPlaybookUpdate = z.infer<typeof ZPlaybookUpdate>;

export const ZPlaybookDelete = z.object({ id: ZId });

// ── drills ──

/** An instant as ISO 8601 with a zone (what `Date.toISOString()` gives). */
const ZInstant = z.iso.datetime({ offset: true, message: "An ISO date-time, e.g. 2026-05-17T10:00:00.000Z." }).transform((s) => new Date(s));

export const ZDrillStepResult = z.object({
  stepId: ZId,
  startedAt: ZInstant,
  finishedAt: ZInstant,
  outcome: z.enum(DRILL_OUTCOMES, { message: `One of: ${DRILL_OUTCOMES.join(", ")}.` }),
  note: optText(2000).default(""),
});
export type TDrillStepResult = z.infer<typeof ZDrillStepResult>;

/**
 * Record a drill. From the runner: the drill window and each step's timestamps, in run order.
 * From automation: nothing (the server walks every step itself), or the step results only.
 */
export const ZDrillRun = z.object({
  id: ZId,
  startedAt: ZInstant.optional(),
  finishedAt: ZInstant.optional(),
  stepResults: z
    .array(ZDrillStepResult, { message: "A list of step results." })
    .min(1, "At least one step result, or leave it out to run every step.")
    .max(MAX_STEPS, `At most ${MAX_STEPS} step results.`)
    .optional(),
  note: optText(2000).optional(),
});
export type TDrillRun = z.infer<typeof ZDrillRun>;

// ── running a playbook by hand ──

/**
 * Run a playbook now, by hand: opens an incident and runs its automated actions, exactly as when
 * its trigger fires. Any trigger may be run by hand (a manual playbook only ever runs this way).
 */
export const ZPlaybookRun = z.object({
  id: ZId,
  reason: reqText(1000).refine((s) => s.length >= 5, "Say why, in a few words (at least 5 characters)."),
  /** The playbook's updatedAt as the person saw it: a playbook edited since is refused (409), not run. */
  expectedUpdatedAt: ZInstant.optional(),
});
export type TPlaybookRun = z.infer<typeof ZPlaybookRun>;
