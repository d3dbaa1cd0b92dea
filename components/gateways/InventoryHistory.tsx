import { fmtDate } from "@/components/ui/format";
import { SECTION_LABELS, type InventoryDiff, type SectionDiff } from "@/lib/gateways/inventory-diff";

type Row = { id: string; firstReportedAt: Date; lastReportedAt: Date; reports: number; diff: InventoryDiff | null };

function SectionChanges({ name, d }: { name: string; d: SectionDiff }) {
  return (
    <li>
      <span className="font-medium">{name}</span>
      <ul className="ml-4 list-disc">
        {d.added.map((k) => (
          <li key={`+${k}`} className="text-emerald-700 dark:text-emerald-400">
            added <code>{k}</code>
          </li>
        ))}
        {d.removed.map((k) => (
          <li key={`-${k}`} className="text-red-700 dark:text-red-400">
            removed <code>{k}</code>
          </li>
        ))}
        {d.changed.map((c) => (
          <li key={`~${c.name}`}>
            {name === SECTION_LABELS.openclaw || name === SECTION_LABELS.config ? (
              "changed"
            ) : (
              <>
                changed <code>{c.name}</code>
              </>
            )}
            :{" "}
            {c.fields.map((f, i) => (
              <span key={f.field}>
                {i > 0 && "; "}
                <code>{f.field}</code>{" "}
                <del className="text-red-700 dark:text-red-400" title={f.before ?? undefined}>
                  {f.before === null ? "unset" : f.before.length > 40 ? `${f.before.slice(0, 40)}…` : f.before}
                </del>{" "}
                →{" "}
                <ins className="text-emerald-700 no-underline dark:text-emerald-400" title={f.after ?? undefined}>
                  {f.after === null ? "unset" : f.after.length > 40 ? `${f.after.slice(0, 40)}…` : f.after}
                </ins>
              </span>
            ))}
          </li>
        ))}
        {d.omitted ? <li className="text-slate-500">{d.omitted} more changes not shown</li> : null}
      </ul>
    </li>
  );
}

/** The inventory history of a gateway: one entry per distinct report, newest first, with what changed. */
export function InventoryHistory({ rows, keep }: { rows: Row[]; keep: number }) {
  if (rows.length === 0) return <p className="text-sm text-slate-500">No inventory reported yet: the history starts with the gateway&apos;s first report.</p>;
  return (
    <div className="space-y-2">
      <ol className="space-y-2 text-sm" aria-label="Inventory history">
        {rows.map((r, i) => (
          <li key={r.id} className="rounded border border-slate-200 p-2 dark:border-slate-800" data-testid="inventory-history-entry">
            <p>
              <span className="font-medium">{fmtDate(r.firstReportedAt)}</span> {r.diff ? r.diff.summary : i === rows.length - 1 ? "first report kept" : "reported"}
              <span className="text-xs text-slate-500">
                {" "}
                · reported {r.reports} time{r.reports === 1 ? "" : "s"} unchanged, last {fmtDate(r.lastReportedAt)}
              </span>
            </p>
            {r.diff && Object.keys(r.diff.sections).length > 0 && (
              <details className="mt-1">
                <summary className="cursor-pointer text-xs text-brand-600">What changed</summary>
                <ul className="mt-1 space-y-1 text-xs">
                  {Object.entries(r.diff.sections).map(([k, d]) => (d ? <SectionChanges key={k} name={SECTION_LABELS[k as keyof typeof SECTION_LABELS] ?? k} d={d} /> : null))}
                </ul>
              </details>
            )}
          </li>
        ))}
      </ol>
      <p className="text-xs text-slate-500">A new entry is kept when the reported content changes; the newest {keep} are kept per gateway.</p>
    </div>
  );
}
