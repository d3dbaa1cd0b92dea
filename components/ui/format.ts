/** Dates in one readable, unambiguous form (UTC), identical on server and client. */
export function fmtDate(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = typeof d === "string" ? new Date(d) : d;
  return date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function fmtDay(d: Date | string | null | undefined): string {
  if (!d) return "—";
  return (typeof d === "string" ? new Date(d) : d).toISOString().slice(0, 10);
}

export function fmtAgo(d: Date | null | undefined, now = new Date()): string {
  if (!d) return "never";
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
