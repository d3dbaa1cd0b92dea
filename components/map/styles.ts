import { APPROVAL_LABELS, type ApprovalState, type Classification, type EdgeState, type MapEdgeKind, type MapNodeType, type Risk } from "@/lib/map/schema";

/** Colours of the ecosystem map, shared by the graph, the legend and the list (readable in light and dark). */

export const TYPE_LABELS: Record<MapNodeType, string> = { gateway: "Gateway", agent: "Agent", tool: "Tool", integration: "Integration", service: "External service" };

/** Node fill and type chip by node type. */
export const TYPE_STYLES: Record<MapNodeType, { card: string; chip: string; swatch: string; mini: string }> = {
  gateway: { card: "bg-slate-100 dark:bg-slate-800", chip: "bg-slate-600 text-white dark:bg-slate-500", swatch: "bg-slate-500", mini: "#64748b" },
  agent: { card: "bg-sky-50 dark:bg-sky-950", chip: "bg-sky-700 text-white dark:bg-sky-600", swatch: "bg-sky-600", mini: "#0284c7" },
  tool: { card: "bg-violet-50 dark:bg-violet-950", chip: "bg-violet-700 text-white dark:bg-violet-600", swatch: "bg-violet-600", mini: "#7c3aed" },
  integration: { card: "bg-teal-50 dark:bg-teal-950", chip: "bg-teal-700 text-white dark:bg-teal-600", swatch: "bg-teal-600", mini: "#0d9488" },
  service: { card: "bg-fuchsia-50 dark:bg-fuchsia-950", chip: "bg-fuchsia-700 text-white dark:bg-fuchsia-600", swatch: "bg-fuchsia-600", mini: "#c026d3" },
};

/** Border and badge by risk. */
export const RISK_STYLES: Record<Risk, { border: string; badge: string; label: string }> = {
  high: { border: "border-red-500 ring-2 ring-red-500/30 dark:border-red-400", badge: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300", label: "high risk" },
  medium: { border: "border-amber-500 dark:border-amber-400", badge: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300", label: "medium risk" },
  low: { border: "border-slate-300 dark:border-slate-600", badge: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300", label: "low risk" },
};

/** Edge stroke by state: colour plus a dash pattern, so colour is never the only signal. */
export const EDGE_STYLES: Record<EdgeState, { stroke: string; dash?: string; label: string }> = {
  approved: { stroke: "#10b981", label: "approved" },
  approved_with_conditions: { stroke: "#10b981", dash: "8 4", label: "approved with conditions" },
  pending: { stroke: "#f59e0b", dash: "3 4", label: "pending" },
  overdue: { stroke: "#f59e0b", label: "re-review overdue" },
  not_reviewed: { stroke: "#f97316", dash: "2 3", label: "not reviewed" },
  rejected: { stroke: "#ef4444", label: "rejected" },
  revoked: { stroke: "#ef4444", dash: "8 4", label: "revoked" },
  active: { stroke: "#94a3b8", label: "runs (agent active)" },
  suspended: { stroke: "#ef4444", dash: "2 3", label: "runs (agent suspended)" },
  quarantined: { stroke: "#ef4444", dash: "2 3", label: "runs (agent quarantined)" },
  unapproved: { stroke: "#dc2626", dash: "6 3", label: "unapproved agent link" },
};

export const LEGEND_EDGE_STATES: EdgeState[] = ["approved", "approved_with_conditions", "pending", "overdue", "not_reviewed", "rejected", "revoked", "active", "unapproved"];

/** Data classification: stroke width of a data flow and the tone of its label. */
export const CLASS_STYLES: Record<Classification, { width: number; badge: string }> = {
  public: { width: 1.5, badge: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300" },
  internal: { width: 1.5, badge: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300" },
  confidential: { width: 2.5, badge: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300" },
  restricted: { width: 3.5, badge: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300" },
};

/** Badge tone of an approval state (for the list view). */
export const STATE_TONE: Record<ApprovalState, "green" | "amber" | "red" | "gray"> = {
  approved: "green",
  approved_with_conditions: "green",
  pending: "amber",
  overdue: "amber",
  not_reviewed: "amber",
  rejected: "red",
  revoked: "red",
};

export const RELATION_LABELS: Record<MapEdgeKind, string> = { runs: "runs", allowed: "may use", uses: "uses", sends: "sends data to", talks: "reaches" };

/** Human label of a node status (approval states read better spelled out). */
export function statusLabel(status: string): string {
  return APPROVAL_LABELS[status as ApprovalState] ?? status;
}
