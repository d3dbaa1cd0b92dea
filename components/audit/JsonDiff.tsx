/** A compact view of an audit event's before/after (already redacted on write). */
export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  if (before == null && after == null) return <span className="text-slate-400">—</span>;
  return (
    <details className="max-w-md">
      <summary className="cursor-pointer text-xs text-brand-600">details</summary>
      <div className="mt-1 grid gap-1 text-xs">
        {before != null && <pre className="overflow-x-auto rounded bg-red-50 p-2 dark:bg-red-950/40">{JSON.stringify(before, null, 2)}</pre>}
        {after != null && <pre className="overflow-x-auto rounded bg-emerald-50 p-2 dark:bg-emerald-950/40">{JSON.stringify(after, null, 2)}</pre>}
      </div>
    </details>
  );
}
