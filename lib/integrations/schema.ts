import { z } from "zod";

// Shared by the forms (client-side validation), the server actions and /api/v1/integrations.

const ZId = z.uuid("Not a valid id.");

/** Days between quarterly reviews, and the "due soon" window of the review queue. */
export const REVIEW_INTERVAL_DAYS = 90;
export const REVIEW_DUE_SOON_DAYS = 30;

/** Trimmed text; an empty string means "not set" (null), so forms and PATCH can clear a field. */
const optText = (max: number) => z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), z.string().trim().max(max, `At most ${max} characters.`).nullable()).optional();

const reqText = (max: number) => z.string({ message: "Required." }).trim().min(1, "Required.").max(max, `At most ${max} characters.`);

/** A calendar day (YYYY-MM-DD) or an ISO date-time; "" or null clears it. Stored as a UTC instant. */
const optDate = z
  .preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? null : v),
    z
      .union([z.iso.date(), z.iso.datetime({ offset: true })], { message: "A date such as 2026-05-17." })
      .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00.000Z` : s))
      .nullable(),
  )
  .optional();

const ZEmail = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), z.email("Not a valid email address.").max(254).nullable()).optional();
const ZPhone = z
  .preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? null : v),
    z
      .string()
      .trim()
      .regex(/^\+?[0-9 ().-]{3,40}$/, "Digits, spaces and + ( ) - . only.")
      .nullable(),
  )
  .optional();

const ZIdentifier = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(60, "At most 60 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "Letters, digits, _ . - only (e.g. queue_and_retry).");

/** Graceful degradation: { primary, fallback, onFailure, maxRetries } as in the seeds' email_send example. */
export const ZDegradation = z.object({
  primary: ZIdentifier,
  fallback: ZIdentifier.nullable().optional(),
  onFailure: ZIdentifier,
  maxRetries: z.number({ message: "A whole number." }).int("A whole number.").min(0, "At least 0.").max(20, "At most 20.").default(3),
});
export type TDegradation = z.infer<typeof ZDegradation>;

/** Suggestions for onFailure (free text is allowed; these are what playbooks understand). */
export const ON_FAILURE_SUGGESTIONS = ["queue_and_retry", "use_fallback", "fail_closed", "notify_only"] as const;

const fields = {
  name: reqText(120).refine((s) => !/\p{Cc}/u.test(s), "No control characters."),
  provider: reqText(120),
  providerVerified: z.boolean({ message: "true or false." }).default(false),
  reason: reqText(1000),
  permissions: z.array(reqText(80), { message: "A list of permissions." }).max(50, "At most 50 permissions.").default([]),
  auditDate: optDate,
  auditResult: optText(500),
  dependencyStatus: optText(200),
  securityContactName: optText(120),
  securityContactEmail: ZEmail,
  securityContactPhone: ZPhone,
  disclosureProcess: optText(2000),
  irPartner: optText(200),
  degradation: ZDegradation.nullable().optional(),
  nextReviewAt: optDate,
};

export const ZIntegrationCreate = z.object({
  ...fields,
  /** Agents that use this integration (AgentIntegration links). */
  agentIds: z.array(ZId).max(500).default([]),
});
export type TIntegrationCreate = z.infer<typeof ZIntegrationCreate>;

/** PATCH semantics: only the keys sent change; at least one must be sent. */
export const ZIntegrationUpdate = z
  .object({
    id: ZId,
    name: fields.name.optional(),
    provider: fields.provider.optional(),
    providerVerified: z.boolean({ message: "true or false." }).optional(),
    reason: fields.reason.optional(),
    permissions: z.array(reqText(80), { message: "A list of permissions." }).max(50, "At most 50 permissions.").optional(),
    auditDate: fields.auditDate,
    auditResult: fields.auditResult,
    dependencyStatus: fields.dependencyStatus,
    securityContactName: fields.securityContactName,
    securityContactEmail: fields.securityContactEmail,
    securityContactPhone: fields.securityContactPhone,
    disclosureProcess: fields.disclosureProcess,
    irPartner: fields.irPartner,
    degradation: fields.degradation,
    nextReviewAt: fields.nextReviewAt,
  })
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });
export type TIntegrationUpdate = z.infer<typeof ZIntegrationUpdate>;

/** Record a (quarterly) review: the audit date and result; the next review defaults to +90 days. */
export const ZIntegrationReview = z.object({
  id: ZId,
  auditResult: reqText(500),
  /** Defaults to today. */
  auditDate: optDate,
  dependencyStatus: optText(200),
  /** Defaults to the review date + 90 days. */
  nextReviewAt: optDate,
  /** Also clear an open vendor advisory (the re-review it asked for is this one). */
  clearAdvisory: z.boolean().default(false),
});
export type TIntegrationReview = z.infer<typeof ZIntegrationReview>;

/** Flag a vendor advisory or breach: marks the integration for re-review now. */
export const ZIntegrationAdvisorySet = z.object({ id: ZId, flagged: z.literal(true, { message: "true to flag, false to clear." }).optional(), note: reqText(1000) });
/** Clear the advisory flag, optionally saying why. */
export const ZIntegrationAdvisoryClear = z.object({ id: ZId, note: optText(1000) });

/** Replace the set of agents that use an integration. */
export const ZIntegrationSetAgents = z.object({ id: ZId, agentIds: z.array(ZId).max(500, "At most 500 agents.") });
