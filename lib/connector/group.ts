/**
 * Group commit for the connector's small statements: the first call runs at once, and calls made
 * while it is in flight are run together in the next statement. Under a burst (hundreds of
 * gateways answering the same kill switch) that is a handful of statements instead of hundreds;
 * when calls come one at a time nothing waits. `run` gets the queued items in order and returns
 * one result per item; if it throws, every item of that group gets the error.
 */
export function grouped<T, R>(run: (items: T[]) => Promise<R[]>, max = 500): (item: T) => Promise<R> {
  type Job = { item: T; resolve: (r: R) => void; reject: (e: unknown) => void };
  const queue: Job[] = [];
  let running = false;
  async function drain() {
    running = true;
    try {
      while (queue.length) {
        const batch = queue.splice(0, max);
        try {
          const out = await run(batch.map((j) => j.item));
          batch.forEach((j, i) => j.resolve(out[i]));
        } catch (err) {
          for (const j of batch) j.reject(err);
        }
      }
    } finally {
      running = false;
    }
  }
  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!running) void drain();
    });
}
