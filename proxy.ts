import { NextResponse, type NextRequest } from "next/server";
import { checkCrossSite, publicOrigin } from "@/lib/http/same-origin";

/**
 * Every request but static assets passes here:
 * - a signed-in request that changes state (API route or server action) from another origin, or an
 *   API one with a body that is not JSON, is refused (lib/http/same-origin.ts) and audited;
 * - pages get a Content-Security-Policy with a fresh nonce (no unsafe-inline scripts), and
 *   anonymous page requests a redirect to /login.
 * Authorization is NOT done here: every page, action and route checks its own scope on the server.
 */
export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const verdict = checkCrossSite({ method: request.method, pathname, headers: request.headers }, publicOrigin());
  if (!verdict.ok) {
    if (verdict.reason === "cross_site") {
      await import("@/lib/auth/cross-site-audit")
        .then((m) => m.auditCrossSiteRefusal(request, verdict.reason))
        .catch((err) => console.error("warden: auditing a cross-site refusal failed", err));
    }
    const code = verdict.status === 415 ? "unsupported_media_type" : "forbidden";
    return NextResponse.json({ error: { code, message: verdict.message } }, { status: verdict.status, headers: { "cache-control": "no-store" } });
  }
  // API routes and prefetches: nothing more to do here (no CSP nonce, no redirect).
  if (pathname.startsWith("/api/") || request.headers.has("next-router-prefetch") || request.headers.get("purpose") === "prefetch") return NextResponse.next();

  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const isDev = process.env.NODE_ENV === "development";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (charts, layout) are allowed; inline scripts never are.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const isPublic = pathname === "/login";
  const hasSession = request.cookies.getAll().some((c) => c.name.endsWith("next-auth.session-token"));
  if (!isPublic && !hasSession) {
    const url = request.nextUrl.clone();
    url.pathname = "/login";
    url.search = pathname === "/" ? "" : `?next=${encodeURIComponent(pathname + search)}`;
    const res = NextResponse.redirect(url);
    res.headers.set("Content-Security-Policy", csp);
    return res;
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

// API routes and prefetches are matched too: the cross-site check must see every request that can
// change something. Only static files are left out.
export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
