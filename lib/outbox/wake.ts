import { EventEmitter } from "node:events";

/**
 * In-process wake-up for connector long-polls: after a containment commits, the gateways' open
 * polls answer at once instead of at their next database check. Several Warden processes still
 * work: lib/outbox/commands.ts checks the outbox for every parked gateway every couple of
 * seconds (one query for all of them) and wakes the ones with due commands.
 */
const bus: EventEmitter = ((globalThis as { __wardenWake?: EventEmitter }).__wardenWake ??= new EventEmitter().setMaxListeners(0));

export function wakeGateways(gatewayIds: Iterable<string>) {
  for (const id of gatewayIds) bus.emit(id);
}

/**
 * Start listening for this gateway's wake-up now (before checking the outbox, so a wake between
 * the check and the wait is not lost); `wait` resolves after `ms`, at the wake, or on abort.
 */
export function listenForWake(gatewayId: string): { wait: (ms: number, signal?: AbortSignal) => Promise<void>; stop: () => void } {
  let woken = false;
  let release: (() => void) | null = null;
  const onWake = () => {
    woken = true;
    release?.();
  };
  bus.on(gatewayId, onWake);
  const stop = () => bus.off(gatewayId, onWake);
  return {
    stop,
    wait: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (woken || signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          release = null;
          resolve();
        };
        const timer = setTimeout(done, ms);
        release = done;
        signal?.addEventListener("abort", done, { once: true });
      }),
  };
}
