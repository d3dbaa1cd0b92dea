/**
 * Group commit for the connector's statements: the first call runs at once, and calls made while
 * it is in flight are run together in the next statement. Under a burst (hundreds of gateways
 * answering the same kill switch, several senders ingesting at once) that is a handful of
 * statements instead of hundreds; when calls come one at a time nothing waits. `run` gets the
 * queued items in order and returns one result per item; if it throws, every item of that group
 * gets the error. Up to `concurrency` groups run at the same time.
 */
export function grouped<T, R>(run: (items: T[]) => Promise<R[]>, max = 500, concurrency = 1, weight: (item: T) => number = () => 1): (item: T) => Promise<R> {
  type Job = { item: T; resolve: (r: R) => void; reject: (e: unknown) => void };
  const queue: Job[] = [];
  let running = 0;
  async function drain() {
    running++;
    try {
      while (queue.length) {
        // Take jobs up to `max` (by weight), always at least one.
        let n = 0;
        let w = 0;
        while (n < queue.length && (n === 0 || w + weight(queue[n].item) <= max)) w += weight(queue[n++].item);
        const batch = queue.splice(0, n);
        try {
          const out = await run(batch.map((j) => j.item));
          batch.forEach((j, i) => j.resolve(out[i]));
        } catch (err) {
          for (const j of batch) j.reject(err);
        }
      }
    } finally {
      running--;
    }
  }
  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (running < concurrency) void drain();
    });
}
