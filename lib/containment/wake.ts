import { EventEmitter } from "node:events";

/**
 * In-process wake-up for connector long-polls: after a containment commits, the gateways' open
 * polls answer at once instead of at their next database check. Several Warden processes still
 * work (each poll also re-checks the outbox every couple of seconds).
 */
const bus: EventEmitter = ((globalThis as { __wardenWake?: EventEmitter }).__wardenWake ??= new EventEmitter().setMaxListeners(0));

export function wakeGateways(gatewayIds: Iterable<string>) {
  for (const id of gatewayIds) bus.emit(id);
}

/** Resolve after `ms`, or earlier when this gateway is woken or the signal aborts. */
export function waitForWake(gatewayId: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      bus.off(gatewayId, done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    bus.on(gatewayId, done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
