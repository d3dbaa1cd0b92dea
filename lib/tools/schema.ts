import { z } from "zod";
import { ZEnforceable } from "./conditions";

const ZId = z.uuid("Not a valid id.");
/** What a tool may touch. The credential-access + network-egress combination is high risk. */
export const ZPermissions = z.object({
  fsRead: z.boolean().default(false),
  fsWrite: z.boolean().default(false),
  egressHosts: ZEnforceable.egressHosts,
  credentialAccess: z.boolean().default(false),
  exec: z.boolean().default(false),
  /** Narrowing only (approve_with_conditions): file tools may touch these absolute prefixes only. */
  pathPrefixes: ZEnforceable.pathPrefixes,
  /** Narrowing only: exec may run commands matching these globs only (see lib/tools/conditions.ts). */
  commandPatterns: ZEnforceable.commandPatterns,
});
export type TPermissions = z.infer<typeof ZPermissions>;

export const TOOL_KINDS = ["tool", "skill", "mcp_server", "plugin"] as const;
export const TOOL_SOURCES = ["builtin", "clawhub", "npm", "vendor", "internal"] as const;

export const ZToolRequestCreate = z.object({
  tool: z.object({
    name: z
      .string()
      .trim()
      .min(1, "Required.")
      .max(120)
      .regex(/^[A-Za-z0-9_.@/:-]+$/, "Letters, digits and _ . @ / : - only."),
    kind: z.enum(TOOL_KINDS),
    source: z.enum(TOOL_SOURCES),
    publisher: z.string().trim().min(1, "Required.").max(120),
    description: z.string().trim().max(2000).optional(),
  }),
  version: z.string().trim().min(1, "Required.").max(64),
  contentHash: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-f0-9]{64}$/, "The SHA-256 of the exact version: 64 hex characters."),
  permissions: ZPermissions,
  justification: z.string().trim().min(10, "Say why (at least 10 characters).").max(4000),
  agentIds: z.array(ZId).max(100).default([]),
  bundleIds: z.array(ZId).max(100).default([]),
});
export type TToolRequestCreate = z.infer<typeof ZToolRequestCreate>;

/** The reviewer's checklist, from the seeds' "verify integration partners" practice. */
export const ZChecklist = z.object({
  authorVerified: z.boolean(),
  vulnHistoryChecked: z.boolean(),
  dependencyAuditRun: z.boolean(),
  dependencyAuditResult: z.string().trim().max(500).default(""),
  permissionsNarrowed: z.boolean(),
  credEgressFlagged: z.boolean(),
});
export type TChecklist = z.infer<typeof ZChecklist>;

/**
 * Refinements that must run even when another field failed, so a form gets all its errors at once
 * (zod skips them by default). Never on a non-object: such input already failed as a whole.
 */
const EVEN_WITH_OTHER_ERRORS = { when: (p: { value: unknown }) => p.value !== null && typeof p.value === "object" && !Array.isArray(p.value) };

export const OUTCOMES = ["approve", "approve_with_conditions", "reject"] as const;
export const ZDecision = z
  .object({
    requestId: ZId,
    outcome: z.enum(OUTCOMES, { error: "Choose an outcome: approve, approve with conditions or reject." }),
    checklist: ZChecklist,
    reason: z.string().trim().min(10, "A decision always needs a reason (at least 10 characters).").max(4000),
    conditions: ZPermissions.optional(),
    reReviewDays: z.coerce.number().int().min(1).max(365).default(90),
  })
  // Runs on partly invalid input too (EVEN_WITH_OTHER_ERRORS), so every value is checked before use.
  .superRefine((d, ctx) => {
    const outcome = (d as { outcome?: unknown }).outcome;
    if (outcome === "approve_with_conditions" && !d.conditions) ctx.addIssue({ code: "custom", path: ["conditions"], message: "Approving with conditions needs the narrowed permissions." });
    // Without a chosen outcome the checklist cannot be judged yet: the outcome error says what to do.
    if (outcome === "approve" || outcome === "approve_with_conditions") {
      const c = (d.checklist && typeof d.checklist === "object" ? d.checklist : {}) as Partial<TChecklist>;
      for (const k of ["authorVerified", "vulnHistoryChecked", "dependencyAuditRun"] as const) {
        if (c[k] !== true) ctx.addIssue({ code: "custom", path: ["checklist", k], message: "Must be done before approving." });
      }
      if (c.dependencyAuditRun === true && !(typeof c.dependencyAuditResult === "string" && c.dependencyAuditResult.trim()))
        ctx.addIssue({ code: "custom", path: ["checklist", "dependencyAuditResult"], message: "Record the audit result." });
    }
  }, EVEN_WITH_OTHER_ERRORS);
export type TDecision = z.infer<typeof ZDecision>;

export const ZRevokeDecision = z.object({ id: ZId, reason: z.string().trim().min(10, "Say why (at least 10 characters).").max(4000) });

export const ZGrantCreate = z
  .object({
    agentId: ZId,
    toolId: ZId,
    kind: z.enum(["grant", "exception"]),
    reason: z.string().trim().min(10, "Say why (at least 10 characters).").max(2000),
    expiresAt: z.coerce.date().optional(),
  })
  // Runs on partly invalid input too: an invalid date arrives as whatever was sent, so check it is one.
  .superRefine((g, ctx) => {
    const at = g.expiresAt instanceof Date && !Number.isNaN(g.expiresAt.getTime()) ? g.expiresAt : null;
    if (g.kind === "exception" && g.expiresAt === undefined) ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "An exception needs an end time." });
    if (at && at.getTime() <= Date.now()) ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "Must be in the future." });
    if (at && at.getTime() > Date.now() + 90 * 86_400_000 && g.kind === "exception") ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "Exceptions last 90 days at most." });
  }, EVEN_WITH_OTHER_ERRORS);
export const ZGrantRevoke = z.object({ id: ZId, reason: z.string().trim().min(5, "Say why.").max(2000) });

export const ZBundleCreate = z.object({
  name: z.string().trim().min(1, "Required.").max(80),
  description: z.string().trim().max(1000).default(""),
  toolIds: z.array(ZId).max(500).default([]),
});
export const ZBundleSetTools = z.object({ id: ZId, toolIds: z.array(ZId).max(500) });
export const ZAgentSetBundles = z.object({ agentId: ZId, bundleIds: z.array(ZId).max(100) });

/** True when a tool both reads credentials and talks to the network: always flagged high risk. */
export function isCredEgress(p: Partial<TPermissions> | null | undefined): boolean {
  return Boolean(p?.credentialAccess && (p.egressHosts?.length ?? 0) > 0);
}

/**
 * Stored permissions in the canonical shape. Older records (and the demo seed) list credential
 * names in `credentialAccess`; any non-empty list means "accesses credentials".
 */
export function toPermissions(raw: unknown): TPermissions {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  return {
    fsRead: Boolean(o.fsRead),
    fsWrite: Boolean(o.fsWrite),
    credentialAccess: Array.isArray(o.credentialAccess) ? o.credentialAccess.length > 0 : Boolean(o.credentialAccess),
    exec: Boolean(o.exec),
    egressHosts: Array.isArray(o.egressHosts) ? o.egressHosts.map(String) : [],
    pathPrefixes: Array.isArray(o.pathPrefixes) ? o.pathPrefixes.map(String) : [],
    commandPatterns: Array.isArray(o.commandPatterns) ? o.commandPatterns.map(String) : [],
  };
}
