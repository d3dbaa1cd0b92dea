import Link from "next/link";
import type { OverviewTile } from "@/lib/overview/types";

const TONE = {
  default: { value: "", border: "border-slate-200 dark:border-slate-800", label: "" },
  warn: { value: "text-amber-600 dark:text-amber-400", border: "border-amber-300 dark:border-amber-700", label: "needs attention" },
  bad: { value: "text-red-600 dark:text-red-400", border: "border-red-300 dark:border-red-800", label: "action needed" },
} as const;

/** One dashboard number, linking to the filtered list it counts; amber or red when someone must act. */
export function StatTile({ tile }: { tile: OverviewTile }) {
  const t = TONE[tile.tone];
  return (
    <Link
      href={tile.href}
      data-testid={`tile-${tile.id}`}
      className={`block rounded-xl border bg-white p-4 shadow-sm hover:border-brand-500 focus-visible:outline-2 focus-visible:outline-brand-500 dark:bg-slate-900 ${t.border}`}
    >
      <p className="text-sm text-slate-600 dark:text-slate-400">{tile.label}</p>
      <p className={`mt-1 text-3xl font-semibold tabular-nums ${t.value}`}>
        {tile.value}
        {t.label && <span className="sr-only"> ({t.label})</span>}
      </p>
      {tile.hint && <p className="mt-1 text-xs text-slate-500">{tile.hint}</p>}
    </Link>
  );
}
