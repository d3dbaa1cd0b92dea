/**
 * A periodic background job in this process: runs `fn` at once and then every `everyMs`, never
 * twice at the same time (a slow run skips the ticks it overlaps), logging failures under `name`.
 * Starting it again is a no-op; the returned function stops it. It runs on EVERY replica: new
 * background work belongs in lib/jobs/catalog.ts (defineJob: each period on one replica). Kept only
 * for the evidence-export runner until it joins the catalog.
 */
const timers = new Map<string, ReturnType<typeof setInterval>>();

export function startPeriodic(name: string, everyMs: number, fn: () => Promise<unknown>): () => void {
  if (!timers.has(name)) {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await fn();
      } catch (err) {
        console.error(`warden: ${name} failed`, err);
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void tick(), everyMs);
    timer.unref?.();
    timers.set(name, timer);
    void tick();
  }
  return () => {
    clearInterval(timers.get(name));
    timers.delete(name);
  };
}
