import { envVars } from "@/lib/env";
/**
 * Cross-site request refusal: which state-changing requests a browser could have been tricked into
 * sending with the user's session cookie, decided from headers only. Applied by the server hook
 * (lib/http/server-hook.ts) to every request before Next routes it, so no route handler or server
 * action can forget it. No "server-only": instrumentation and unit tests import it.
 */

type HeaderBag = { get(name: string): string | null };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** next-auth's own POST endpoints, which check its double-submit CSRF token (nothing else under /api/auth/ is exempt). */
const NEXT_AUTH_ENDPOINT = /^\/api\/auth\/(signin|callback|signout|_log)(\/[A-Za-z0-9_-]+)?$/;

/** The content types a cross-origin page can send without a CORS preflight (forms, text/plain fetch). */
const SIMPLE_TYPES = new Set(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * API routes whose body is not JSON, with the types they accept. Every other state-changing API
 * request with a body must be `application/json`.
 */
const UPLOAD_TYPES: Record<string, readonly string[]> = {
  "/api/v1/evidence/verify": ["application/gzip", "application/x-gzip", "application/octet-stream"],
};

/** The body types a state-changing API route accepts from a browser. */
export function acceptedBodyTypes(pathname: string): readonly string[] {
  return UPLOAD_TYPES[pathname] ?? ["application/json"];
}

/** The public origin of this Warden: WARDEN_URL, else NEXTAUTH_URL, else http://localhost:$PORT (as the launcher). */
export function publicOrigin(env: Record<string, string | undefined> = envVars()): string {
  const raw = env.WARDEN_URL || env.NEXTAUTH_URL || `http://localhost:${env.PORT || 3000}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`WARDEN_URL: "${raw.slice(0, 100)}" is not a URL (e.g. https://warden.example.com)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("WARDEN_URL: use an http:// or https:// URL");
  return url.origin;
}

/** True when the request authenticates with `Authorization: Bearer …` (getActor then ignores cookies). */
export function usesBearer(h: HeaderBag): boolean {
  return h.get("authorization")?.startsWith("Bearer ") ?? false;
}

/**
 * True when the request carries a next-auth session cookie (any prefix or chunk). Matched on the raw
 * header, so that no cookie parser can find a session this check missed.
 */
export function carriesSessionCookie(h: HeaderBag): boolean {
  return (h.get("cookie") ?? "").toLowerCase().includes("next-auth.session-token");
}

/** The media type of the body, lower-case and without parameters ("" when absent). */
export function mediaTypeOf(h: HeaderBag): string {
  return (h.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

function mayHaveBody(h: HeaderBag): boolean {
  const len = h.get("content-length");
  return h.get("transfer-encoding") !== null || (len !== null && len.trim() !== "0");
}

export type CrossSiteVerdict = { ok: true } | { ok: false; status: 403 | 415; reason: "cross_site" | "media_type"; message: string };

/**
 * Decide whether a request may proceed. A request that changes state (any method but GET, HEAD,
 * OPTIONS), is not a bearer-token request and carries the session cookie must come from the public
 * origin: `Origin` equal to it, or, without `Origin`, `Sec-Fetch-Site: same-origin`. Any
 * `Sec-Fetch-Site` other than same-origin is refused as well. On /api/ it must also send a body as
 * `application/json` (or the upload type of its route). next-auth's own endpoints (/api/auth/)
 * carry their own CSRF token and are left to it.
 */
export function checkCrossSite(req: { method: string; pathname: string; headers: HeaderBag }, origin: string): CrossSiteVerdict {
  const { headers: h } = req;
  if (SAFE_METHODS.has(req.method.toUpperCase())) return { ok: true };
  if (NEXT_AUTH_ENDPOINT.test(req.pathname)) return { ok: true };
  if (usesBearer(h) || !carriesSessionCookie(h)) return { ok: true };

  const sentOrigin = h.get("origin");
  const site = h.get("sec-fetch-site");
  const sameOrigin = sentOrigin !== null ? sentOrigin === origin && (site === null || site === "same-origin") : site === "same-origin";
  if (!sameOrigin) {
    return {
      ok: false,
      status: 403,
      reason: "cross_site",
      message: `Cross-site request refused: a signed-in request that changes something must come from ${origin}.`,
    };
  }

  if (req.pathname === "/api" || req.pathname.startsWith("/api/")) {
    const type = mediaTypeOf(h);
    const accepted = acceptedBodyTypes(req.pathname);
    if (type ? !accepted.includes(type) || SIMPLE_TYPES.has(type) : mayHaveBody(h)) {
      return { ok: false, status: 415, reason: "media_type", message: `Send the body as ${accepted.join(" or ")}.` };
    }
  }
  return { ok: true };
}
