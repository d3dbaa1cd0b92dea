import { z } from "zod";
import { isRole, ROLES, type RoleName } from "./roles";
import { envVars } from "@/lib/env";

/**
 * Single sign-on settings and claims, as pure functions (no database): what the identity provider
 * asserts is hostile input like any other. lib/auth/oidc-signin.ts applies the result.
 */

/** The most privileged role first: when several claim values map, the first in this order wins. */
const ROLE_ORDER: RoleName[] = ["admin", "security_lead", "operator", "auditor", "manager"];
/** A groups claim longer than this is refused rather than scanned (Entra ID sends at most 200). */
export const MAX_ROLE_VALUES = 1000;
/** One claim value (a group name or id) longer than this is refused. */
export const MAX_ROLE_VALUE_LENGTH = 256;

// C0/C1 controls (NUL included): never part of a subject, an email, a name or a group.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A clean string: well-formed UTF-16, no control characters. */
function clean(s: string): boolean {
  return s.isWellFormed() && !CONTROL.test(s);
}

/**
 * Parse OIDC_ROLE_MAP ("sec-team=security_lead,ops=operator"). Every pair must name a Warden role:
 * a typo must not silently grant nothing (or, worse, something else). Throws with a clear message.
 */
export function parseRoleMap(raw: string | undefined): Map<string, RoleName> | null {
  if (raw == null || raw.trim() === "") return null;
  const map = new Map<string, RoleName>();
  for (const pair of raw.split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.lastIndexOf("=");
    const key = eq > 0 ? pair.slice(0, eq).trim() : "";
    const role = eq > 0 ? pair.slice(eq + 1).trim() : "";
    if (!key || !role) throw new Error(`OIDC_ROLE_MAP: "${pair.trim()}" is not claim-value=role`);
    if (!isRole(role)) throw new Error(`OIDC_ROLE_MAP: "${role}" is not a Warden role (one of ${ROLES.join(", ")})`);
    if (map.has(key) && map.get(key) !== role) throw new Error(`OIDC_ROLE_MAP: "${key}" is mapped twice`);
    map.set(key, role);
  }
  return map.size ? map : null;
}

export type OidcSettings = {
  /** The claim holding group names/ids or role names, e.g. "groups"; unset: only the default role. */
  roleClaim: string | null;
  /** Explicit value → role pairs. When set, only these count; when unset, a value that is a role name maps to itself. */
  roleMap: Map<string, RoleName> | null;
  defaultRole: RoleName | null;
  /** "verified": an existing local account with the same email is linked when the IdP asserts email_verified; "never": refused. */
  linkLocal: "never" | "verified";
};

const ZLinkLocal = z.enum(["never", "verified"]);

/** Read the OIDC_* role and linking settings; throws with a clear message on a bad one. */
export function oidcSettings(e: Record<string, string | undefined> = envVars()): OidcSettings {
  const unset = (v: string | undefined) => (v == null || v.trim() === "" ? null : v.trim());
  const defaultRole = unset(e.OIDC_DEFAULT_ROLE);
  if (defaultRole && !isRole(defaultRole)) throw new Error(`OIDC_DEFAULT_ROLE: "${defaultRole}" is not a Warden role (one of ${ROLES.join(", ")})`);
  const link = ZLinkLocal.safeParse(unset(e.OIDC_LINK_LOCAL) ?? "never");
  if (!link.success) throw new Error(`OIDC_LINK_LOCAL must be "never" or "verified"`);
  return { roleClaim: unset(e.OIDC_ROLE_CLAIM), roleMap: parseRoleMap(e.OIDC_ROLE_MAP), defaultRole: defaultRole as RoleName | null, linkLocal: link.data };
}

/** The settings problem that should stop the server at start-up, or null. */
export function oidcSettingsProblem(e: Record<string, string | undefined> = envVars()): string | null {
  const set = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"].filter((k) => (e[k] ?? "").trim() !== "");
  if (set.length > 0 && set.length < 3) return `single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together (only ${set.join(", ")} set)`;
  try {
    oidcSettings(e);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Why claims were refused; the login page shows a sentence for each code. */
export type OidcClaimError = "sso_no_email" | "sso_bad_claims";

export type OidcIdentity = {
  subject: string;
  email: string;
  /** True only when the IdP asserts the boolean `email_verified: true`. */
  emailVerified: boolean;
  name: string;
  /** The role claim's values, validated (empty when the claim is absent). */
  roleValues: string[];
};

export type OidcClaimsResult = { ok: true; identity: OidcIdentity } | { ok: false; error: OidcClaimError; detail: string };

const ZEmail = z.email().max(254);

/**
 * Validate the ID token's claims. Refused (never coerced): a missing or odd subject or email, a
 * role claim that is not a string or a list of clean strings, a list over MAX_ROLE_VALUES, a value
 * over MAX_ROLE_VALUE_LENGTH or with a control character. `detail` is fixed text, safe to audit.
 */
export function readOidcClaims(claims: unknown, roleClaim: string | null): OidcClaimsResult {
  const bad = (detail: string): OidcClaimsResult => ({ ok: false, error: "sso_bad_claims", detail });
  if (!claims || typeof claims !== "object" || Array.isArray(claims)) return bad("claims: not an object");
  const c = claims as Record<string, unknown>;

  const sub = c.sub;
  if (typeof sub !== "string" || sub.length === 0 || sub.length > 255 || !clean(sub)) return bad("sub: not a clean string of 1-255 characters");

  const rawEmail = c.email;
  if (rawEmail == null || rawEmail === "") return { ok: false, error: "sso_no_email", detail: "email: missing" };
  if (typeof rawEmail !== "string" || !clean(rawEmail)) return bad("email: not a clean string");
  const email = rawEmail.trim().toLowerCase();
  if (!ZEmail.safeParse(email).success) return bad("email: not an email address");

  const rawName = c.name;
  const name = typeof rawName === "string" && clean(rawName) && rawName.trim() ? rawName.trim().slice(0, 200) : email;

  let roleValues: string[] = [];
  if (roleClaim) {
    const raw = c[roleClaim];
    // Some providers send a single group as a string rather than a one-element list.
    const list = raw == null ? [] : typeof raw === "string" ? [raw] : raw;
    if (!Array.isArray(list)) return bad(`${roleClaim}: not a string or a list of strings`);
    if (list.length > MAX_ROLE_VALUES) return bad(`${roleClaim}: more than ${MAX_ROLE_VALUES} values`);
    for (const v of list) {
      if (typeof v !== "string") return bad(`${roleClaim}: a value is not a string`);
      if (v.length > MAX_ROLE_VALUE_LENGTH || !clean(v)) return bad(`${roleClaim}: a value is too long or has control characters`);
    }
    roleValues = list as string[];
  }
  return { ok: true, identity: { subject: sub, email, emailVerified: c.email_verified === true, name, roleValues } };
}

/**
 * The Warden role for validated claim values: the most privileged mapped value; with no
 * OIDC_ROLE_MAP a value that is a role name maps to itself; else OIDC_DEFAULT_ROLE; null means no access.
 */
export function roleForValues(values: string[], s: Pick<OidcSettings, "roleMap" | "defaultRole">): RoleName | null {
  const matched = new Set<RoleName>();
  for (const v of values) {
    const r = s.roleMap ? s.roleMap.get(v) : isRole(v) ? v : undefined;
    if (r) matched.add(r);
  }
  for (const r of ROLE_ORDER) if (matched.has(r)) return r;
  return s.defaultRole;
}

/** Claims → role under the given environment (null: no access, or claims refused). */
export function mapOidcRole(profile: Record<string, unknown> | undefined, e: Record<string, string | undefined> = envVars()): RoleName | null {
  const s = oidcSettings(e);
  const read = readOidcClaims({ sub: "x", email: "x@example.invalid", ...profile }, s.roleClaim);
  return read.ok ? roleForValues(read.identity.roleValues, s) : null;
}

/** For the server process at start-up: a bad OIDC_* setting stops it with a clear message. */
export function exitOnOidcSettingsProblem(): void {
  const problem = oidcSettingsProblem();
  if (!problem) return;
  console.error(`warden: ${problem}`);
  process.exit(1);
}
