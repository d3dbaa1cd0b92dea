/**
 * Where to send a user after sign-in: only a path on this Warden. Decided by parsing the value
 * against the base URL the way a browser will (WHATWG URL), plus the shapes browsers read
 * differently from how they look: backslashes (read as `/`), tabs and newlines (dropped), and the
 * same after percent-decoding. Anything else becomes "/". No "server-only": the login page, the
 * next-auth redirect callback and unit tests use it.
 */

const MAX_LENGTH = 2048;
// C0 controls (tab, newline, NUL …), DEL, and backslash.
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/** The value, and its percent-decoded forms (a value may be decoded again on its way to the browser). */
function decodings(value: string): string[] {
  const out = [value];
  let cur = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      break;
    }
    if (next === cur) break;
    out.push(next);
    cur = next;
  }
  return out;
}

/**
 * A same-origin path+query+hash to redirect to after sign-in, or "/" when `next` is missing, is
 * another origin, or has a shape some parser reads as another origin (`//host`, `/\host`,
 * `/%09/host`, `javascript:`, absolute URLs elsewhere).
 */
export function safeNextPath(next: unknown, baseUrl: string): string {
  if (typeof next !== "string" || !next || next.length > MAX_LENGTH) return "/";
  for (const form of decodings(next)) {
    const t = form.trimStart();
    if (UNSAFE.test(form) || t.startsWith("//")) return "/";
  }
  let base: URL;
  let url: URL;
  try {
    base = new URL(baseUrl);
    // With a scheme it must be a complete absolute URL ("https:host" is not resolved against the base).
    url = /^[a-z][a-z0-9+.-]*:/i.test(next.trim()) ? new URL(next) : new URL(next, base);
  } catch {
    return "/";
  }
  if (url.origin !== base.origin || url.username || url.password) return "/";
  // A path that serialises as "//…" is protocol-relative when used as a redirect target.
  if (!url.pathname.startsWith("/") || url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
