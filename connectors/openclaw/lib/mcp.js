// What the inventory says about a configured MCP server (`mcp.servers.<name>` in the gateway's
// config): name, transport, command and arguments or URL, enabled, and the hash of its local
// script or package. Never env, headers, auth, TLS keys: anything that may carry a secret is
// dropped or replaced by "[redacted]" here, before it leaves the gateway (Warden redacts again).
import fs from "node:fs";
import path from "node:path";
import { hashFileAsTree, hashTree } from "./hash.js";

export const REDACTED = "[redacted]";
const MAX_ARGS = 100;
const MAX_ARG = 500;

// Flags whose value (the rest of the argument after "=", or the next argument) is a secret or
// may carry one (headers, environment assignments).
const SECRET_FLAG = /(token|secret|passw|pwd|pass$|key|auth|bearer|cred|cookie|session|signature|sig$|private|cert|header|^-?-?h$|^-?-?e$|^-?-?env$|^--?u(ser)?$|dsn|conn)/i;
// Values that look like credentials whatever flag they follow.
const TOKEN_PREFIX = /^(sk|pk|rk)[-_]|^(ghp|gho|ghu|ghs|ghr|github_pat|glpat|xox[abposr]|xapp|npm|pypi|hf|AKIA|ASIA|AIza|ya29|eyJ|SG\.|shpat|shpss|sq0|whsec|dop_v1|op_)/i;

const CREDENTIAL_WORD = /(token|secret|passw|pwd|api[-_]?key|apikey|access[-_]?key|bearer|authorization|cookie|credential|private[-_]?key|session[-_]?id|signature)/i;

/** True when a bare argument looks like a credential (known token formats, long random strings). */
export function looksSecret(s) {
  if (TOKEN_PREFIX.test(s)) return true;
  if (/\b(bearer|basic|token)\s+\S/i.test(s)) return true;
  // Long runs of token alphabet mixing letters and digits, not a path or a dotted name.
  const core = s.replace(/^[-\w]*[:=]/, "");
  if (core.length >= 20 && /^[A-Za-z0-9+/_\-.~=]+$/.test(core) && !core.includes("/") && /[0-9]/.test(core) && /[A-Za-z]/.test(core) && !/^[a-z0-9]+([.-][a-z0-9]+)*$/.test(core)) return true;
  return false;
}

/**
 * A URL without userinfo, query or fragment, and with path segments that look like credentials
 * replaced (webhook-style URLs carry their secret in the path); undefined when not a URL.
 */
export function safeUrl(raw) {
  if (typeof raw !== "string") return undefined;
  let u;
  try {
    u = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (!/^[a-z][a-z0-9+.-]*:$/.test(u.protocol)) return undefined;
  const segments = u.pathname.split("/").map((seg) => {
    let dec = seg;
    try {
      dec = decodeURIComponent(seg);
    } catch {}
    return looksSecret(dec) ? REDACTED : seg;
  });
  const host = u.host; // hostname[:port], no userinfo
  if (!host) return `${u.protocol}${segments.join("/")}`.slice(0, 2000);
  return `${u.protocol}//${host}${segments.join("/")}`.slice(0, 2000);
}

const isUrlish = (s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

/** One argument, made safe to report; `prevSecretFlag` = the previous argument was a secret flag. */
function safeArg(arg, prevSecretFlag) {
  if (typeof arg !== "string") return REDACTED;
  const a = arg.slice(0, 4096);
  if (prevSecretFlag) return REDACTED;
  if (isUrlish(a)) return safeUrl(a) ?? REDACTED;
  const eq = a.indexOf("=");
  if (eq > 0) {
    // --flag=value, NAME=value (an environment assignment), -Dkey=value: keep the name only.
    const name = a.slice(0, eq);
    if (/^[-\w.]+$/.test(name)) return `${name}=${REDACTED}`;
    return REDACTED;
  }
  // --flag:value (another separator some CLIs take): keep the flag only.
  const colon = /^(--?[\w.-]+):./.exec(a);
  if (colon) return `${colon[1]}:${REDACTED}`;
  if (looksSecret(a)) return REDACTED;
  // Anything else naming a credential (inline JSON, "Authorization: …", a quoted header) is dropped
  // whole; a bare flag ("--token") stays, its value (the next argument) is redacted above.
  if (!/^--?[\w-]+$/.test(a) && CREDENTIAL_WORD.test(a)) return REDACTED;
  return a.slice(0, MAX_ARG);
}

/** The arguments of a stdio MCP server with every value that may be a secret redacted. */
export function safeArgs(args) {
  if (!Array.isArray(args)) return undefined;
  const out = [];
  let prevSecret = false;
  for (const raw of args.slice(0, MAX_ARGS)) {
    const a = typeof raw === "string" ? raw : String(raw);
    out.push(safeArg(a, prevSecret));
    // A bare secret flag ("--token", "-H", "--env") makes the next argument its value.
    prevSecret = /^--?[\w-]+$/.test(a) && SECRET_FLAG.test(a.replace(/^-+/, ""));
  }
  return out;
}

/** The command of a stdio server: a URL or a credential-looking command is redacted like an argument. */
function safeCommand(cmd) {
  if (typeof cmd !== "string" || !cmd.trim()) return undefined;
  const c = cmd.trim().slice(0, 1000);
  if (isUrlish(c)) return safeUrl(c) ?? REDACTED;
  // A whole command line in one string: report its words one by one, made safe.
  if (/\s/.test(c)) return safeArgs(c.split(/\s+/)).join(" ");
  return looksSecret(c) ? REDACTED : c;
}

/**
 * The local artefact a stdio server runs: the command itself or the first argument that is an
 * absolute path (or relative to the server's `cwd`) to an existing file or folder. A folder is
 * hashed as a tree; a single script as a tree of that one file (its folder may hold anything).
 */
export function localArtefactOf(def) {
  const cands = [def.command, ...(Array.isArray(def.args) ? def.args.slice(0, MAX_ARGS) : [])];
  const cwd = typeof def.cwd === "string" && path.isAbsolute(def.cwd) ? def.cwd : undefined;
  for (const c of cands) {
    if (typeof c !== "string" || !c || c.startsWith("-") || c.includes("=") || isUrlish(c)) continue;
    const abs = path.isAbsolute(c) ? c : cwd && (c.startsWith("./") || c.startsWith("../") || c.includes("/")) ? path.resolve(cwd, c) : undefined;
    if (!abs) continue;
    try {
      const st = fs.statSync(abs);
      // System interpreters (node, python, uvx…) are not the server's code: skip them.
      if (st.isFile() && c === def.command && /(^|\/)(usr\/)?(local\/)?s?bin\//.test(abs)) continue;
      if (st.isDirectory()) return { dir: abs };
      if (st.isFile()) return { file: abs };
    } catch {}
  }
  return undefined;
}

/**
 * Every configured MCP server as the inventory reports it (see the file comment); `hash` when it
 * runs a readable local script or package. Input: the `mcp.servers` object of the config.
 */
export async function describeMcpServers(servers, { hash = true } = {}) {
  if (!servers || typeof servers !== "object" || Array.isArray(servers)) return [];
  const out = [];
  for (const [name, def] of Object.entries(servers).slice(0, 500)) {
    if (!name || !def || typeof def !== "object" || Array.isArray(def)) continue;
    const url = typeof def.url === "string" ? safeUrl(def.url) ?? REDACTED : undefined;
    const declared = [def.transport, def.type].find((t) => typeof t === "string");
    const transport = declared !== undefined ? (/^[\w.-]{1,50}$/.test(declared) ? declared : "unknown") : typeof def.url === "string" ? "streamable-http" : typeof def.command === "string" ? "stdio" : "unknown";
    const item = { name: name.slice(0, 200), transport, enabled: def.enabled !== false };
    if (url) item.url = url;
    else {
      const command = safeCommand(def.command);
      if (command) item.command = command;
      const args = safeArgs(def.args);
      if (args?.length) item.args = args;
      if (hash) {
        const art = localArtefactOf(def);
        const h = art?.dir ? await hashTree(art.dir) : art?.file ? await hashFileAsTree(art.file) : undefined;
        if (h) item.hash = h;
      }
    }
    out.push(item);
  }
  return out;
}

/** OpenClaw's provider-safe tool name prefix of a server ("<server>__<tool>"). */
export function mcpToolPrefix(serverName) {
  return `${String(serverName).replace(/[^A-Za-z0-9_-]/g, "_")}__`;
}
