import { z } from "zod";
import { MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS, ZToolName } from "@/lib/approvals/schema";

// Per-person and per-group rules and rate limits (issue 21). Shared by the forms, the server
// actions and /api/v1/identity-rules, /api/v1/rate-limits.

export const IDENTITY_SUBJECTS = ["person", "group", "unidentified", "anyone"] as const;
export const IDENTITY_EFFECTS = ["allow", "deny", "require_approval"] as const;
export const RATE_LIMIT_TIERS = ["interactive", "subagent"] as const;
export const MAX_PER_MINUTE = 100_000;
export type IdentitySubjectName = (typeof IDENTITY_SUBJECTS)[number];

const ZId = z.uuid("Not a valid id.");
const noNul = (s: string) => !s.includes("\u0000");
const ZReason = z.string({ message: "Required." }).trim().min(1, "Required.").max(500, "At most 500 characters.").refine(noNul, "Must not contain NUL characters.");
/** An optional id or tool: "" and null both mean "any". */
const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === "" ? null : v), s.nullable().optional());

const subjectFields = {
  subject: z.enum(IDENTITY_SUBJECTS, { message: "person, group, unidentified or anyone." }),
  personId: optional(ZId),
  groupId: optional(ZId),
  agentId: optional(ZId),
  toolName: optional(ZToolName),
};

/** A person subject names the person, a group subject the group; the others name nothing. */
function checkSubject(v: { subject: IdentitySubjectName; personId?: string | null; groupId?: string | null }, ctx: z.RefinementCtx) {
  if (v.subject === "person" && !v.personId) ctx.addIssue({ code: "custom", path: ["personId"], message: "Choose the person." });
  if (v.subject === "group" && !v.groupId) ctx.addIssue({ code: "custom", path: ["groupId"], message: "Choose the group." });
  if (v.subject !== "person" && v.personId) ctx.addIssue({ code: "custom", path: ["personId"], message: "Only for subject person." });
  if (v.subject !== "group" && v.groupId) ctx.addIssue({ code: "custom", path: ["groupId"], message: "Only for subject group." });
}

const ZTimeout = z
  .number({ message: "A number of seconds." })
  .int("Whole seconds.")
  .min(MIN_TIMEOUT_SECONDS, `At least ${MIN_TIMEOUT_SECONDS} seconds.`)
  .max(MAX_TIMEOUT_SECONDS, `At most ${MAX_TIMEOUT_SECONDS} seconds (30 minutes).`);

export const ZIdentityRuleCreate = z
  .object({
    ...subjectFields,
    effect: z.enum(IDENTITY_EFFECTS, { message: "allow, deny or require_approval." }),
    timeoutSeconds: optional(ZTimeout),
    reason: ZReason,
  })
  .strict()
  .superRefine((v, ctx) => {
    checkSubject(v, ctx);
    if (v.effect !== "require_approval" && v.timeoutSeconds != null) ctx.addIssue({ code: "custom", path: ["timeoutSeconds"], message: "Only for require_approval." });
  });
export type TIdentityRuleCreate = z.infer<typeof ZIdentityRuleCreate>;

/** PATCH: only the keys sent change; the subject, agent and tool are the rule's identity (delete and recreate to change them). */
export const ZIdentityRuleUpdate = z
  .object({
    id: ZId,
    effect: z.enum(IDENTITY_EFFECTS, { message: "allow, deny or require_approval." }).optional(),
    timeoutSeconds: optional(ZTimeout),
    reason: ZReason.optional(),
  })
  .strict()
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });
export type TIdentityRuleUpdate = z.infer<typeof ZIdentityRuleUpdate>;

const ZPerMinute = z.number({ message: "A whole number of calls per minute." }).int("A whole number of calls per minute.").min(1, "At least 1.").max(MAX_PER_MINUTE, `At most ${MAX_PER_MINUTE}.`);

export const ZRateLimitCreate = z
  .object({
    ...subjectFields,
    tier: optional(z.enum(RATE_LIMIT_TIERS, { message: "interactive or subagent (or none for both)." })),
    perMinute: ZPerMinute,
    shared: z.boolean({ message: "true or false." }).default(false),
    reason: ZReason,
  })
  .strict()
  .superRefine(checkSubject);
export type TRateLimitCreate = z.infer<typeof ZRateLimitCreate>;

export const ZRateLimitUpdate = z
  .object({ id: ZId, perMinute: ZPerMinute.optional(), shared: z.boolean({ message: "true or false." }).optional(), reason: ZReason.optional() })
  .strict()
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });
export type TRateLimitUpdate = z.infer<typeof ZRateLimitUpdate>;

export const ZDeleteById = z.object({ id: ZId }).strict();

/** POST /api/v1/connector/rate-limits/consume: count one call against a shared limit. */
export const ZRateLimitConsume = z
  .object({
    ruleId: ZId,
    /** The person's id, the requester key (64 hex) of an unmapped sender, or "-" for no requester. */
    subjectKey: z
      .union([z.uuid(), z.string().regex(/^[0-9a-f]{64}$/), z.literal("-")], { message: "A person id, a requester key (64 lower-case hex) or -." })
      // One counter per subject: an upper-case spelling of the same id is the same subject.
      .transform((k) => k.toLowerCase()),
  })
  .strict();
export type TRateLimitConsume = z.infer<typeof ZRateLimitConsume>;
