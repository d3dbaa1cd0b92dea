import { z } from "zod";

// Shared by the forms (client-side validation), the server actions and /api/v1/data-flows.

export const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export const FLOW_STATUSES = ["proposed", "approved", "rejected"] as const;

const ZId = z.uuid("Not a valid id.");
const text = (max: number) => z.string({ message: "Required." }).trim().min(1, "Required.").max(max, `At most ${max} characters.`);

/**
 * A host name as an egress allowlist takes it: lower-case DNS labels, optionally a leading "*."
 * wildcard; no scheme, path or port (those would never match a network policy).
 */
export const ZHost = z
  .string({ message: "Required." })
  .trim()
  .toLowerCase()
  .min(1, "Required.")
  .max(253, "At most 253 characters.")
  // An IPv6 literal (a flow to a private address is the explicit approval the gateway's SSRF check
  // asks for) is kept in the WHATWG URL parser's compressed form, without brackets.
  .transform((v) => (/^\[?[0-9a-f:.]*:[0-9a-f:.]*\]?$/.test(v) ? (ipv6Form(v) ?? "!") : v))
  .pipe(
    z.string().regex(/^((\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?|[0-9a-f:.]*:[0-9a-f:.]*)$/, "A host name such as api.openai.com (no scheme, path or port)."),
  );

function ipv6Form(v: string): string | null {
  try {
    return new URL(`http://[${v.replace(/^\[|\]$/g, "")}]/`).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return null;
  }
}

const content = {
  service: text(120),
  host: ZHost,
  isLlmProvider: z.boolean({ message: "true or false." }).default(false),
  dataSent: text(1000),
  dataReceived: text(1000),
  classification: z.enum(CLASSIFICATIONS, { message: `One of: ${CLASSIFICATIONS.join(", ")}.` }),
};

/** A new flow is always proposed; a decision approves or rejects it. */
export const ZDataFlowCreate = z.object({ agentId: ZId, ...content });
export type TDataFlowCreate = z.infer<typeof ZDataFlowCreate>;

/** PATCH semantics: only the keys sent change. Any change to the content puts the flow back to proposed. */
export const ZDataFlowUpdate = z
  .object({
    id: ZId,
    service: content.service.optional(),
    host: content.host.optional(),
    isLlmProvider: z.boolean({ message: "true or false." }).optional(),
    dataSent: content.dataSent.optional(),
    dataReceived: content.dataReceived.optional(),
    classification: content.classification.optional(),
  })
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });
export type TDataFlowUpdate = z.infer<typeof ZDataFlowUpdate>;

export const ZDataFlowDecision = z.object({
  id: ZId,
  status: z.enum(["approved", "rejected"], { message: "approved or rejected." }),
  reason: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(1000, "At most 1000 characters.").optional()),
});
export type TDataFlowDecision = z.infer<typeof ZDataFlowDecision>;

export const ZEgressFormat = z.enum(["yaml", "json"]).default("yaml");
