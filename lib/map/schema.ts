import { z } from "zod";

/**
 * The ecosystem map's shapes, shared by the loader (lib/map/queries.ts), the layout and the
 * client component. No database access here, so components may import it.
 */

export const NODE_TYPES = ["gateway", "agent", "tool", "integration", "service"] as const;
export type MapNodeType = (typeof NODE_TYPES)[number];

export const RISKS = ["low", "medium", "high"] as const;
export type Risk = (typeof RISKS)[number];

/** `talks`: an agent reached another agent (OpenClaw sessions_send / sessions_spawn), or may (an approved pair). */
export const EDGE_KINDS = ["runs", "allowed", "uses", "sends", "talks"] as const;
export type MapEdgeKind = (typeof EDGE_KINDS)[number];

/** Approval state of a tool, integration or data flow (flows: proposed → pending). */
export const APPROVAL_STATES = ["approved", "approved_with_conditions", "pending", "overdue", "not_reviewed", "rejected", "revoked"] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const APPROVAL_LABELS: Record<ApprovalState, string> = {
  approved: "approved",
  approved_with_conditions: "approved with conditions",
  pending: "pending",
  overdue: "re-review overdue",
  not_reviewed: "not reviewed",
  rejected: "rejected",
  revoked: "revoked",
};

export const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** A `runs` edge carries the agent's status; a `talks` edge "approved" or "unapproved"; every other edge an approval state. */
export type EdgeState = ApprovalState | "active" | "suspended" | "quarantined" | "unapproved";

export type MapNode = {
  /** `<type>:<uuid>`, or `service:<host>` for external services. */
  id: string;
  type: MapNodeType;
  label: string;
  /** Approval state for tools and integrations, agent status, gateway connectivity, worst flow state of a service. */
  status: string;
  risk: Risk;
  /** Why the risk is not low (empty when low). */
  reasons: string[];
  href: string;
  /** Short display facts (owner, publisher, classification…); never secrets or tool-call parameters. */
  meta: Record<string, string>;
  /** Dated facts ("last seen", "next review"…) as ISO times, shown as words with the exact UTC time on hover; null when never. */
  times?: Record<string, string | null>;
};

export type MapEdge = {
  id: string;
  source: string;
  target: string;
  kind: MapEdgeKind;
  state: EdgeState;
  /** For `sends` edges: the data classification of the flow. */
  classification?: Classification;
  /** For `allowed` edges: how the agent gets the tool (bundle names, grant, exception). */
  via?: string[];
  /** One-line description for the list view (e.g. the data sent). */
  detail?: string;
  /** For `talks` edges: calls seen (0 for an approved pair never used) and the last one (ISO). */
  calls?: number;
  lastAt?: string;
};

export type EcosystemGraph = { nodes: MapNode[]; edges: MapEdge[] };

/** URL filters; an unknown value is ignored rather than an error (the URL is user-editable). */
export const ZMapFilters = z.object({
  agent: z.uuid().optional().catch(undefined),
  sensitivity: z.enum(CLASSIFICATIONS).optional().catch(undefined),
  status: z.enum(APPROVAL_STATES).optional().catch(undefined),
});
export type TMapFilters = z.infer<typeof ZMapFilters>;

/** Parse Next's `searchParams` (values may be arrays) into map filters. */
export function parseMapFilters(params: Record<string, string | string[] | undefined>): TMapFilters {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;
  return ZMapFilters.parse({ agent: first(params.agent), sensitivity: first(params.sensitivity), status: first(params.status) });
}
