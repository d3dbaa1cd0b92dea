/**
 * Redaction of secrets. Two layers: keys whose names say "secret" (password, token, …) in
 * structured data, and credential-shaped strings anywhere in free text (API keys, bearer tokens,
 * database URLs with passwords, private-key blocks). Used for audit before/after and, later, for
 * ingested tool-call params.
 */
export const REDACTED = "[REDACTED]";

const SECRET_KEY = /(pass(word|wd|phrase)?|secret|token|api[-_]?key|private[-_]?key|credential|authorization|cookie|session[-_]?key|signing[-_]?key)/i;
// Keys that look secret but hold safe metadata.
const SAFE_KEY = /^(token(s)?_?(in|out|count|usage)|tokensIn|tokensOut|tokenId|tokenPrefix|prefix|expiresAt|passwordChanged|sessionEpoch|hasPassword)$/i;

const PATTERNS: [string, RegExp][] = [
  ["private-key", /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g],
  ["anthropic", /\bsk-ant-[A-Za-z0-9_-]{20,}/g],
  ["openai", /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g],
  ["google", /\bAIza[0-9A-Za-z_-]{35}\b/g],
  ["github", /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g],
  ["slack", /\bxox[abposr]-[A-Za-z0-9-]{10,}/g],
  ["slack-webhook", /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g],
  ["aws-access-key", /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g],
  ["aws-secret", /(aws_secret_access_key\s*[=:]\s*)["']?[A-Za-z0-9/+=]{40}["']?/gi],
  ["stripe", /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g],
  ["jwt", /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
  ["bearer", /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{16,}/gi],
  ["warden-token", /\bwdn_[A-Za-z0-9_-]{20,}/g],
  ["db-url-password", /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(@)/gi],
];

/**
 * Any of the patterns, case-insensitive: it matches at least wherever one of them does, so a
 * string it does not match has nothing to redact (one scan instead of one per pattern; ingestion
 * redacts every string of every tool call).
 */
const ANY_PATTERN = new RegExp(PATTERNS.map(([, re]) => `(?:${re.source})`).join("|"), "i");

/** Replace credential-shaped substrings in a string. */
export function redactString(text: string): string {
  if (!ANY_PATTERN.test(text)) return text;
  let out = text;
  for (const [name, re] of PATTERNS) {
    out = out.replace(re, (...m: string[]) => {
      if (name === "db-url-password") return `${m[1]}${REDACTED}${m[2]}`;
      if (name === "aws-secret") return `${m[1]}${REDACTED}`;
      if (name === "bearer") return `${m[1]} ${REDACTED}`;
      return REDACTED;
    });
  }
  return out;
}

/**
 * The JSON text of redact(value), given json = JSON.stringify(value): the text itself when it
 * cannot hold anything to redact, without walking the value. Without a backslash every string
 * and key of the value stands verbatim in the text (between quotes, which are not word
 * characters), so neither a secret-named key nor a credential pattern can match in the value
 * where it does not match in the text.
 */
export function redactedJson(value: unknown, json: string): string {
  if (!json.includes("\\") && !SECRET_KEY.test(json) && !ANY_PATTERN.test(json)) return json;
  return JSON.stringify(redact(value));
}

/** Deep-redact a JSON-like value: secret-named keys and credential-shaped strings. */
export function redact<T>(value: T): T {
  return walk(value, null) as T;
}

function walk(value: unknown, key: string | null): unknown {
  if (key && SECRET_KEY.test(key) && !SAFE_KEY.test(key) && value !== null && value !== undefined && typeof value !== "boolean") {
    return REDACTED;
  }
  if (typeof value === "string") return redactString(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, null));
  if (value instanceof Date) return value;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    // A credential used as a key is redacted too (two such keys then share one entry).
    for (const [k, v] of Object.entries(value)) out[redactString(k)] = walk(v, k);
    return out;
  }
  return value;
}
