// Conditions of an approval, enforced on a tool call's parameters, and the gateway's SSRF check.
// Pure apart from the optional `realpath` the caller passes (symlink resolution on the gateway's
// filesystem). Warden validated and normalised every condition when the approval was decided
// (lib/tools/conditions.ts), and the policy carrying them is signed; this module still treats the
// call's parameters as hostile: URLs go through the WHATWG URL parser (the one Node's fetch uses,
// which also normalises decimal/octal/hex IPv4 forms), addresses through node:net.
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

// ---- what a call touches ----------------------------------------------------------------------

/** Parameter names that carry a URL (any depth): url, targetUrl, baseURL, urls, uri, href, endpoint… */
const URL_KEY = /(?:url|uri|href|endpoint)s?$/i;
/** Parameter names that carry a file system path (top level): read/write/edit, exec's workdir… */
const PATH_KEYS = new Set(["path", "file_path", "filePath", "filepath", "file", "paths", "files", "dir", "directory", "cwd", "workdir", "destination", "outputPath", "inputPath"]);
/** Tools whose paths sit inside a patch text (OpenClaw also offers event.derivedPaths for them). */
const PATCH_TOOLS = new Set(["apply_patch"]);
const MAX_NODES = 2000;
/** Text a tool writes or sends (a file's content that is only a URL is not a request). */
const CONTENT_KEYS = new Set(["content", "text", "message", "body", "caption", "title", "description", "prompt", "query", "newText", "oldText", "input", "patch", "command", "data"]);
const ABSOLUTE_URL = /^(?:https?|wss?|ftp|gopher):\/\/\S*$/i;

/** The URL-bearing string values of a call's parameters, with where they were found. */
export function urlParams(params) {
  const out = [];
  let nodes = 0;
  const walk = (v, key, depth) => {
    if (++nodes > MAX_NODES || depth > 6) return;
    if (typeof v === "string") {
      // A URL-named parameter, or any value that is itself an absolute network URL (`image`, `target`…).
      if ((key && URL_KEY.test(key)) || (!CONTENT_KEYS.has(key) && ABSOLUTE_URL.test(v.trim()))) out.push({ key: key || "(value)", value: v });
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key, depth + 1);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, k, depth + 1);
    }
  };
  walk(params, "", 0);
  return out;
}

const SCHEMELESS_OK = /^(about|data|blob):/i;
const NETWORK_SCHEMES = new Set(["http:", "https:", "ws:", "wss:"]);

/**
 * Parse one URL parameter as a browser or fetch would (a value without a scheme is taken as
 * http://…). Returns { host } (lower-case, IDNA, no trailing dot, IPv6 without brackets), or
 * { host: null } for URLs that reach no host (about:, data:, blob:), or { error }.
 */
export function hostOf(value) {
  const s = String(value).trim();
  if (!s) return { error: "an empty URL" };
  if (SCHEMELESS_OK.test(s)) return { host: null };
  let u;
  try {
    // "localhost:3000/x" is a host and port, not a scheme: like a browser's address bar, add http://.
    const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[^:/]+:\d/.test(s);
    u = new URL(hasScheme ? s : `http://${s}`);
  } catch {
    return { error: "a URL that does not parse" };
  }
  if (!NETWORK_SCHEMES.has(u.protocol)) return { error: `a ${u.protocol.replace(/:$/, "")}: URL (only http, https, ws and wss reach the network)` };
  const host = u.hostname.replace(/^\[|\]$/g, "").replace(/\.+$/, "").toLowerCase();
  if (!host) return { error: "a URL without a host" };
  return { host };
}

/** The hosts a call would reach (for the event's egressHosts), unique, at most 50. */
export function egressHostsOf(params) {
  const hosts = new Set();
  for (const p of urlParams(params)) {
    const h = hostOf(p.value);
    if (h.host) hosts.add(h.host.slice(0, 253));
    if (hosts.size >= 50) break;
  }
  return [...hosts];
}

// ---- SSRF: addresses and names that must not be reached without an explicit data flow ---------

const RANGES = [];
function range(label, family, net_, prefix) {
  const list = new net.BlockList();
  list.addSubnet(net_, prefix, family);
  RANGES.push({ label, family, list });
}
range("an unspecified address", "ipv4", "0.0.0.0", 8);
range("a loopback address", "ipv4", "127.0.0.0", 8);
range("a link-local address (cloud metadata lives here)", "ipv4", "169.254.0.0", 16);
range("a private address", "ipv4", "10.0.0.0", 8);
range("a private address", "ipv4", "172.16.0.0", 12);
range("a private address", "ipv4", "192.168.0.0", 16);
range("a shared (carrier-grade NAT) address", "ipv4", "100.64.0.0", 10);
range("a reserved address", "ipv4", "192.0.0.0", 24);
range("a documentation address", "ipv4", "192.0.2.0", 24);
range("a benchmarking address", "ipv4", "198.18.0.0", 15);
range("a documentation address", "ipv4", "198.51.100.0", 24);
range("a documentation address", "ipv4", "203.0.113.0", 24);
range("a multicast address", "ipv4", "224.0.0.0", 4);
range("a reserved address", "ipv4", "240.0.0.0", 4);
range("the unspecified address", "ipv6", "::", 128);
range("the loopback address", "ipv6", "::1", 128);
range("an IPv4-mapped IPv6 address", "ipv6", "::ffff:0:0", 96);
range("an IPv4-compatible IPv6 address", "ipv6", "::", 96);
range("a NAT64 address (embeds an IPv4 address)", "ipv6", "64:ff9b::", 96);
range("a NAT64 address (embeds an IPv4 address)", "ipv6", "64:ff9b:1::", 48);
range("a 6to4 address (embeds an IPv4 address)", "ipv6", "2002::", 16);
range("a Teredo address (embeds an IPv4 address)", "ipv6", "2001::", 32);
range("a documentation address", "ipv6", "2001:db8::", 32);
range("a discard-only address", "ipv6", "100::", 64);
range("a unique-local (private) address", "ipv6", "fc00::", 7);
range("a link-local address", "ipv6", "fe80::", 10);
range("a site-local address", "ipv6", "fec0::", 10);
range("a multicast address", "ipv6", "ff00::", 8);

/** Names that resolve to the gateway itself, a cloud metadata service or a private network by convention. */
const LOOPBACK_NAMES = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localtest.me", "lvh.me"]);
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com", "100-100-100-200"]);
const PRIVATE_SUFFIXES = ["localhost", "internal", "local", "localdomain", "home.arpa", "intranet", "corp", "lan", "private"];
/** Wildcard-DNS services that answer any embedded address (127.0.0.1.nip.io → 127.0.0.1). */
const WILDCARD_DNS = ["nip.io", "sslip.io", "xip.io", "localtest.me", "lvh.me", "traefik.me", "local.gd"];
const under = (host, suffix) => host === suffix || host.endsWith(`.${suffix}`);

/** Why a host must not be reached without approval, or null for an ordinary public name. */
export function ssrfRisk(host) {
  const family = net.isIP(host);
  if (family) {
    const fam = family === 4 ? "ipv4" : "ipv6";
    const hit = RANGES.find((r) => r.family === fam && r.list.check(host, fam));
    return hit ? `${hit.label}` : "an IP address literal (egress is reviewed by host name)";
  }
  if (METADATA_NAMES.has(host)) return "a cloud metadata service name";
  if (LOOPBACK_NAMES.has(host) || under(host, "localhost")) return "a loopback name";
  if (WILDCARD_DNS.some((d) => under(host, d))) return "a wildcard-DNS name that maps to an embedded address";
  if (PRIVATE_SUFFIXES.some((d) => under(host, d))) return "a private-network name";
  if (!host.includes(".")) return "a single-label name (resolved through local search domains)";
  return null;
}

// ---- matching -----------------------------------------------------------------------------------

/** `api.example.com` exactly, or `*.example.com` for any subdomain (not the apex); case-insensitive. */
export function hostMatches(host, pattern) {
  const p = String(pattern).toLowerCase().replace(/\.+$/, "");
  if (p.startsWith("*.")) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return host === p;
}

const META = new Set(";&|<>$`\\(){}\n\r");
/**
 * Glob match of a whole command: `*` matches any run of characters except shell control
 * characters; everything else matches itself. Dynamic programming, O(pattern × command): no
 * backtracking, so no pattern or command can make it slow.
 */
export function commandMatches(pattern, command) {
  const m = pattern.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  cur[0] = 1;
  for (let j = 1; j <= m; j++) cur[j] = pattern[j - 1] === "*" && cur[j - 1] ? 1 : 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    next[0] = 0;
    let any = 0;
    for (let j = 1; j <= m; j++) {
      const p = pattern[j - 1];
      next[j] = p === "*" ? (next[j - 1] || (cur[j] && !META.has(c)) ? 1 : 0) : cur[j - 1] && p === c ? 1 : 0;
      any |= next[j];
    }
    if (!any) return false;
    [cur, next] = [next, cur];
  }
  return cur[m] === 1;
}

/** Normalise an absolute path (resolve `.`/`..`, collapse slashes); null for NUL or non-absolute. */
export function normalisePath(p) {
  if (typeof p !== "string" || p.includes("\0") || !path.posix.isAbsolute(p)) return null;
  return path.posix.resolve(p);
}
/** Is `p` (normalised) the prefix itself or below it, on whole segments? */
export function underPrefix(p, prefix) {
  const q = prefix === "/" ? "/" : prefix.replace(/\/+$/, "");
  return q === "/" || p === q || p.startsWith(`${q}/`);
}

/** The file paths a call names: path-like top-level params, OpenClaw's derivedPaths, patch headers. */
export function pathParams(toolName, params, derivedPaths) {
  const out = [];
  const add = (key, v) => {
    if (typeof v === "string") out.push({ key, value: v });
    else if (Array.isArray(v)) for (const x of v.slice(0, 200)) if (typeof x === "string") out.push({ key, value: x });
  };
  if (params && typeof params === "object") for (const [k, v] of Object.entries(params)) if (PATH_KEYS.has(k)) add(k, v);
  if (Array.isArray(derivedPaths)) add("derivedPaths", derivedPaths);
  if (PATCH_TOOLS.has(toolName)) {
    const text = [params?.input, params?.patch].find((x) => typeof x === "string") ?? "";
    for (const m of text.slice(0, 1_000_000).matchAll(/^\*\*\* (?:(?:Add|Update|Delete) File|Move to): (.+)$/gm)) add("patch", m[1].trim());
  }
  return out;
}

/** A path parameter as OpenClaw's file tools read it: `@` reference prefix and file:// URLs resolved. */
function absoluteOf(raw) {
  let s = raw.trim();
  if (s.startsWith("@")) s = s.slice(1);
  if (/^file:/i.test(s)) {
    try {
      s = fileURLToPath(s);
    } catch {
      return null;
    }
  }
  return normalisePath(s);
}

// ---- the check ----------------------------------------------------------------------------------

const quote = (s, n = 120) => JSON.stringify(String(s).length > n ? `${String(s).slice(0, n)}…` : String(s));

/**
 * Check one call against the SSRF rule and its tool's conditions.
 * @param agent  the policy agent ({ id, egressHosts? })
 * @param tool   the policy tool ({ name, conditions? })
 * @param call   { toolName, params, derivedPaths? }
 * @param opts   { realpath?: (absPath) => string } resolves symlinks of the longest existing ancestor
 * @returns null when the call may run, else { code, reason }
 */
export function checkConditions(agent, tool, call, opts = {}) {
  const name = tool?.name ?? call.toolName;
  const params = call.params && typeof call.params === "object" ? call.params : {};
  const cond = tool?.conditions && typeof tool.conditions === "object" ? tool.conditions : {};
  const flows = new Set((Array.isArray(agent?.egressHosts) ? agent.egressHosts : []).map((h) => String(h).toLowerCase()));
  const egress = Array.isArray(cond.egressHosts) ? cond.egressHosts : null;

  for (const u of urlParams(params)) {
    const h = hostOf(u.value);
    if (h.error) return { code: "ssrf", reason: `Warden: blocked before the request leaves (SSRF check): parameter "${u.key}" of tool "${name}" is ${h.error}` };
    if (!h.host) continue;
    const risk = ssrfRisk(h.host);
    // Only an approved data flow of this agent naming this exact host lets such a URL through.
    if (risk && !flows.has(h.host)) {
      return { code: "ssrf", reason: `Warden: blocked before the request leaves (SSRF check): parameter "${u.key}" of tool "${name}" targets ${quote(h.host)}, ${risk}; an approved data flow of agent "${agent?.id}" to exactly this host would allow it` };
    }
    if (egress && !egress.some((p) => hostMatches(h.host, p))) {
      return { code: "condition_egress", reason: `Warden: condition "egress hosts" of tool "${name}": host ${quote(h.host)} is not allowed (${egress.length ? `allowed: ${egress.join(", ")}` : "the approval allows no network access"})` };
    }
  }

  const prefixes = Array.isArray(cond.pathPrefixes) ? cond.pathPrefixes.filter((p) => typeof p === "string") : [];
  if (prefixes.length) {
    const found = pathParams(name, params, call.derivedPaths);
    if (PATCH_TOOLS.has(name) && !found.length) return { code: "condition_path", reason: `Warden: condition "path prefixes" of tool "${name}": the paths of this patch cannot be determined (allowed: ${prefixes.join(", ")})` };
    const realPrefixes = opts.realpath ? prefixes.map((p) => safeReal(opts.realpath, p) ?? p) : [];
    for (const f of found) {
      const abs = absoluteOf(f.value);
      if (!abs) return { code: "condition_path", reason: `Warden: condition "path prefixes" of tool "${name}": path ${quote(f.value)} is not absolute (or is malformed), so it cannot be checked against ${prefixes.join(", ")}` };
      if (!prefixes.some((p) => underPrefix(abs, p))) return { code: "condition_path", reason: `Warden: condition "path prefixes" of tool "${name}": path ${quote(abs)} is outside ${prefixes.join(", ")}` };
      if (opts.realpath) {
        const real = safeReal(opts.realpath, abs);
        if (!real || !realPrefixes.some((p) => underPrefix(real, p))) return { code: "condition_path", reason: `Warden: condition "path prefixes" of tool "${name}": path ${quote(abs)} leads outside ${prefixes.join(", ")} through a symbolic link` };
      }
    }
  }

  const patterns = Array.isArray(cond.commandPatterns) ? cond.commandPatterns.filter((p) => typeof p === "string") : [];
  if (patterns.length) {
    const command = params.command ?? params.cmd;
    if (typeof command !== "string") return { code: "condition_command", reason: `Warden: condition "command patterns" of tool "${name}": the call has no command to check` };
    const c = command.trim();
    if (c.length > 4096 || c.includes("\0") || !patterns.some((p) => commandMatches(p, c))) {
      return { code: "condition_command", reason: `Warden: condition "command patterns" of tool "${name}": command ${quote(c, 80)} matches none of ${patterns.map((p) => quote(p, 60)).join(", ")}` };
    }
  }
  return null;
}

function safeReal(realpath, p) {
  try {
    const r = realpath(p);
    return typeof r === "string" ? normalisePath(r) : null;
  } catch {
    return null;
  }
}
