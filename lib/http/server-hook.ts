/**
 * What happens to every HTTP request of the server process before Next.js sees it (installed once
 * from instrumentation.ts by patching the servers' `emit`, so it applies to whatever server Next
 * creates, and no route, matcher or server action can skip it):
 * 1. the client address is stamped from the socket (lib/http/client-ip.ts, WARDEN_TRUST_PROXY);
 * 2. a signed-in request that changes state from another origin, or an API one whose body is not
 *    JSON, is answered 403/415 at once and never reaches Next (lib/http/same-origin.ts); a
 *    cross-site refusal is audited as a denial of the user whose session cookie it carried.
 * Decided from headers only: no body is read or buffered (a Next proxy would buffer it).
 * 3. `POST /api/v1/connector/events` (a gateway's events batch) is then answered here, by the direct
 *    gateway endpoint (lib/http/direct-routes.ts), unless WARDEN_CONNECTOR_DIRECT=off.
 */
import http from "node:http";
import https from "node:https";
import { parseTrustProxy, stampClientIp, type Trust } from "./client-ip";
import { checkCrossSite, publicOrigin, type CrossSiteVerdict } from "./same-origin";
import { headersOf, serveDirect } from "@/lib/connector/direct";
import { directRouteOf } from "./direct-routes";
import { envVars } from "@/lib/env";

type HookState = { installed: boolean };
const state: HookState = ((globalThis as { __wardenServerHook?: HookState }).__wardenServerHook ??= { installed: false });

const HOOKED_EVENTS = new Set(["request", "checkContinue", "checkExpectation"]);

/** Read access to the request's headers without copying them (the common, accepted case). */
function headerBagOf(req: http.IncomingMessage): { get(name: string): string | null } {
  return {
    get(name) {
      const v = req.headers[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
  };
}

/** The path as routing sees it: dot segments resolved, repeated slashes collapsed. */
function pathnameOf(req: http.IncomingMessage): string {
  const raw = req.url ?? "/";
  try {
    // Origin-form ("/path", even "//path") is a path on this server; absolute-form carries its own.
    const url = raw.startsWith("/") ? new URL(`http://warden.invalid${raw}`) : new URL(raw);
    return url.pathname.replace(/\/{2,}/g, "/");
  } catch {
    return raw;
  }
}

async function refuse(req: http.IncomingMessage, res: http.ServerResponse, verdict: Exclude<CrossSiteVerdict, { ok: true }>, headers: Headers, pathname: string) {
  if (verdict.reason === "cross_site") {
    try {
      const { auditCrossSiteRefusal } = await import("@/lib/auth/cross-site-audit");
      await auditCrossSiteRefusal(req.method ?? "POST", pathname, headers, verdict.reason);
    } catch (err) {
      console.error("warden: auditing a cross-site refusal failed", err);
    }
  }
  const code = verdict.status === 415 ? "unsupported_media_type" : "forbidden";
  const body = JSON.stringify({ error: { code, message: verdict.message } });
  // The body is never read: close the connection rather than drain it.
  res.writeHead(verdict.status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    connection: "close",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Apply the hook to one request; false when it answered the request itself. */
export function screenRequest(req: http.IncomingMessage, res: http.ServerResponse, trust: Trust, origin: string): boolean {
  stampClientIp(req, trust);
  const pathname = pathnameOf(req);
  const verdict = checkCrossSite({ method: req.method ?? "GET", pathname, headers: headerBagOf(req) }, origin);
  if (verdict.ok) return true;
  void refuse(req, res, verdict, headersOf(req), pathname).catch(() => res.destroy());
  return false;
}

/**
 * Install the hook on every HTTP(S) server of this process. Throws on an invalid WARDEN_TRUST_PROXY
 * or WARDEN_URL.
 */
export function installServerHook(env: Record<string, string | undefined> = envVars()): void {
  const trust = parseTrustProxy(env.WARDEN_TRUST_PROXY);
  const origin = publicOrigin(env);
  const direct = env.WARDEN_CONNECTOR_DIRECT !== "off";
  if (state.installed) return;
  state.installed = true;
  for (const proto of [http.Server.prototype, https.Server.prototype] as { emit: (event: string | symbol, ...args: unknown[]) => boolean }[]) {
    const emit = proto.emit;
    proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
      if (typeof event === "string" && HOOKED_EVENTS.has(event) && args[0] instanceof http.IncomingMessage && args[1] instanceof http.ServerResponse) {
        if (!screenRequest(args[0], args[1], trust, origin)) return true;
        // Not for `Expect: 100-continue` (checkContinue): Next answers those.
        const route = direct && event === "request" ? directRouteOf(args[0]) : null;
        if (route) {
          void serveDirect(args[0], args[1], route);
          return true;
        }
      }
      return emit.call(this, event, ...args);
    };
  }
}

/** installServerHook for the server process: a bad setting stops it with a clear message. */
export function installServerHookOrExit(): void {
  try {
    installServerHook();
  } catch (err) {
    console.error(`warden: ${(err as Error).message}`);
    process.exit(1);
  }
}
