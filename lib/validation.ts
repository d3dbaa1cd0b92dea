import type { z } from "zod";

/** zod issues → { field: [messages] } with dotted paths; the same shape on client and server. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) (out[issue.path.join(".") || "_"] ??= []).push(issue.message);
  return out;
}

/**
 * Text Postgres cannot store: a NUL (refused in text and jsonb) or a lone UTF-16 surrogate (refused
 * in jsonb; mangled in text). Every string that reaches the database from outside is checked with
 * this, keys included, so such input is a 400 with a field error, never a 500.
 */
export function textProblem(s: string): string | null {
  if (s.includes("\u0000")) return "contains a NUL byte";
  if (!s.isWellFormed()) return "contains a lone surrogate (not valid Unicode)";
  return null;
}

const MAX_REPORTED = 20;

/** A key as it may be shown in a field path: NUL and lone surrogates made visible, never echoed raw. */
function showKey(k: string): string {
  return k.replaceAll("\u0000", "\\u0000").toWellFormed();
}

/**
 * Walk a parsed value (plain objects, arrays, strings; other values are left alone) without
 * recursion, so a deeply nested body cannot overflow the stack. Returns field errors keyed by the
 * dotted path of every string or key that fails `textProblem`, or null when all text is storable.
 */
export function findTextProblems(value: unknown, maxProblems = MAX_REPORTED): Record<string, string[]> | null {
  // Paths are kept as parent links and joined only for a problem: a deep body stays linear.
  type Path = { key: string; up: Path } | null;
  const join = (p: Path): string => {
    const parts: string[] = [];
    for (let q = p; q; q = q.up) parts.push(q.key);
    return parts.reverse().join(".") || "_";
  };
  const out: Record<string, string[]> = {};
  let count = 0;
  const add = (path: Path, msg: string) => {
    count++;
    (out[join(path)] ??= []).push(msg);
  };
  const stack: [unknown, Path][] = [[value, null]];
  while (stack.length && count < maxProblems) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      const p = textProblem(v);
      if (p) add(path, p);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], { key: String(i), up: path }]);
    } else if (v !== null && typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i];
        const at = { key: showKey(k), up: path };
        const p = textProblem(k);
        if (p) add(at, `key ${p}`);
        stack.push([child, at]);
      }
    }
  }
  return count ? out : null;
}

/**
 * Rewrite a JSON text so that `\u0000` escapes and unpaired surrogate escapes (`\ud800` alone) become
 * `\ufffd`. Raw text decoded from UTF-8 holds neither (a NUL must be escaped in JSON, and invalid
 * UTF-8 already decodes to U+FFFD), so after this, JSON.parse yields only storable strings and keys.
 * Each match consumes a whole escape, so an escaped backslash (`\\u0000`) is left as it is.
 */
export function sanitizeJsonText(text: string): string {
  return text.replace(/\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u(0000|d[89a-f][0-9a-f]{2})|\\[^]/gi, (m, hi: string | undefined, _lo, bad: string | undefined) => (hi || !bad ? m : "\\ufffd"));
}

/**
 * Check a URL's path segments and query parameters the way a handler will see them decoded: strict
 * UTF-8 (`%ED%A0%80`, an encoded surrogate, or a malformed `%` escape is refused, where the URL
 * parser would silently substitute U+FFFD) and no NUL. Returns field errors, or null.
 */
export function urlTextProblems(url: URL): Record<string, string[]> | null {
  const out: Record<string, string[]> = {};
  const decode = (s: string): string | null => {
    try {
      // A "%" not followed by two hex digits is literal (as the URL parser reads it); bytes that are
      // not UTF-8 (an encoded surrogate, an overlong form) make decodeURIComponent throw.
      return decodeURIComponent(s.replace(/%(?![0-9a-f]{2})/gi, "%25"));
    } catch {
      return null;
    }
  };
  const add = (field: string, msg: string) => {
    if (!(out[field] ??= []).includes(msg)) out[field].push(msg);
  };
  for (const seg of url.pathname.split("/")) {
    const d = decode(seg);
    const p = d === null ? "is not valid UTF-8" : textProblem(d);
    if (p) add("path", p);
  }
  for (const pair of url.search.replace(/^\?/, "").split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decode((eq < 0 ? pair : pair.slice(0, eq)).replaceAll("+", " "));
    const value = decode((eq < 0 ? "" : pair.slice(eq + 1)).replaceAll("+", " "));
    const keyProblem = key === null ? "is not valid UTF-8" : textProblem(key);
    if (keyProblem) add("query", `a parameter name ${keyProblem}`);
    else if (value === null) add(key!, "is not valid UTF-8");
    else if (textProblem(value)) add(key!, textProblem(value)!);
  }
  return Object.keys(out).length ? out : null;
}
