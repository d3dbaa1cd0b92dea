import { NextResponse, type NextRequest } from "next/server";
import { urlTextProblems } from "@/lib/validation";

/**
 * A URL whose path or query decodes to a NUL byte or to bytes that are not UTF-8 (an encoded lone
 * surrogate) is refused here, for every page and API route alike, before any handler reads it:
 * Postgres cannot store such text, and no handler needs it. Handlers check again (queryParams in
 * lib/api.ts, parseListQuery) so the rule holds where this proxy does not run.
 *
 * Then, for pages only: Content-Security-Policy with a fresh nonce per page request (no unsafe-inline scripts), and a
 * redirect to /login for anonymous page requests. Authorization is NOT done here: every page,
 * action and route checks its own scope on the server.
 */
export function proxy(request: NextRequest) {
  const problems = urlTextProblems(new URL(request.url));
  if (problems) {
    return NextResponse.json(
      { error: { code: "invalid", message: "The URL holds a NUL byte or text that is not valid UTF-8.", fieldErrors: problems } },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  }
  if (request.nextUrl.pathname.startsWith("/api/")) return NextResponse.next();

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

  const { pathname, search } = request.nextUrl;
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

export const config = {
  matcher: [
    "/api/:path*",
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico|logo.svg|screenshots/).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
