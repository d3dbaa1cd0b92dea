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

/** The exact UTC time to the second ("2026-12-07 17:43:31 UTC"), for a title on hover; "—" when there is none. */
export function fmtUtc(d: Date | string | number | null | undefined): string {
  const date = toDate(d);
  return date ? date.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—";
}

/**
 * A time as the words a person uses, past or future: "just now", "3 min ago", "5 h ago",
 * "yesterday", "12 days ago", "in 40 s", "in 3 h", "tomorrow", "in 12 days"; beyond 60 days the
 * date. "—" when there is none.
 */
export function fmtRelative(d: Date | string | number | null | undefined, now: Date | number = Date.now()): string {
  const date = toDate(d);
  if (!date) return "—";
  const diff = date.getTime() - (typeof now === "number" ? now : now.getTime());
  const future = diff > 0;
  const s = Math.round(Math.abs(diff) / 1000);
  const say = (n: number, unit: string) => (future ? `in ${n} ${unit}` : `${n} ${unit} ago`);
  if (s < 10) return future ? "in a few seconds" : "just now";
  if (s < 60) return say(s, "s");
  if (s < 3600) return say(Math.round(s / 60), "min");
  if (s < 86_400) return say(Math.round(s / 3600), "h");
  const days = Math.round(s / 86_400);
  if (days === 1) return future ? "tomorrow" : "yesterday";
  if (days <= 60) return say(days, "days");
  return fmtDay(date);
}

/** A count with thousands separators ("12,345"), fixed to en-US so server and client agree. */
export function fmtCount(n: number | null | undefined): string {
  return typeof n === "number" && Number.isFinite(n) ? n.toLocaleString("en-US") : "—";
}
