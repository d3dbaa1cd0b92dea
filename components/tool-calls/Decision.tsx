import { Badge } from "@/components/ui/Badge";

export type CallDecision = "allowed" | "blocked" | "not_run";

/**
 * A tool call's decision: allowed, blocked (with the reason), or not run — the gateway refused the
 * call before it ran (its arguments failed validation, unknown tool) — with what the policy decided.
 */
export function DecisionCell({ decision, policyDecision, blockReason, small = false }: { decision: CallDecision; policyDecision: CallDecision | null; blockReason: string | null; small?: boolean }) {
  const reason = blockReason ? <span className={small ? "text-xs text-slate-600 dark:text-slate-400" : ""}>{blockReason}</span> : null;
  if (decision === "blocked")
    return (
      <span>
        <Badge tone="red">blocked</Badge> {reason}
      </span>
    );
  if (decision === "not_run") {
    const policy = policyDecision === "blocked" ? "policy would have blocked it" : policyDecision === "allowed" ? "policy allowed it" : "policy decision unknown";
    return (
      <span title="The gateway refused the call before it ran (e.g. its arguments failed validation)">
        <Badge tone="amber">not run</Badge> <span className={small ? "text-xs text-slate-600 dark:text-slate-400" : ""}>{policy}</span>
        {policyDecision === "blocked" && reason ? <> ({reason})</> : null}
      </span>
    );
  }
  return <Badge tone="green">allowed</Badge>;
}
