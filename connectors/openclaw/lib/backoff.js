// Retry schedule of the plugin's background loops (command long-poll, telemetry flush, policy
// refresh, inventory): bounded, jittered exponential backoff. Bounded low on purpose: after an
// outage the command long-poll must resume within seconds of Warden's return (a kill switch issued
// then must not wait minutes), and a successful policy fetch resets every loop's backoff at once.

/** Upper bound of any retry wait, whatever the number of failures. */
export const MAX_BACKOFF_MS = 10_000;
const BASE_MS = 500;

/**
 * How long to wait after the n-th consecutive failure (n >= 1): "equal jitter", a random point in
 * the upper half of min(MAX, BASE·2^(n-1)), so the wait grows 0.5 s, 1 s, 2 s, 4 s, 8 s, 10 s … and
 * never exceeds MAX_BACKOFF_MS. `retryAfterSeconds` (a 429's Retry-After) is honoured, capped too.
 */
export function backoffDelay(failures, { random = Math.random, retryAfterSeconds, maxMs = MAX_BACKOFF_MS } = {}) {
  if (!(failures >= 1)) return 0;
  const ceiling = Math.min(maxMs, BASE_MS * 2 ** Math.min(failures - 1, 30));
  let wait = Math.round(ceiling / 2 + random() * (ceiling / 2));
  if (Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0) wait = Math.max(wait, Math.min(maxMs, retryAfterSeconds * 1000));
  return Math.min(wait, maxMs);
}

/**
 * Shared state of the loops: each counts its own failures; `recovered()` (a successful policy fetch:
 * Warden is back) clears every count and cuts short every backoff sleep in progress.
 */
export function createBackoffGroup() {
  const failures = new Map();
  let waiters = new Set();
  return {
    failed(name) {
      const n = (failures.get(name) ?? 0) + 1;
      failures.set(name, n);
      return n;
    },
    succeeded(name) {
      failures.delete(name);
    },
    failures: (name) => failures.get(name) ?? 0,
    recovered() {
      failures.clear();
      const w = waiters;
      waiters = new Set();
      for (const wake of w) wake();
    },
    /** Sleep `ms`, or less: until recovered() or the abort signal. */
    sleep(ms, signal) {
      return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiters.add(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    },
  };
}
