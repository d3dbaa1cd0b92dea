import { isRole, type RoleName } from "./roles";

/**
 * Map an OIDC profile to a Warden role: OIDC_ROLE_CLAIM names the claim (a string or a list,
 * e.g. groups), OIDC_ROLE_MAP maps its values ("sec-team=security_lead,ops=operator"; a value
 * that already is a role name maps to itself), else OIDC_DEFAULT_ROLE. Null means no access.
 */
export function mapOidcRole(profile: Record<string, unknown> | undefined, e: NodeJS.ProcessEnv = process.env): RoleName | null {
  const claim = e.OIDC_ROLE_CLAIM;
  const map = new Map<string, string>();
  for (const pair of (e.OIDC_ROLE_MAP ?? "").split(",")) {
    const [k, v] = pair.split("=").map((s) => s?.trim());
    if (k && v && isRole(v)) map.set(k, v);
  }
  if (claim && profile) {
    const raw = profile[claim];
    const values = Array.isArray(raw) ? raw.map(String) : raw != null ? [String(raw)] : [];
    // The most privileged match wins, in this order.
    const order: RoleName[] = ["admin", "security_lead", "operator", "auditor", "manager"];
    const matched = values.map((v) => map.get(v) ?? (isRole(v) ? v : null)).filter(isRole);
    for (const r of order) if (matched.includes(r)) return r;
  }
  const fallback = e.OIDC_DEFAULT_ROLE;
  return isRole(fallback) ? fallback : null;
}
