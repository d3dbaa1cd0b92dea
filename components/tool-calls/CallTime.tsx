"use client";
import { useEffect, useState, useSyncExternalStore } from "react";
import { fmtRelative, fmtUtc } from "@/components/ui/format";

const noop = () => () => {};

/**
 * The browser's time zone ("Europe/Paris"), or null while rendering on the server and hydrating
 * (the server cannot know it): callers show UTC until then, so the markup always matches.
 */
export function useTimeZone(): string | null {
  return useSyncExternalStore(
    noop,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    () => null,
  );
}

/** "Dec 7, 14:02:07" in `zone` (the date only when it is not today there), or UTC with the suffix. */
export function fmtInZone(d: Date, zone: string | null, now = new Date()): string {
  if (!zone) return fmtUtc(d);
  const day = (x: Date) => x.toLocaleDateString("en-CA", { timeZone: zone });
  const time = d.toLocaleTimeString("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  if (day(d) === day(now)) return time;
  const date = d.toLocaleDateString("en-US", { timeZone: zone, month: "short", day: "numeric", ...(d.getFullYear() !== now.getFullYear() ? { year: "numeric" } : {}) });
  return `${date}, ${time}`;
}

/** A clock that ticks every `ms` (relative times stay current while the page is open). */
export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/**
 * A call's time in the user's zone with seconds, and how long ago ("3 min ago"); the exact UTC
 * time on hover. `stacked` puts the relative time on a second line (table rows).
 */
export function CallTime({ at, stacked = false }: { at: string; stacked?: boolean }) {
  const zone = useTimeZone();
  const now = useNow();
  const d = new Date(at);
  return (
    <time dateTime={d.toISOString()} title={fmtUtc(d)} suppressHydrationWarning className={stacked ? "flex flex-col" : ""}>
      <span>{fmtInZone(d, zone, new Date(now))}</span>
      <span className="text-slate-500 dark:text-slate-400" suppressHydrationWarning>
        {stacked ? "" : " · "}
        {fmtRelative(d, now)}
      </span>
    </time>
  );
}
