/**
 * The dashboard's time windows. The rollup counts whole UTC hours, so every window over tool calls
 * is a run of whole hours ending with the current one: "24 h" is the current hour and the 23
 * before it, "7 d" the current hour and the 167 before it. Pure, shared by queries and tests.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Gateways silent for longer than this count as "not seen recently". */
export const GATEWAY_STALE_MINUTES = 15;
export { DRILL_DUE_DAYS } from "@/lib/playbooks/schema";
/** Days of the daily calls chart, and weeks of the review throughput chart. */
export const CHART_DAYS = 30;
export const THROUGHPUT_WEEKS = 12;
/** Agents shown in the spend chart (the rest are summarised as a count). */
export const SPEND_TOP_AGENTS = 10;

export const hourStart = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
export const utcDayStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
/** Monday 00:00 UTC of the week `d` falls in. */
export const utcWeekStart = (d: Date) => new Date(utcDayStart(d).getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS);
export const dayKey = (d: Date) => d.toISOString().slice(0, 10);

export type OverviewWindows = {
  now: Date;
  /** Start of the current hour: the newest rollup bucket counted (later, clock-skewed calls are not). */
  hourNow: Date;
  from24h: Date;
  from7d: Date;
  /** Midnight UTC today: today's spend. */
  today: Date;
  /** Midnight UTC six days ago: the 7-day spend (today included). */
  week: Date;
  /** Midnight UTC 29 days ago: the 30-day chart (today included). */
  from30d: Date;
  /** Monday of the first week of the throughput chart. */
  throughputFrom: Date;
};

export function overviewWindows(now: Date = new Date()): OverviewWindows {
  const hourNow = hourStart(now);
  const today = utcDayStart(now);
  return {
    now,
    hourNow,
    from24h: new Date(hourNow.getTime() - 23 * HOUR_MS),
    from7d: new Date(hourNow.getTime() - (7 * 24 - 1) * HOUR_MS),
    today,
    week: new Date(today.getTime() - 6 * DAY_MS),
    from30d: new Date(today.getTime() - (CHART_DAYS - 1) * DAY_MS),
    throughputFrom: new Date(utcWeekStart(now).getTime() - (THROUGHPUT_WEEKS - 1) * 7 * DAY_MS),
  };
}
