import { Badge } from "@/components/ui/Badge";
import { fmtDate, fmtDay } from "@/components/ui/format";
import { describeApprovalConditions } from "@/lib/tools/conditions";

type D = {
  id: string;
  outcome: string;
  reason: string;
  checklist: unknown;
  conditions: unknown;
  decidedAt: Date;
  reReviewAt: Date | null;
  revokedAt: Date | null;
  revokeReason: string | null;
  decider: { email: string };
  revokedBy?: { email: string } | null;
};

const LABEL: Record<string, string> = {
  authorVerified: "Author verified",
  vulnHistoryChecked: "Vulnerability history checked",
  dependencyAuditRun: "Dependency audit run",
  permissionsNarrowed: "Permissions narrowed",
  credEgressFlagged: "Cred + egress risk flagged",
};

/** One trust decision as an auditor reads it: who, when, the checklist, the reason, conditions. */
export function Decision({ d, now }: { d: D; now: Date }) {
  const c = (d.checklist ?? {}) as Record<string, unknown>;
  const tone = d.revokedAt ? "red" : d.outcome === "reject" ? "red" : "green";
  return (
    <div className="min-w-0 rounded-md border border-slate-200 p-3 text-sm [overflow-wrap:anywhere] dark:border-slate-700" data-testid="decision">
      <p className="flex flex-wrap items-center gap-2">
        <Badge tone={tone}>{d.revokedAt ? "revoked" : d.outcome.replace(/_/g, " ")}</Badge>
        <span>
          by <strong>{d.decider.email}</strong> on {fmtDate(d.decidedAt)}
        </span>
        {d.reReviewAt && !d.revokedAt && (
          <Badge tone={d.reReviewAt < now ? "amber" : "gray"}>
            re-review {d.reReviewAt < now ? "overdue since" : "by"} {fmtDay(d.reReviewAt)}
          </Badge>
        )}
      </p>
      <p className="mt-2">{d.reason}</p>
      <ul className="mt-2 grid gap-x-4 text-xs text-slate-600 sm:grid-cols-2 dark:text-slate-400">
        {Object.entries(LABEL).map(([k, l]) => (
          <li key={k}>
            {c[k] ? "✔" : "✘"} {l}
          </li>
        ))}
        {typeof c.dependencyAuditResult === "string" && c.dependencyAuditResult && <li className="sm:col-span-2">Audit result: {c.dependencyAuditResult}</li>}
      </ul>
      {d.conditions != null && <Conditions raw={d.conditions} />}
      {d.revokedAt && (
        <p className="mt-2 text-red-700 dark:text-red-300">
          Revoked {fmtDate(d.revokedAt)}
          {d.revokedBy ? ` by ${d.revokedBy.email}` : ""}: {d.revokeReason}
        </p>
      )}
    </div>
  );
}

/** The conditions in plain words: what every gateway enforces on each call, then what is recorded. */
function Conditions({ raw }: { raw: unknown }) {
  const c = describeApprovalConditions(raw);
  return (
    <div className="mt-2 rounded bg-slate-50 p-2 text-xs dark:bg-slate-800" data-testid="conditions">
      <p className="font-medium">Conditions enforced at the gateway on every call:</p>
      <ul className="ml-4 list-disc">
        {c.enforced.map((x) => (
          <li key={x}>{x}</li>
        ))}
      </ul>
      <p className="mt-1 text-slate-600 dark:text-slate-400">Also narrowed (recorded for review): {c.recorded.join(", ")}.</p>
    </div>
  );
}
