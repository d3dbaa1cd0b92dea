import { Badge } from "@/components/ui/Badge";
import { fmtDate } from "@/components/ui/format";
import { HashCell } from "@/components/gateways/HashCell";
import type { VersionDiff as TVersionDiff, PermissionChange } from "@/lib/tools/diff";

const KIND = { added: "+", removed: "−", changed: "~" } as const;

/** What this request changes against the last approved version of the same tool (computed on the server). */
export function VersionDiff({ diff }: { diff: TVersionDiff }) {
  if (diff.first) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="version-diff" data-first="true">
        No earlier approved version of this tool: review {diff.version} in full.
      </p>
    );
  }
  const { baseline, permissions, hash, publisher, source } = diff;
  return (
    <div className="space-y-4 text-sm" data-testid="version-diff">
      <p className="text-slate-600 dark:text-slate-400">
        Compared with <strong className="text-slate-900 dark:text-slate-100">{baseline.version}</strong>, {baseline.outcome === "approve" ? "approved" : "approved with conditions"} by{" "}
        {baseline.decider} on {fmtDate(baseline.decidedAt)}.
      </p>

      {publisher.changed && (
        <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100" data-testid="publisher-changed">
          <p className="font-semibold">
            Publisher changed{publisher.caseOnly ? " (only in letter case)" : ""}: {publisher.from} → {publisher.to}
          </p>
          <p className="mt-1">
            A new publisher can mean a transferred or taken-over package. Verify the new publisher&apos;s identity before approving; approval makes it the tool&apos;s publisher, unverified.
          </p>
        </div>
      )}
      {source.changed && (
        <p role="alert" className="rounded-md bg-red-50 p-3 font-semibold text-red-900 dark:bg-red-950 dark:text-red-100">
          Source changed: {source.from} → {source.to}
        </p>
      )}

      <section aria-label="Content hash">
        <h3 className="font-medium">Content hash</h3>
        {hash.changed ? (
          <div className="mt-1 space-y-1" data-testid="hash-diff" data-changed="true">
            <p>
              <Badge tone="amber">changed</Badge> {hash.sameVersionNumber && <Badge tone="red">same version number, different content</Badge>}
            </p>
            <p className="flex flex-wrap items-center gap-2">
              <span className="w-16 text-slate-500">approved</span> <HashCell hash={hash.from} />
            </p>
            <p className="flex flex-wrap items-center gap-2">
              <span className="w-16 text-slate-500">requested</span> <HashCell hash={hash.to} />
            </p>
          </div>
        ) : (
          <p className="mt-1 flex flex-wrap items-center gap-2" data-testid="hash-diff" data-changed="false">
            <Badge tone="green">same</Badge> <HashCell hash={hash.to} /> identical content to the approved version
          </p>
        )}
      </section>

      <section aria-label="Permission changes">
        <h3 className="font-medium">
          Permissions{" "}
          {permissions.risky > 0 && (
            <Badge tone="red">
              {permissions.risky} risky addition{permissions.risky === 1 ? "" : "s"}
            </Badge>
          )}
        </h3>
        {permissions.becomesCredEgress && <p className="mt-1 font-medium text-red-700 dark:text-red-300">New: credential access together with network egress (high risk).</p>}
        {permissions.changes.length === 0 ? (
          <p className="mt-1 text-slate-600 dark:text-slate-400">No permission changes.</p>
        ) : (
          <ul className="mt-1 space-y-1" data-testid="permission-changes">
            {permissions.changes.map((c) => (
              <ChangeRow key={c.key} c={c} />
            ))}
          </ul>
        )}
        {permissions.omitted > 0 && (
          <p className="mt-1 text-xs text-slate-500">
            …and {permissions.omitted} more change{permissions.omitted === 1 ? "" : "s"} not listed.
          </p>
        )}
      </section>

      <section aria-label="Conditions of the last approval">
        <h3 className="font-medium">Conditions of the last approval</h3>
        {baseline.conditions ? (
          <div className="mt-1 rounded bg-slate-50 p-2 text-xs dark:bg-slate-800">
            <ul className="ml-4 list-disc">
              {baseline.conditions.enforced.map((x) => (
                <li key={x}>{x}</li>
              ))}
            </ul>
            <p className="mt-1 text-slate-600 dark:text-slate-400">Also narrowed: {baseline.conditions.recorded.join(", ")}. Approve with conditions to keep them.</p>
          </div>
        ) : (
          <p className="mt-1 text-slate-600 dark:text-slate-400">None: it was approved as requested.</p>
        )}
      </section>
    </div>
  );
}

function ChangeRow({ c }: { c: PermissionChange }) {
  const value = c.kind === "changed" ? `${c.from} → ${c.to}` : (c.to ?? c.from);
  const tone = c.risky ? "text-red-800 dark:text-red-200" : c.kind === "removed" ? "text-slate-600 dark:text-slate-400" : "";
  return (
    <li className={`flex flex-wrap items-baseline gap-2 break-all ${tone}`} data-change={c.kind} data-risky={c.risky ? "true" : "false"}>
      <span aria-hidden className="w-3 font-mono">
        {KIND[c.kind]}
      </span>
      <span className="sr-only">{c.kind}</span>
      <span className="font-medium">{c.label}</span>
      {value && <code className="text-xs">{value}</code>}
      {c.note && <span className="text-xs">({c.note})</span>}
      {c.risky && <Badge tone="red">risky</Badge>}
    </li>
  );
}
