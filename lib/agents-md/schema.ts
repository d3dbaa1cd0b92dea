import { z } from "zod";

/** Largest AGENTS.md we accept (characters); the JSON body limit of the API is 256 KiB. */
export const MAX_AGENTS_MD_CHARS = 200_000;
const MAX_ENTRIES = 200;

/** The request of `POST /api/v1/agents-md/import` and of the import server action. */
export const ZAgentsMdImport = z.object({
  content: z.string({ error: "Paste or upload an AGENTS.md file." }).min(1, "Paste or upload an AGENTS.md file.").max(MAX_AGENTS_MD_CHARS, `At most ${MAX_AGENTS_MD_CHARS} characters.`),
  /** The target agent; optional when the file has an `agent:` block. "" (an empty select) means none. */
  agentId: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.uuid("Not a valid agent id.").optional()),
  dryRun: z.boolean({ error: "dryRun must be true (preview) or false (apply)." }),
});
export type TAgentsMdImport = z.infer<typeof ZAgentsMdImport>;

// ── the YAML blocks inside AGENTS.md (keys are snake_case, as teams write them) ──

const required = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? "Required." : `Must be ${what}.`);
const text = (max: number) =>
  z
    .string({ error: required("text") })
    .trim()
    .min(1, "Must not be empty.")
    .max(max, `At most ${max} characters.`);
const oneLine = (max: number) => text(max).refine((s) => !/\p{Cc}/u.test(s), "Must be a single line without control characters.");
const optionalText = (max: number) => text(max).nullable().optional();

/** Tool ids, fallbacks and failure modes, as the integration editor accepts them (e.g. queue_and_retry). */
const identifier = z
  .string({ error: required("text") })
  .trim()
  .min(1, "Must not be empty.")
  .max(60, "At most 60 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "Letters, digits, _ . - only (e.g. queue_and_retry).");

/** A calendar date written YYYY-MM-DD (quoted or not; YAML 1.2 reads it as a string). */
const ZDay = z
  .string({ error: (iss) => (iss.input === undefined ? "Required." : "Must be a date written YYYY-MM-DD.") })
  .refine((s) => isDay(s), { error: (iss) => `Must be a real date written YYYY-MM-DD (got "${String(iss.input)}").` });

/** True for a real calendar date written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export const ZSecurityContact = z.strictObject(
  {
    name: optionalText(120),
    email: z
      .email({ error: (iss) => (iss.input === undefined ? "Required." : "Must be an email address.") })
      .max(254, "At most 254 characters.")
      .nullable()
      .optional(),
    phone: z
      .string({ error: required("a phone number") })
      .trim()
      .regex(/^\+?[0-9 ().-]{3,40}$/, "Must be a phone number: digits, spaces and + ( ) - . only.")
      .nullable()
      .optional(),
  },
  { error: required("a mapping with name, email, phone") },
);

export const ZIntegrationEntry = z.strictObject(
  {
    name: oneLine(120),
    provider: oneLine(120),
    reason: text(1000),
    permissions: z.array(oneLine(80), { error: (iss) => (iss.input === undefined ? "Required." : 'Must be a list of strings, e.g. ["read:orders", "no:write"].') }).max(50, "At most 50 permissions."),
    audit_date: ZDay,
    audit_result: text(500),
    provider_verified: z.boolean({ error: "Must be true or false." }).optional(),
    dependency_status: optionalText(200),
    security_contact: ZSecurityContact.nullable().optional(),
    disclosure_process: optionalText(2000),
    ir_partner: optionalText(200),
    next_review: ZDay.nullable().optional(),
  },
  { error: required("a mapping (name, provider, reason, …)") },
);
export type TIntegrationEntry = z.infer<typeof ZIntegrationEntry>;

export const ZToolEntry = z.strictObject(
  {
    id: identifier,
    /** The name of an integration listed in the same file. */
    primary: oneLine(120),
    /** Left out (or null) when there is no fallback. */
    fallback: identifier.nullable().optional(),
    on_failure: identifier,
    max_retries: z
      .number({ error: required("a whole number") })
      .int("Must be a whole number.")
      .min(0, "Must be 0 or more.")
      .max(20, "At most 20."),
  },
  { error: required("a mapping (id, primary, fallback, on_failure, max_retries)") },
);
export type TToolEntry = z.infer<typeof ZToolEntry>;

export const ZAgentBlock = z.strictObject({ name: oneLine(120), owner: text(200).optional(), purpose: text(2000).optional() }, { error: required("a mapping with name, owner, purpose") });
export type TAgentBlock = z.infer<typeof ZAgentBlock>;

// Lists are checked for shape here and entry by entry with the schemas above (one bad entry does not hide the rest).
export const ZIntegrationList = z.array(z.unknown(), { error: required("a list of integrations") }).max(MAX_ENTRIES, `At most ${MAX_ENTRIES} entries.`);
export const ZToolList = z.array(z.unknown(), { error: required("a list of tools entries") }).max(MAX_ENTRIES, `At most ${MAX_ENTRIES} entries.`);

// ── what the import answers (shared with the UI) ──

/** One problem in the file, located in the whole AGENTS.md (1-based line and column). */
export type AgentsMdError = { line: number; column?: number; path: string; message: string };

/** `before`/`after` are shown as written in AGENTS.md (dates as YYYY-MM-DD). */
export type FieldDiff = { field: string; before: unknown; after: unknown };
export type Degradation = { primary: string; fallback: string | null; onFailure: string; maxRetries: number; toolId: string };

export type ImportPreview = {
  agent: { id: string | null; name: string; action: "create" | "update" | "unchanged"; changes: FieldDiff[] };
  integrations: { name: string; line: number; action: "create" | "update" | "unchanged"; changes: FieldDiff[] }[];
  links: { add: string[]; unchanged: string[]; notInFile: string[] };
  degradation: { integration: string; toolId: string; line: number; action: "set" | "update" | "unchanged"; before: Degradation | null; after: Degradation }[];
  summary: { created: number; updated: number; unchanged: number; linksAdded: number; degradationChanged: number; agentChanged: boolean };
  /** False when applying would change nothing. */
  changed: boolean;
};

export type ImportResult = { ok: true; dryRun: boolean; applied: boolean; preview: ImportPreview } | { ok: false; errors: AgentsMdError[] };
