import { z } from "zod";

// Shared by POST /api/v1/connector/usage, the price table's forms and actions, and the model policy.

export const MAX_CALLS_PER_BATCH = 1000;
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
const INT4_MAX = 2_147_483_647;
/** The largest price per million tokens the table accepts (keeps every computed cost within numeric(14,6)). */
export const MAX_USD_PER_MTOK = 10_000;

// Postgres refuses NUL in text: one such call would fail the whole INSERT.
const noNul = (s: string) => !s.includes("\u0000");
const ZText = (max: number) => z.string().max(max, `At most ${max} characters.`).refine(noNul, "Must not contain NUL characters.");
const ZCount = z.number({ error: "A whole number ≥ 0." }).int("A whole number ≥ 0.").min(0, "A whole number ≥ 0.").max(INT4_MAX, `At most ${INT4_MAX}.`);

/** One model call as a gateway reports it (contract 1 in docs/connector-protocol.md). */
export const ZModelCall = z.object({
  /** Unique per gateway: the idempotency key (`<runId>.llm`, `<runId>.llm.<n>`). */
  eventId: ZText(200).min(1, "Required."),
  occurredAt: z.iso
    .datetime({ offset: true, error: "An ISO 8601 date-time, e.g. 2026-01-31T12:00:00.000Z." })
    .refine((s) => Date.parse(s) <= Date.now() + MAX_FUTURE_MS, "More than 1 day in the future."),
  /** The gateway's agent id (Agent.externalId), or a Warden agent UUID. */
  agentId: ZText(200).min(1).optional(),
  agentName: ZText(200).min(1, "Required."),
  sessionKey: ZText(500).optional(),
  /** Joins to tool calls whose eventId is `<toolCallId>@<runId>.decision|.result`. */
  runId: ZText(200).min(1).optional(),
  provider: ZText(100).min(1, "Required."),
  model: ZText(200).min(1, "Required."),
  tokensIn: ZCount,
  tokensOut: ZCount,
  cacheReadTokens: ZCount.optional(),
  cacheWriteTokens: ZCount.optional(),
  /** The model answering is not the agent's primary. */
  fallback: z.boolean({ error: "true or false." }).optional(),
  /** The configured primary, "provider/model". */
  primaryModel: ZText(300).min(1).optional(),
  costUsd: z.number({ error: "A number of dollars ≥ 0." }).min(0, "Must be ≥ 0.").max(999_999.999999, "At most 999999.999999.").optional(),
});
export type TModelCall = z.infer<typeof ZModelCall>;

/** The body of POST /api/v1/connector/usage (the documented contract). */
export const ZUsageBatch = z.object({ calls: z.array(ZModelCall).min(1).max(MAX_CALLS_PER_BATCH) });

/** At run time the envelope is checked first, then each call on its own (one bad call does not cost the batch). */
export const ZUsageEnvelope = z.object({
  calls: z.array(z.unknown(), { error: "Send a `calls` array." }).min(1, "Send at least one call.").max(MAX_CALLS_PER_BATCH, `At most ${MAX_CALLS_PER_BATCH} calls per batch.`),
});

export const COST_SOURCES = ["gateway", "price_table", "unpriced"] as const;
export type CostSourceName = (typeof COST_SOURCES)[number];
export const COST_SOURCE_LABELS: Record<CostSourceName, string> = { gateway: "priced by the gateway", price_table: "priced from Warden's table", unpriced: "unpriced" };

// ── Model price table ──

/** Provider and model ids are compared lower-case; letters, digits and . _ : @ / - only. */
const ID_CHARS = /^[a-z0-9][a-z0-9._:@/-]*$/;
const ZId = (max: number, what: string) =>
  z
    .string({ error: "Required." })
    .trim()
    .toLowerCase()
    .min(1, "Required.")
    .max(max, `At most ${max} characters.`)
    .regex(ID_CHARS, `A ${what} id: letters, digits and . _ : @ / - (e.g. ${what === "provider" ? "openai" : "gpt-4o"}).`);

/** USD per million tokens: a decimal string with at most 6 decimals, 0 to MAX_USD_PER_MTOK (no float reaches the database). */
const ZPerMTok = z
  .union([z.number(), z.string()], { error: "A price in dollars per million tokens, e.g. 2.50." })
  .transform((v) => (typeof v === "string" ? v.trim().replace(/^\$/, "") : String(v)))
  .superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    if (s === "") return fail("Required.");
    if (!/^\d+(\.\d+)?$/.test(s)) return fail("A price in dollars per million tokens, e.g. 2.50.");
    if (Number(s) > MAX_USD_PER_MTOK) return fail(`At most $${MAX_USD_PER_MTOK.toLocaleString("en")} per million tokens.`);
    if (!/^\d+(\.\d{1,6})?$/.test(s)) return fail("At most 6 decimals.");
  })
  .transform((s) => s.replace(/^0+(?=\d)/, ""));
/** Optional cache price: empty means "like input tokens". */
const ZOptionalPerMTok = z.preprocess((v) => (v === "" || v === undefined ? null : v), ZPerMTok.nullable());

export const ZModelPriceSet = z.object({
  /** Absent: a new row; present: that row is changed. */
  id: z.preprocess((v) => (v === "" ? undefined : v), z.uuid("Not a valid id.").optional()),
  provider: ZId(100, "provider"),
  model: ZId(200, "model"),
  inputUsdPerMTok: ZPerMTok,
  outputUsdPerMTok: ZPerMTok,
  cacheReadUsdPerMTok: ZOptionalPerMTok,
  cacheWriteUsdPerMTok: ZOptionalPerMTok,
  source: z.string().trim().max(300, "At most 300 characters.").default(""),
});
export type TModelPriceSet = z.infer<typeof ZModelPriceSet>;

export const ZModelPriceDelete = z.object({ id: z.uuid("Not a valid id.") });
export type TModelPriceDelete = z.infer<typeof ZModelPriceDelete>;

// ── Model policy ──

export const AGENT_SCOPES = ["internal", "external"] as const;
export const SCOPE_LABELS: Record<(typeof AGENT_SCOPES)[number], string> = { internal: "Internal agents", external: "External-facing agents" };
export const MODEL_RULE_STATUSES = ["allowed", "weak", "denied"] as const;
export type ModelRuleStatusName = (typeof MODEL_RULE_STATUSES)[number];
export const MODEL_RULE_LABELS: Record<ModelRuleStatusName, string> = { allowed: "Allowed", weak: "Allowed, but weak (never as a fallback)", denied: "Not allowed" };

/** "provider/model" with `*` wildcards, lower-case: `openai/*`, `anthropic/claude-opus-*`, `*\/*-mini`. */
const PATTERN = /^[a-z0-9*][a-z0-9._:@*-]*\/[a-z0-9*][a-z0-9._:@/*-]*$/;
export const ZModelRuleSet = z.object({
  id: z.preprocess((v) => (v === "" ? undefined : v), z.uuid("Not a valid id.").optional()),
  scope: z.enum(AGENT_SCOPES, { error: "internal or external." }),
  pattern: z
    .string({ error: "Required." })
    .trim()
    .toLowerCase()
    .min(3, "A pattern like openai/* or anthropic/claude-opus-4-5.")
    .max(300, "At most 300 characters.")
    .regex(PATTERN, "provider/model, with * for any run of characters (e.g. openai/*, anthropic/claude-opus-*)."),
  status: z.enum(MODEL_RULE_STATUSES, { error: `One of: ${MODEL_RULE_STATUSES.join(", ")}.` }),
  note: z.string().trim().max(1000, "At most 1000 characters.").default(""),
});
export type TModelRuleSet = z.infer<typeof ZModelRuleSet>;

export const ZModelRuleDelete = z.object({ id: z.uuid("Not a valid id.") });
export type TModelRuleDelete = z.infer<typeof ZModelRuleDelete>;
