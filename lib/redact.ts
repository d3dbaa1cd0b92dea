/**
 * Redaction of secrets. Two layers: keys whose names say "secret" (password, token, cookie, …)
 * in structured data, and credential-shaped strings anywhere in free text.
 *
 * The free-text rules cover every detector of secretlint's recommended preset
 * (@secretlint/secretlint-rule-preset-recommend, a dev dependency): `redact.secretlint.test.ts`
 * runs that preset as an oracle over realistic samples of each of its rules (nested in JSON, in
 * longer text, in URLs and headers) and fails if anything it detects survives redactString.
 * secretlint cannot run here itself: its linter is asynchronous and scans a whole file per call,
 * while ingestion redacts every string of 30,000 events a second, most of which hold nothing, so
 * each rule names literals its matches hold, and a string holding none is turned away after two
 * scans (see TRIGGER_CASED); `npm run bench` reports what redaction costs per event.
 *
 * The rules marked `warden` cover formats the preset (v11, the last line that runs on Node 20)
 * does not detect; each names why it is here. Keep them few: prefer a rule of a maintained set.
 */
export const REDACTED = "[REDACTED]";

/**
 * Key names that say the value is a secret. Unanchored, so that it also matches inside the JSON
 * text of a value (redactedJson's fast path relies on that).
 */
const SECRET_KEY =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|account[-_]?key|private[-_]?key|credential|authorization|cookie|session[-_]?key|signing[-_]?key|connection[-_]?string)/i;
// Keys that look secret but hold safe metadata.
const SAFE_KEY = /^(token(s)?_?(in|out|count|usage)|tokensIn|tokensOut|tokenId|tokenPrefix|prefix|expiresAt|passwordChanged|sessionEpoch|hasPassword)$/i;

/**
 * How a match is rewritten: `all` replaces the whole match; `value` keeps group 1 (a key and
 * its separator, a header name, a URL's "://") and replaces the rest.
 */
type Keep = "all" | "value";
/**
 * A rule: its pattern, whether it ignores case, and literals one of which its every match
 * contains (lower-case for a caseless rule): a substring search turns a string away before the
 * pattern runs.
 */
type Rule = { id: string; from: "secretlint" | "warden"; source: string; caseless?: boolean; needles: string[]; keep?: Keep };

// Words that name a secret when they end a key in free text (`db_password=…`, `"apiKey": "…"`,
// `X-API-Key: …`, `AccountKey=…`). Short, ambiguous words must start the key.
const KEY_WORDS = String.raw`(?:pass(?:word|wd|phrase)|secret(?:[-_]?key)?|token|api[-_]?key|apikey|access[-_]?key|account[-_]?key|(?:private|signing|encryption|master|client)[-_]?key|credentials?|signature|session[-_]?id|sessid|(?<![a-z0-9])(?:pass|pwd|auth|sig|dsn))(?![a-z0-9])`;
// The separator: an optional closing quote (also escaped, as in JSON inside a string), then = : => :=.
const KEY_SEPARATOR = String.raw`\\{0,3}["']?\s*(?:=>|:=|=|:)\s*`;
// A value: quoted (also with escaped quotes, as in JSON inside a string) up to the closing quote
// on the same line, or up to a delimiter. Not a value that is itself a key and separator
// (`token: password=…`): the inner key is matched in its turn, with its own value.
// (The lookahead reads the token greedily and looks back for the word: linear, unlike trying the
// words at every offset.)
const NESTED_KEY = String.raw`\\{0,3}["']?[A-Za-z0-9_.-]{1,64}(?<=${KEY_WORDS})${KEY_SEPARATOR}`;
const KEY_VALUE = String.raw`(?!${NESTED_KEY})(?:"[^"\r\n]{0,4096}"|'[^'\r\n]{0,4096}'|\\{1,3}"[^"\r\n]{0,4096}\\{1,3}"|\\{0,3}["']?[^\s"'\\&;,<>]{1,4096})`;

// A header's value: the rest of the line or of the quoted text it stands in, and a quoted
// value after a key inside it (`Cookie: sid="…"`).
const HEADER_VALUE = String.raw`\\{0,3}["']?[^\r\n"'\\]{1,8192}(?:(?<=[=:]\s{0,3})\\{0,3}["'][^"'\r\n]{0,4096}\\{0,3}["']?)?`;

const RULES: Rule[] = [
  // ── secretlint-rule-privatekey (and gcp: a service account's private_key is a PEM block) ──
  // Whole block; a block cut off before its END line is redacted to the end of the text.
  {
    id: "private-key",
    from: "secretlint",
    needles: ["-----BEGIN"],
    source: String.raw`-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)`,
  },
  // ── secretlint-rule-aws ──
  {
    id: "aws-access-key-id",
    from: "secretlint",
    needles: ["A3T", "AKIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ASIA"],
    source: String.raw`(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b`,
  },
  // AWS secret access keys are caught by the key=value rule below (…secret_access_key = …).
  // ── secretlint-rule-openai and -anthropic (every sk- key, also older and shorter forms) ──
  { id: "openai-anthropic", from: "secretlint", needles: ["sk-"], source: String.raw`(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}` },
  // ── secretlint-rule-github ──
  {
    id: "github",
    from: "secretlint",
    needles: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    source: String.raw`(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9_]{30,}|github_pat_[A-Za-z0-9_]{22,})`,
  },
  // ── secretlint-rule-slack ──
  { id: "slack-token", from: "secretlint", needles: ["xox", "xapp-"], source: String.raw`(?<![A-Za-z0-9])(?:xox[a-z]|xapp)-[A-Za-z0-9-]{11,}` },
  { id: "slack-webhook", from: "secretlint", needles: ["hooks.slack.com"], source: String.raw`https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+`, caseless: true },
  // ── secretlint-rule-npm (npm_ tokens; `_authToken=` is a key=value) ──
  { id: "npm", from: "secretlint", needles: ["npm_"], source: String.raw`(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36,}` },
  // ── secretlint-rule-sendgrid ──
  { id: "sendgrid", from: "secretlint", needles: ["SG."], source: String.raw`(?<![A-Za-z0-9])SG\.[\w-]{16,}\.[\w-]{16,}` },
  // ── secretlint-rule-shopify ──
  { id: "shopify", from: "secretlint", needles: ["shp"], source: String.raw`(?<![A-Za-z0-9])shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,}` },
  // ── secretlint-rule-linear ──
  { id: "linear", from: "secretlint", needles: ["lin_"], source: String.raw`(?<![A-Za-z0-9])lin_(?:api|oauth)_[A-Za-z0-9_]{32,}` },
  // ── secretlint-rule-1password (service account tokens) ──
  { id: "1password", from: "secretlint", needles: ["ops_"], source: String.raw`(?<![A-Za-z0-9])ops_ey[A-Za-z0-9+/=_-]{40,}` },
  // ── secretlint-rule-basicauth and -database-connection-string: credentials in a URL ──
  // The whole userinfo (a user name can be the token: https://<token>:x-oauth-basic@github.com/);
  // a password may hold "@", so up to the last one before the path. Linear: the class stops at
  // "/", which every further "://" holds.
  { id: "url-userinfo", from: "secretlint", needles: ["@"], source: String.raw`(:\/\/)[^\s/?#"'<>\\]+(?=@)`, keep: "value" },

  // ── Formats the preset does not cover (hand-kept) ──
  // Authorization and Cookie headers in free text: the rest of the line (a Cookie header holds
  // several name=value pairs; an Authorization header a scheme, kept, and credentials).
  {
    id: "auth-header",
    from: "warden",
    needles: ["authorization"],
    source: String.raw`((?<![a-z0-9])(?:proxy-)?authorization\\{0,3}["']?\s*[:=]\s*\\{0,3}["']?(?:(?:Bearer|Basic|Token|Digest|Negotiate|NTLM|ApiKey|AWS4-HMAC-SHA256)\s+)?)${HEADER_VALUE}`,
    caseless: true,
    keep: "value",
  },
  { id: "cookie-header", from: "warden", needles: ["cookie"], source: String.raw`((?<![a-z0-9])(?:set-)?cookie\\{0,3}["']?\s*[:=]\s*\\{0,3}["']?)${HEADER_VALUE}`, caseless: true, keep: "value" },
  // Key=value and "key": "value" in free text, query strings, env files and headers such as
  // X-API-Key: (query strings and config text carry password=, AccountKey=, sig=, _authToken=).
  // After the header rules, so that "X-API-Key: Authorization: …" loses both.
  {
    id: "key-value",
    from: "warden",
    needles: ["pass", "pwd", "secret", "token", "key", "auth", "credential", "sig", "sess", "dsn"],
    source: String.raw`(${KEY_WORDS}${KEY_SEPARATOR})${KEY_VALUE}`,
    caseless: true,
    keep: "value",
  },
  // A bearer or basic credential anywhere (e.g. curl -H "…: Bearer …" under another header name).
  { id: "bearer", from: "warden", needles: ["bearer", "basic"], source: String.raw`(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{16,}`, caseless: true, keep: "value" },
  // curl -u user:password / --user user:password.
  { id: "curl-user", from: "warden", needles: ["-u"], source: String.raw`((?:^|[\s"'])(?:-u|--user)(?:\s+|=))[^\s"':]{1,256}:[^\s"']{1,1024}`, keep: "value" },
  { id: "jwt", from: "warden", needles: ["eyJ"], source: String.raw`(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}` },
  { id: "google-api-key", from: "warden", needles: ["AIza"], source: String.raw`(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}` },
  { id: "google-oauth", from: "warden", needles: ["ya29.", "GOCSPX-"], source: String.raw`(?<![A-Za-z0-9])(?:ya29\.[\w-]{20,}|GOCSPX-[\w-]{20,})` },
  { id: "stripe", from: "warden", needles: ["k_live_", "k_test_", "whsec_"], source: String.raw`(?<![A-Za-z0-9])(?:[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})` },
  {
    id: "gitlab",
    from: "warden",
    needles: ["glpat-", "gldt-", "glptt-", "glrt-", "glsoat-", "gloas-", "glcbt-", "glffct-", "glimt-", "glft-", "glagent-", "GR1348941"],
    source: String.raw`(?<![A-Za-z0-9])(?:gl(?:pat|dt|ptt|rt|soat|oas|cbt|ffct|imt|ft|agent)-[\w-]{20,}|GR1348941[\w-]{20,})`,
  },
  { id: "huggingface", from: "warden", needles: ["hf_", "api_org_"], source: String.raw`(?<![A-Za-z0-9])(?:hf_|api_org_)[A-Za-z0-9]{30,}` },
  { id: "mailgun", from: "warden", needles: ["key-"], source: String.raw`(?<![A-Za-z0-9])key-[0-9a-f]{32}\b` },
  { id: "twilio-api-key", from: "warden", needles: ["SK"], source: String.raw`(?<![A-Za-z0-9])SK[0-9a-f]{32}\b` },
  { id: "discord-webhook", from: "warden", needles: ["discord"], source: String.raw`https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+`, caseless: true },
  { id: "digitalocean", from: "warden", needles: ["_v1_"], source: String.raw`(?<![A-Za-z0-9])do[opr]_v1_[a-f0-9]{64}` },
  { id: "pypi", from: "warden", needles: ["pypi-"], source: String.raw`(?<![A-Za-z0-9])pypi-AgE[A-Za-z0-9_-]{50,}` },
  // Telegram bot tokens, also inside https://api.telegram.org/bot<token>/…
  { id: "telegram-bot", from: "warden", needles: [":AA"], source: String.raw`(?:\b|(?<=bot))[0-9]{5,16}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])` },
  { id: "azure-sas", from: "warden", needles: ["SharedAccessSignature"], source: String.raw`(\bSharedAccessSignature\s+)[^\s"';]{1,4096}`, keep: "value" },
  { id: "warden-token", from: "warden", needles: ["wdn_"], source: String.raw`(?<![A-Za-z0-9])wdn_[A-Za-z0-9_-]{20,}` },
];

const COMPILED = RULES.map((r) => ({ ...r, re: new RegExp(r.source, r.caseless ? "gi" : "g") }));
type Compiled = (typeof COMPILED)[number];
if (RULES.some((r) => !r.needles.length || (r.caseless && r.needles.some((n) => n !== n.toLowerCase())))) throw new Error("redact: every rule needs literals (lower-case when caseless)");

/**
 * The clean-string fast path: two scans for the rules' literals (the case-sensitive ones, then
 * the caseless ones; split, each is faster than one caseless union). Most strings (paths, host
 * names, ids, prose) hold none and are returned as they are; for the others only the rules whose
 * literals they hold run.
 */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const union = (rules: Rule[], flags: string) =>
  new RegExp(
    rules
      .flatMap((r) => r.needles)
      .map(escape)
      .join("|"),
    flags,
  );
const TRIGGER_CASED = union(
  RULES.filter((r) => !r.caseless),
  "",
);
const TRIGGER_CASELESS = union(
  RULES.filter((r) => r.caseless),
  "i",
);

function holdsAny(text: string, needles: string[]): boolean {
  for (const n of needles) if (text.includes(n)) return true;
  return false;
}

const NONE: Compiled[] = [];

/** The rules whose literals the text holds (the only ones that can match it). */
function candidates(text: string): Compiled[] {
  const cased = TRIGGER_CASED.test(text);
  const caseless = TRIGGER_CASELESS.test(text);
  if (!cased && !caseless) return NONE;
  const lower = caseless ? text.toLowerCase() : "";
  const out: Compiled[] = [];
  for (const r of COMPILED) {
    if (r.caseless ? caseless && holdsAny(lower, r.needles) : cased && holdsAny(text, r.needles)) out.push(r);
  }
  return out;
}

/** Whether a rule matches somewhere in the text. */
function matches(rule: Compiled, text: string): boolean {
  rule.re.lastIndex = 0;
  const hit = rule.re.test(text);
  rule.re.lastIndex = 0;
  return hit;
}

/** Whether a string holds something a rule matches (false: it holds nothing to redact). */
function mayHoldSecret(text: string): boolean {
  return candidates(text).some((r) => matches(r, text));
}

/** Replace credential-shaped substrings in a string. */
export function redactString(text: string): string {
  let out = text;
  for (const rule of candidates(text)) {
    out = out.replace(rule.re, (...m: string[]) => (rule.keep === "value" ? `${m[1]}${REDACTED}` : REDACTED));
  }
  return out;
}

/**
 * The JSON text of redact(value), given json = JSON.stringify(value): the text itself when it
 * cannot hold anything to redact, without walking the value. Without a backslash every string
 * and key of the value stands verbatim in the text, between quotes; the rules match there at
 * least wherever they match in a string of the value (a quote ends no match early that a string
 * boundary would not), so a text they miss is clean.
 */
export function redactedJson(value: unknown, json: string): string {
  if (!json.includes("\\") && !SECRET_KEY.test(json) && !mayHoldSecret(json)) return json;
  return JSON.stringify(redact(value));
}

/** Deep-redact a JSON-like value: secret-named keys and credential-shaped strings. */
export function redact<T>(value: T): T {
  return walk(value, null) as T;
}

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !SAFE_KEY.test(key);
}

function walk(value: unknown, key: string | null): unknown {
  if (key && isSecretKey(key) && value !== null && value !== undefined && typeof value !== "boolean") {
    return REDACTED;
  }
  if (typeof value === "string") return redactString(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, null));
  if (value instanceof Date) return value;
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    // A name/value pair (HTTP headers as a list, HAR, env entries): the name says what the value is.
    const named = ["name", "key", "header"].find((k) => typeof obj[k] === "string");
    const secretPair = named !== undefined && "value" in obj && isSecretKey(obj[named] as string);
    const out: Record<string, unknown> = {};
    // A credential used as a key is redacted too (two such keys then share one entry).
    for (const [k, v] of Object.entries(obj)) out[redactString(k)] = secretPair && k === "value" ? walk(v, "secret") : walk(v, k);
    return out;
  }
  return value;
}
