import { z } from "zod";

// The conditions of an approval that the gateway enforces on each call's parameters (the Warden
// plugin, connectors/openclaw/lib/conditions.js): egress hosts, path prefixes, command patterns.
// Validated and normalised here, at decision time, so a gateway only ever evaluates safe input.
// Isomorphic (the review form validates with the same schema in the browser): no Node imports.

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case, IDNA (punycode) through the WHATWG URL parser, no trailing dot; null if not a host name. */
export function normaliseHostName(raw: string): string | null {
  const s = raw.trim().toLowerCase();
  if (!s || s.length > 253 || /[\s/\\?#@:[\]%]/.test(s)) return null;
  let host: string;
  try {
    host = new URL(`http://${s}`).hostname;
  } catch {
    return null;
  }
  host = host.replace(/\.$/, "");
  if (!host || host.length > 253 || !host.split(".").every((l) => LABEL.test(l))) return null;
  return host;
}

/** An egress host: `api.example.com`, or `*.example.com` for its subdomains (not the apex). */
export const ZEgressHost = z
  .string()
  .trim()
  .max(253, "At most 253 characters.")
  .transform((v, ctx) => {
    const wild = v.startsWith("*.");
    const host = normaliseHostName(wild ? v.slice(2) : v);
    if (!host || (wild && !host.includes("."))) {
      ctx.addIssue({ code: "custom", message: "A host name like api.example.com or *.example.com (no scheme, path or port)." });
      return z.NEVER;
    }
    return wild ? `*.${host}` : host;
  });

/**
 * A path prefix: absolute, normalised (`.`/`..` resolved, duplicate slashes removed, no trailing
 * slash), no control characters. Compared on whole path segments: `/srv/data` covers `/srv/data`
 * and `/srv/data/x`, never `/srv/database`.
 */
export function normalisePathPrefix(raw: string): string | null {
  const s = raw.trim();
  if (!s.startsWith("/") || /[\u0000-\u001f\u007f]/.test(s)) return null;
  const out: string[] = [];
  for (const seg of s.split("/")) {
    if (!seg || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

export const ZPathPrefix = z
  .string()
  .max(512, "At most 512 characters.")
  .transform((v, ctx) => {
    const p = normalisePathPrefix(v);
    if (!p) {
      ctx.addIssue({ code: "custom", message: "An absolute path such as /srv/reports (no control characters)." });
      return z.NEVER;
    }
    return p;
  });

/**
 * A command pattern (glob, not a regular expression, so a gateway never runs a hostile regex): the
 * whole command must match; `*` matches any run of characters except shell control characters
 * (`; & | < > $ \` \ ( ) { }`, newlines), so `git status *` never admits `git status; rm -rf /`.
 * Every other character matches itself. Shell control characters may appear literally.
 */
export const COMMAND_METACHARS = ";&|<>$`\\(){}\n\r";
export const ZCommandPattern = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(200, "At most 200 characters.")
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "No control characters.")
  .refine((v) => (v.match(/\*/g)?.length ?? 0) <= 10, "At most 10 wildcards.")
  .refine((v) => v.replace(/\*/g, "").trim().length > 0, "A pattern of wildcards only would allow any command: leave the list empty instead.");

const dedupe = <T>(xs: T[]) => [...new Set(xs)];

/** The three enforceable condition lists, as stored on a decision's conditions and in the policy. */
export const ZEnforceable = {
  egressHosts: z.array(ZEgressHost).max(50, "At most 50 hosts.").default([]).transform(dedupe),
  pathPrefixes: z.array(ZPathPrefix).max(20, "At most 20 path prefixes.").default([]).transform(dedupe),
  commandPatterns: z.array(ZCommandPattern).max(20, "At most 20 command patterns.").default([]).transform(dedupe),
};

export type GatewayConditions = { egressHosts?: string[]; pathPrefixes?: string[]; commandPatterns?: string[] };

/**
 * What the gateway enforces for an approval with conditions. Egress hosts are always a narrowing
 * (an empty list means no network at all); empty path prefixes or command patterns mean the
 * approval did not narrow them. Anything stored that does not validate is dropped to "no host"
 * (fail closed) for egress, and ignored otherwise — decisions are validated when made, so this
 * only guards rows written before this schema.
 */
export function gatewayConditionsOf(raw: unknown): GatewayConditions {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const parse = <T>(schema: z.ZodType<T[]>, v: unknown): T[] | null => {
    const r = schema.safeParse(v ?? []);
    return r.success ? r.data : null;
  };
  const egress = parse(ZEnforceable.egressHosts, o.egressHosts) ?? [];
  const paths = parse(ZEnforceable.pathPrefixes, o.pathPrefixes) ?? [];
  const commands = parse(ZEnforceable.commandPatterns, o.commandPatterns) ?? [];
  return {
    egressHosts: egress.sort(),
    ...(paths.length ? { pathPrefixes: paths.sort() } : {}),
    ...(commands.length ? { commandPatterns: commands.sort() } : {}),
  };
}

/** The conditions in plain words, one sentence each (console: agent page, tool page, allowlist). */
export function describeConditions(c: GatewayConditions | null | undefined): string[] {
  if (!c) return [];
  const out: string[] = [];
  if (c.egressHosts) out.push(c.egressHosts.length ? `Network only to ${c.egressHosts.join(", ")}` : "No network access");
  if (c.pathPrefixes?.length) out.push(`Files only under ${c.pathPrefixes.join(", ")}`);
  if (c.commandPatterns?.length) out.push(`Commands only matching ${c.commandPatterns.map((p) => `"${p}"`).join(", ")}`);
  return out;
}

/**
 * An approval's conditions as a reviewer reads them: what the gateway enforces, then the other
 * narrowed permissions (recorded, not checkable on a call's parameters).
 */
export function describeApprovalConditions(raw: unknown): { enforced: string[]; recorded: string[] } {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const yes = (k: string) => (Array.isArray(o[k]) ? (o[k] as unknown[]).length > 0 : Boolean(o[k]));
  return {
    enforced: describeConditions(gatewayConditionsOf(raw)),
    recorded: [
      yes("fsRead") ? "may read files" : "no file reads",
      yes("fsWrite") ? "may write files" : "no file writes",
      yes("credentialAccess") ? "may access credentials" : "no credential access",
      yes("exec") ? "may run commands" : "no commands",
    ],
  };
}

/**
 * A tool version's permissions in plain words (the tool page), one phrase each; never raw JSON.
 * Unknown keys are left out; a missing or malformed value reads as "not allowed".
 */
export function describePermissions(raw: unknown): string[] {
  const o = (raw && typeof raw === "object" && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const list = (k: string) => (Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x) => typeof x === "string" && x).map(String) : []);
  const yes = (k: string) => (Array.isArray(o[k]) ? (o[k] as unknown[]).length > 0 : o[k] === true);
  const hosts = list("egressHosts");
  const out = [
    yes("fsRead") ? "reads files" : "no file reads",
    yes("fsWrite") ? "writes files" : "no file writes",
    hosts.length ? `network to ${hosts.join(", ")}` : "no network",
    yes("credentialAccess") ? "accesses credentials" : "no credentials",
    yes("exec") ? "runs commands" : "no commands",
  ];
  const paths = list("pathPrefixes");
  if (paths.length) out.push(`files only under ${paths.join(", ")}`);
  const commands = list("commandPatterns");
  if (commands.length) out.push(`commands only matching ${commands.map((p) => `"${p}"`).join(", ")}`);
  return out;
}
