import { z } from "zod";

// Shared by the findings page, its server actions and /api/v1/findings.

export const FINDING_KINDS = [
  "unapproved_tool",
  "hash_drift",
  "undocumented_egress",
  "spike",
  "posture",
  "model_policy",
  "agent_link",
  "unapproved_item",
  "unregistered_agent",
  "posture_drift",
  "advisory",
] as const;
export type FindingKindName = (typeof FINDING_KINDS)[number];
/** The kinds computed from tool-call telemetry (posture findings come from gateway security audits). */
export const COMPUTED_KINDS = ["unapproved_tool", "hash_drift", "undocumented_egress", "spike", "model_policy", "agent_link"] as const;
export type ComputedKind = (typeof COMPUTED_KINDS)[number];
/** `resolved`: closed by Warden because what it reported no longer applies (detail.resolvedNote says why). */
export const FINDING_STATUSES = ["open", "dismissed", "incident", "resolved"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;

export const FINDING_KIND_LABELS: Record<FindingKindName, string> = {
  unapproved_tool: "Unapproved tool",
  hash_drift: "Hash drift",
  undocumented_egress: "Undocumented egress",
  spike: "Call spike",
  posture: "Gateway posture",
  model_policy: "Model policy",
  agent_link: "Unapproved agent link",
  unapproved_item: "Unapproved skill, plugin or MCP server",
  unregistered_agent: "Unregistered agent",
  posture_drift: "Posture drift",
  advisory: "Advisory",
};

const ZId = z.uuid("Not a valid id.");

export const ZFindingDismiss = z.object({
  id: ZId,
  reason: z.string({ message: "Required." }).trim().min(5, "Say why (at least 5 characters).").max(2000, "At most 2000 characters."),
});
export type TFindingDismiss = z.infer<typeof ZFindingDismiss>;

export const ZFindingIncident = z.object({
  id: ZId,
  /** Defaults to the finding's own severity. */
  severity: z.enum(SEVERITIES, { message: `One of: ${SEVERITIES.join(", ")}.` }).optional(),
});
export type TFindingIncident = z.infer<typeof ZFindingIncident>;

/** A manual run: scan the tool calls of the last `sinceHours` hours (default 24, at most 7 days). */
export const ZFindingsCompute = z.object({
  sinceHours: z.coerce.number({ message: "A number of hours." }).int("Whole hours.").min(1, "At least 1.").max(168, "At most 168 (7 days).").default(24),
});
export type TFindingsCompute = z.infer<typeof ZFindingsCompute>;
