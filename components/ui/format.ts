/** A Date from what a caller has (a Date, an ISO string, epoch ms); null when it is not a valid date. */
function toDate(d: Date | string | number | null | undefined): Date | null {
  if (d === null || d === undefined || d === "") return null;
  const date = d instanceof Date ? d : typeof d === "string" || typeof d === "number" ? new Date(d) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** Dates in one readable, unambiguous form (UTC), identical on server and client; "—" when there is none. */
export function fmtDate(d: Date | string | number | null | undefined): string {
  const date = toDate(d);
  return date ? date.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—";
}

export function fmtDay(d: Date | string | number | null | undefined): string {
  const date = toDate(d);
  return date ? date.toISOString().slice(0, 10) : "—";
}

export function fmtAgo(d: Date | null | undefined, now = new Date()): string {
  if (!d || Number.isNaN(d.getTime())) return "never";
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
