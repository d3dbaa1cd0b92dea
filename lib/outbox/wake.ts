import { EventEmitter } from "node:events";

/**
 * In-process wake-up for connector long-polls: after a containment commits, the gateways' open
 * polls answer at once instead of at their next database check. Polls parked on other Warden
 * replicas are woken by the `warden_wake` NOTIFY every new command sends at commit (a database
 * trigger, see lib/outbox/commands.ts), with a periodic outbox check behind it.
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
