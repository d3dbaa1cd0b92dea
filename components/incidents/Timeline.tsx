import Link from "next/link";
import { Badge, type Tone } from "@/components/ui/Badge";
import type { TimelineEntry } from "@/lib/incidents/types";

const SOURCE_LABEL: Record<TimelineEntry["source"], string> = {
  event: "incident",
  containment: "containment",
  delivery: "gateway",
  finding: "finding",
  tool_call: "blocked call",
};
const SOURCE_TONE: Record<TimelineEntry["source"], Tone> = { event: "blue", containment: "red", delivery: "amber", finding: "amber", tool_call: "gray" };

/** The merged incident timeline, oldest first (times in UTC, to the second). */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) return <p className="text-sm text-slate-500">Nothing on the timeline yet.</p>;
  return (
    <ol className="relative space-y-4 border-l border-slate-200 pl-5 dark:border-slate-700" aria-label="Incident timeline">
      {entries.map((e) => (
        <li key={e.key} className="relative">
          <span
            aria-hidden
            className={`absolute -left-[1.6rem] top-1.5 h-2.5 w-2.5 rounded-full ${e.tone === "red" ? "bg-red-500" : e.tone === "green" ? "bg-emerald-500" : e.tone === "amber" ? "bg-amber-500" : e.tone === "blue" ? "bg-brand-500" : "bg-slate-400"}`}
          />
          <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1 text-sm">
            <time dateTime={e.at.toISOString()} className="whitespace-nowrap font-mono text-xs text-slate-500">
              {e.at.toISOString().replace("T", " ").slice(0, 19)} UTC
            </time>
            <Badge tone={e.tone && e.source !== "event" ? e.tone : SOURCE_TONE[e.source]}>{SOURCE_LABEL[e.source]}</Badge>
            {e.href ? (
              <Link href={e.href} className="font-medium text-brand-600 hover:underline">
                {e.title}
              </Link>
            ) : (
              <span className="font-medium">{e.title}</span>
            )}
            {e.by && <span className="text-xs text-slate-500">by {e.by}</span>}
          </div>
          {e.text && <pre className="mt-1 whitespace-pre-wrap break-words font-sans text-sm text-slate-700 dark:text-slate-300">{e.text}</pre>}
          {e.facts && e.facts.length > 0 && <p className="mt-0.5 text-xs text-slate-500">{e.facts.map(([k, v]) => `${k}: ${v}`).join(" · ")}</p>}
        </li>
      ))}
    </ol>
  );
}
