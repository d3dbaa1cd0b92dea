import "server-only";
import { escalateOverdue } from "@/lib/outbox/escalation";

const EVERY_MS = 5_000;
let timer: ReturnType<typeof setInterval> | null = null;
let running = false;

async function tick() {
  if (running) return;
  running = true;
  try {
    await escalateOverdue();
    const { retryAdminWs } = await import("@/lib/outbox/ws-path");
    await retryAdminWs();
  } catch (err) {
    console.error("warden: containment escalation failed", err);
  } finally {
    running = false;
  }
}

/** Escalate unacknowledged commands and retry the admin-WebSocket path every 5 s (idempotent start). */
export function startContainmentScheduler(): () => void {
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
