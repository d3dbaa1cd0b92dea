import { DRILL_CLOCK_SKEW_MS, DRILL_MAX_DURATION_MS, type DrillOutcome, type PlaybookPhaseName } from "./schema";

// Pure drill arithmetic, shared by the server (which decides) and the drill runner (which shows
// the same numbers while the clock runs). No server imports.

/** One step of a drill as stored in Drill.stepResults (title and phase copied: steps change later). */
export type DrillStepRecord = {
  stepId: string;
  title: string;
  phase: PlaybookPhaseName;
  startedAt: string;
  finishedAt: string;
  outcome: DrillOutcome;
  note: string;
};

type Timed = { phase: PlaybookPhaseName; outcome: DrillOutcome; finishedAt: Date | string };

/**
 * Time to contain: from the drill's start to the finish of the last containment-phase step marked
 * done. Null when no containment step was completed (skipped or failed steps contain nothing).
 */
export function timeToContainMs(startedAt: Date | string, results: Timed[]): number | null {
  const start = new Date(startedAt).getTime();
  let last: number | null = null;
  for (const r of results) {
    if (r.phase !== "containment" || r.outcome !== "done") continue;
    const t = new Date(r.finishedAt).getTime();
    if (last === null || t > last) last = t;
  }
  return last === null ? null : Math.max(0, last - start);
}

/** "4 min 05 s", "1 h 02 min", "850 ms"; "—" for null. */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** A running clock: "03:07" or "1:02:07". */
export function fmtClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

type StepRef = { id: string };
type ResultIn = { stepId: string; startedAt: Date; finishedAt: Date };

/**
 * Check a drill's timeline against its playbook's steps (given in run order). Returns field errors
 * keyed like the input ("stepResults.2.finishedAt"); empty when the timeline is sound: every step
 * belongs to the playbook and appears once, in run order, each finishing after it starts and
 * starting after the previous one finished, all within the drill window, nothing in the future.
 */
export function checkDrillTimeline(input: { steps: StepRef[]; startedAt: Date; finishedAt: Date; results: ResultIn[]; now: Date }): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (path: string, msg: string) => (errors[path] ??= []).push(msg);
  const { startedAt, finishedAt, results, now } = input;
  const latest = now.getTime() + DRILL_CLOCK_SKEW_MS;

  if (finishedAt.getTime() < startedAt.getTime()) add("finishedAt", "The drill cannot finish before it started.");
  if (startedAt.getTime() > latest) add("startedAt", "In the future.");
  if (finishedAt.getTime() > latest) add("finishedAt", "In the future.");
  if (finishedAt.getTime() - startedAt.getTime() > DRILL_MAX_DURATION_MS) add("finishedAt", `A drill lasts at most ${DRILL_MAX_DURATION_MS / 3_600_000} hours.`);

  const order = new Map(input.steps.map((s, i) => [s.id, i]));
  const seen = new Set<string>();
  let prevIndex = -1;
  let prevFinish: number | null = null;
  results.forEach((r, i) => {
    const at = (k: string) => `stepResults.${i}.${k}`;
    const idx = order.get(r.stepId);
    if (idx === undefined) add(at("stepId"), "Not a step of this playbook.");
    else if (seen.has(r.stepId)) add(at("stepId"), "This step appears twice.");
    else if (idx < prevIndex) add(at("stepId"), "Out of order: steps run in the playbook's order.");
    if (idx !== undefined) {
      seen.add(r.stepId);
      prevIndex = Math.max(prevIndex, idx);
    }
    const s = r.startedAt.getTime();
    const f = r.finishedAt.getTime();
    if (f < s) add(at("finishedAt"), "Before the step started.");
    if (prevFinish !== null && s < prevFinish) add(at("startedAt"), "Starts before the previous step finished.");
    if (s < startedAt.getTime() || f > finishedAt.getTime()) add(at("startedAt"), "Outside the drill's start and finish.");
    if (s > latest || f > latest) add(at("finishedAt"), "In the future.");
    prevFinish = Math.max(prevFinish ?? f, f);
  });
  return errors;
}
