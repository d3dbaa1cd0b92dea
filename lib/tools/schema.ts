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
    name: z.string().trim().min(1, "Required.").max(120).regex(/^[A-Za-z0-9_.@/:-]+$/, "Letters, digits and _ . @ / : - only."),
    kind: z.enum(TOOL_KINDS),
    source: z.enum(TOOL_SOURCES),
    publisher: z.string().trim().min(1, "Required.").max(120),
    description: z.string().trim().max(2000).optional(),
  }),
  version: z.string().trim().min(1, "Required.").max(64),
  contentHash: z.string().trim().toLowerCase().regex(/^[a-f0-9]{64}$/, "The SHA-256 of the exact version: 64 hex characters."),
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

export const ZDecision = z
  .object({
    requestId: ZId,
    outcome: z.enum(["approve", "approve_with_conditions", "reject"]),
    checklist: ZChecklist,
    reason: z.string().trim().min(10, "A decision always needs a reason (at least 10 characters).").max(4000),
    conditions: ZPermissions.optional(),
    reReviewDays: z.coerce.number().int().min(1).max(365).default(90),
  })
  .superRefine((d, ctx) => {
    if (d.outcome === "approve_with_conditions" && !d.conditions) ctx.addIssue({ code: "custom", path: ["conditions"], message: "Approving with conditions needs the narrowed permissions." });
    if (d.outcome !== "reject") {
      const c = d.checklist;
      for (const k of ["authorVerified", "vulnHistoryChecked", "dependencyAuditRun"] as const) {
        if (!c[k]) ctx.addIssue({ code: "custom", path: ["checklist", k], message: "Must be done before approving." });
      }
      if (c.dependencyAuditRun && !c.dependencyAuditResult) ctx.addIssue({ code: "custom", path: ["checklist", "dependencyAuditResult"], message: "Record the audit result." });
    }
  });
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
  .superRefine((g, ctx) => {
    if (g.kind === "exception" && !g.expiresAt) ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "An exception needs an end time." });
    if (g.expiresAt && g.expiresAt.getTime() <= Date.now()) ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "Must be in the future." });
    if (g.expiresAt && g.expiresAt.getTime() > Date.now() + 90 * 86_400_000 && g.kind === "exception") ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "Exceptions last 90 days at most." });
  });
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
