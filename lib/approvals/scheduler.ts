import "server-only";
import { expireApprovals } from "./service";

const EVERY_MS = 5_000;
let timer: ReturnType<typeof setInterval> | null = null;
let running = false;

async function tick() {
  if (running) return;
  running = true;
  try {
    await expireApprovals();
  } catch (err) {
    console.error("warden: expiring approvals failed", err);
  } finally {
    running = false;
  }
}

/**
 * Mark pending approvals past their expiry as expired every 5 s (idempotent start). Safe on every
 * replica at once: the update is conditional and skips rows another replica holds, so each request
 * expires (and is audited) exactly once. Reads of the queue also expire lazily.
 */
export function startApprovalScheduler(): () => void {
  if (!timer) {
    timer = setInterval(() => void tick(), EVERY_MS);
    timer.unref?.();
    void tick();
  }
  return () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
}
