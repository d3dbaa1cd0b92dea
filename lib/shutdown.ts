/**
 * Graceful shutdown of the server process (SIGTERM from `docker stop`, systemd or Ctrl+C).
 *
 * `next start` answers a signal by closing its HTTP server and exiting once every connection has
 * closed. Node keeps a keep-alive connection that had a request in flight open after that request
 * (and serves the next request on it), so a gateway that long-polls or posts batches kept the old
 * process alive until it was killed: measured, a server with 200 long-polling gateways was still
 * running 60 s after SIGTERM. So, once a signal arrives:
 * - long-polls end at once with what is pending (usually nothing), and the gateway polls again —
 *   on a new connection, to whatever serves the address next;
 * - connector answers carry `Connection: close`, so gateways do not reuse the connection;
 * - connections are closed as soon as they are not answering a request (checked every 100 ms):
 *   requests in flight (an ingestion batch's COPY, a page) finish first;
 * - after WARDEN_SHUTDOWN_TIMEOUT_SECONDS (default 8) every connection is closed, and the process
 *   exits a second later if Next has not exited by then: keep it 2 s under the orchestrator's grace
 *   period (Docker's is 10 s);
 * - work registered with holdExitFor (evidence exports handing their leases back) finishes before
 *   the process exits, within the same deadline.
 */
import { setMaxListeners } from "node:events";
import http from "node:http";
import net from "node:net";
import { settings } from "@/lib/env";

type ShutdownState = { controller: AbortController; startedAt: number | null; installed: boolean; beforeExit: Set<Promise<unknown>> };

function newState(): ShutdownState {
  const controller = new AbortController();
  // Every parked long-poll listens to it (hundreds of gateways): no "possible leak" warning.
  setMaxListeners(0, controller.signal);
  return { controller, startedAt: null, installed: false, beforeExit: new Set() };
}

// On globalThis: Next may load this module once per route bundle, and every copy must see the signal.
const state: ShutdownState = ((globalThis as { __wardenShutdown?: ShutdownState }).__wardenShutdown ??= newState());

/** Aborted when the process starts shutting down. */
export function shutdownSignal(): AbortSignal {
  return state.controller.signal;
}

export function isShuttingDown(): boolean {
  return state.startedAt !== null;
}

/**
 * Work started on the signal that must reach the database before the process exits (evidence
 * exports handing their leases back). Next exits as soon as its connections are closed, which can
 * be within a millisecond of the signal; once shutting down, the exit waits for this work (never
 * past the deadline).
 */
export function holdExitFor(work: Promise<unknown>): void {
  const tracked = work.catch(() => {}).finally(() => state.beforeExit.delete(tracked));
  state.beforeExit.add(tracked);
}

/** From the signal on, process.exit first waits for holdExitFor's work (the deadline uses the real exit). */
function deferExit(): (code?: number) => never {
  const exit = process.exit.bind(process) as (code?: number) => never;
  process.exit = ((code?: number) => {
    if (!state.beforeExit.size) return exit(code);
    void Promise.all([...state.beforeExit]).then(() => exit(code));
    return undefined as never;
  }) as typeof process.exit;
  return exit;
}

type ServerSocket = net.Socket & { server: http.Server; _httpMessage?: unknown };

/**
 * The HTTP servers of this process and their connections, found through the process's open
 * handles: Next does not expose its server. (`_getActiveHandles` and a socket's `_httpMessage`, the
 * response it is writing, are Node internals that have been stable for years; without them only
 * the deadline applies.)
 */
function httpServers(): { servers: Set<http.Server>; sockets: ServerSocket[] } {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  const servers = new Set<http.Server>();
  const sockets: ServerSocket[] = [];
  for (const h of handles) {
    if (h instanceof http.Server) servers.add(h);
    else if (h instanceof net.Socket && (h as Partial<ServerSocket>).server instanceof http.Server) {
      servers.add((h as ServerSocket).server);
      sockets.push(h as ServerSocket);
    }
  }
  return { servers, sockets };
}

/**
 * Close the connections that are not in a request: idle keep-alive ones, and ones that were
 * opened but have not sent a byte yet (Node counts those as active, so that its header timeout
 * applies to them, and `closeIdleConnections` leaves them open). A request being received or
 * answered is left to finish (or to the deadline).
 */
function closeUnused(): void {
  const { servers, sockets } = httpServers();
  servers.forEach((s) => s.closeIdleConnections());
  for (const s of sockets) if (!s.destroyed && !s._httpMessage && s.bytesRead === 0) s.destroy();
}

/** Start shutting down: long-polls return, idle connections close, and a deadline is set. */
function beginShutdown(reason: "SIGTERM" | "SIGINT", timeoutMs = shutdownTimeoutMs()): void {
  if (state.startedAt !== null) return;
  state.startedAt = Date.now();
  const exit = deferExit();
  console.log(`warden: ${reason}: finishing requests in flight (at most ${Math.round(timeoutMs / 1000)} s)`);
  state.controller.abort();
  // After Next's own handler has stopped the server accepting connections (it runs first).
  setImmediate(closeUnused);
  setInterval(closeUnused, 100).unref();
  setTimeout(() => {
    console.log("warden: shutdown deadline reached: closing every connection");
    httpServers().servers.forEach((s) => s.closeAllConnections());
    // The exit code Next itself uses for the signal (128 + its number).
    setTimeout(() => exit(reason === "SIGINT" ? 130 : 143), 1_000).unref();
  }, timeoutMs).unref();
}

/** How long a shutting-down process keeps serving (WARDEN_SHUTDOWN_TIMEOUT_SECONDS, default 8 s). */
export function shutdownTimeoutMs(): number {
  return settings.shutdownTimeoutMs();
}

/** Called once from instrumentation.ts in the server process (next start and next dev). */
export function installShutdownHandlers(): void {
  // With NEXT_MANUAL_SIG_HANDLE the operator's own handler decides when to stop serving.
  if (state.installed || settings.manualSignalHandling()) return;
  state.installed = true;
  process.on("SIGTERM", () => beginShutdown("SIGTERM"));
  process.on("SIGINT", () => beginShutdown("SIGINT"));
}
