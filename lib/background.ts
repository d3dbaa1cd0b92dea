/**
 * Work a request starts after its commit and does not wait for (post-commit kicks). Tracked so
 * that whoever closes the database pool can wait for it first (today: each test file's teardown,
 * test/per-file-db.ts; the server has no shutdown hook that closes the pool): closing the pool in
 * the middle of such work's transaction leaves its client checked out, and the close then waits
 * forever.
 */
const pending = new Set<Promise<void>>();

/** Run `work` in the background; its failure is the work's own business (it logs what matters). */
export function runInBackground(work: Promise<unknown>): void {
  const tracked: Promise<void> = work
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => pending.delete(tracked));
  pending.add(tracked);
}

/** Resolves once no background work is running (including work started while waiting). */
export async function backgroundIdle(): Promise<void> {
  while (pending.size) await Promise.all([...pending]);
}
