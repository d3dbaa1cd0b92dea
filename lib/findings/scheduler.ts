import "server-only";
import { computeFindings } from "./compute";

const EVERY_MS = 5 * 60_000;
/** Each run rescans the last day, so calls that arrive late (a gateway catching up) are still judged. */
const WINDOW_MS = 24 * 3_600_000;

let timer: ReturnType<typeof setInterval> | null = null;
let running = false;

/** One scheduled run; skipped while the previous one is still going. */
async function runOnce() {
  if (running) return;
  running = true;
  try {
    const now = new Date();
    await computeFindings({ since: new Date(now.getTime() - WINDOW_MS), now });
  } catch (err) {
    console.error("warden: computing findings failed", err);
  } finally {
    running = false;
  }
}

/**
 * Compute findings every 5 minutes in this process (idempotent: a second call does nothing).
 * The timer is unref'd so it never keeps the process alive; returns a function that stops it.
 */
export function startFindingsScheduler(): () => void {
  if (!timer) {
    timer = setInterval(() => void runOnce(), EVERY_MS);
    timer.unref?.();
  }
  return () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
}
