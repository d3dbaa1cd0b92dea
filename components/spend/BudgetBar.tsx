import { THRESHOLDS } from "@/lib/spend/schema";
import { fmtPercent } from "./money";

/** Colour of a budget's use: calm below 75 %, amber to 90 %, red from 90 %. */
export function toneOf(percent: number): { bar: string; text: string } {
  if (percent >= 90) return { bar: "bg-red-600", text: "text-red-700 dark:text-red-300" };
  if (percent >= 75) return { bar: "bg-amber-500", text: "text-amber-700 dark:text-amber-300" };
  if (percent >= 50) return { bar: "bg-yellow-400", text: "text-yellow-800 dark:text-yellow-300" };
  return { bar: "bg-emerald-500", text: "text-emerald-700 dark:text-emerald-300" };
}

/**
 * Spend against a daily budget: a meter with marks at the 50/75/90 % thresholds (100 % is the
 * end of the bar; anything over it fills the bar and says so in the label).
 */
export function BudgetBar({ percent, label, size = "md" }: { percent: number; label: string; size?: "sm" | "md" }) {
  const tone = toneOf(percent);
  const width = Math.min(percent, 100);
  return (
    <div className="flex items-center gap-2">
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(percent, 100)}
        aria-valuetext={`${fmtPercent(percent)} of the daily budget`}
        className={`relative w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800 ${size === "sm" ? "h-2 min-w-24" : "h-4"}`}
      >
        <div className={`h-full ${tone.bar}`} style={{ width: `${width}%` }} />
        {THRESHOLDS.filter((t) => t < 100).map((t) => (
          <span key={t} aria-hidden className="absolute inset-y-0 w-px bg-slate-900/40 dark:bg-white/50" style={{ left: `${t}%` }} title={`${t} %`} />
        ))}
      </div>
      <span className={`w-16 shrink-0 text-right text-sm font-medium tabular-nums ${tone.text}`}>{fmtPercent(percent)}</span>
    </div>
  );
}

/** The threshold labels under a full-width bar. */
export function ThresholdScale() {
  return (
    <div aria-hidden className="relative mr-[4.5rem] mt-1 h-4 text-[10px] text-slate-500">
      {THRESHOLDS.map((t) => (
        <span key={t} className="absolute -translate-x-1/2" style={{ left: `${t}%` }}>
          {t}%
        </span>
      ))}
    </div>
  );
}
