"use client";
import { useEffect, useState } from "react";
import { fmtRelative, fmtUtc } from "@/components/ui/format";

/**
 * A time as words ("3 min ago", "in 12 days") with the exact UTC time on hover, kept current while
 * the page is open. The server renders it against its own clock; the client corrects it after
 * hydration (suppressHydrationWarning: the two clocks differ by the render's latency).
 */
export function RelativeTime({ at, className }: { at: Date | string | number | null | undefined; className?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const t = setInterval(tick, 30_000);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, []);
  if (at === null || at === undefined || at === "") return <span className={className}>—</span>;
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return <span className={className}>—</span>;
  return (
    <time dateTime={date.toISOString()} title={fmtUtc(date)} className={className} suppressHydrationWarning>
      {fmtRelative(date, now)}
    </time>
  );
}
