import type { FindingKindName } from "@/lib/findings/schema";

/** What the findings list shows of a finding. */
export type FindingListRow = {
  id: string;
  kind: FindingKindName;
  severity: "low" | "medium" | "high" | "critical";
  status: "open" | "dismissed" | "incident" | "resolved";
  title: string;
  detail: unknown;
  agentId: string | null;
  toolName: string | null;
  gatewayId: string | null;
  dismissReason: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  agent: { name: string } | null;
  gateway: { name: string } | null;
};
type FindingRow = FindingListRow;

const detailOf = (f: FindingRow) => (f.detail && typeof f.detail === "object" ? f.detail : {}) as Record<string, unknown>;

/** The page a reconciliation finding links to for its fix (a Warden path, or an advisory's http(s) link). */
export function fixOf(f: FindingRow): { href: string; label: string } | null {
  const d = detailOf(f);
  if (typeof d.fixUrl !== "string" || !(/^\/(?!\/)/.test(d.fixUrl) || /^https?:\/\//i.test(d.fixUrl))) return null;
  return { href: d.fixUrl, label: typeof d.fixLabel === "string" ? d.fixLabel : "Fix" };
}

/** Where a finding's evidence is: the tool calls behind it (7 days), or its gateway for posture findings. */
export function evidenceHref(f: FindingRow): string | null {
  if (f.agentId) {
    const p = new URLSearchParams();
    if (f.toolName) p.set("tool", f.toolName);
    p.set("agent", f.agentId);
    p.set("range", "7d");
    return `/tool-calls?${p}`;
  }
  return f.gatewayId ? `/gateways/${f.gatewayId}` : null;
}

/** The few numbers of a finding's detail worth a glance in the table. */
export function summaryOf(f: FindingRow): string {
  const d = detailOf(f);
  switch (f.kind) {
    case "unapproved_tool":
      return `${d.calls ?? "?"} calls, ${d.blocked ?? 0} blocked`;
    case "hash_drift":
      return `seen ${String(d.seenHash ?? "").slice(0, 12)}…, ${d.calls ?? "?"} calls`;
    case "undocumented_egress":
      return `${d.host ?? "?"}, ${d.calls ?? "?"} calls`;
    case "agent_link":
      return `to ${d.toAgentName ?? d.targetAgentId ?? "?"}, ${d.calls ?? "?"} calls, ${d.blocked ?? 0} blocked`;
    case "spike":
      return `${d.lastHour ?? "?"} calls in an hour vs ${d.baselinePerHour ?? "?"}/h`;
    case "model_policy":
      return `${d.model ?? "?"}, ${d.calls ?? "?"} model calls (${d.fallbackCalls ?? 0} as fallback)${Array.isArray(d.why) && d.why.length ? `: ${d.why.join("; ")}` : ""}`;
    default:
      return typeof d.detail === "string" ? d.detail.slice(0, 140) : "";
  }
}
