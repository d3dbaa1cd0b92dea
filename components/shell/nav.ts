import type { Scope } from "@/lib/auth/roles";

export type NavItem = { href: string; label: string; scope: Scope };

/** The console's areas. Visibility follows scopes; every page checks its scope on the server too. */
export const NAV: NavItem[] = [
  { href: "/", label: "Overview", scope: "dashboard:read" },
  { href: "/posture", label: "Security posture", scope: "dashboard:read" },
  { href: "/map", label: "Ecosystem map", scope: "dashboard:read" },
  { href: "/agents", label: "Agents", scope: "registry:read" },
  { href: "/people", label: "People", scope: "registry:read" },
  { href: "/tools", label: "Tools & allowlist", scope: "registry:read" },
  { href: "/integrations", label: "Integrations", scope: "registry:read" },
  { href: "/data-flows", label: "Data flows", scope: "registry:read" },
  { href: "/tool-calls", label: "Tool calls", scope: "tool_calls:read" },
  { href: "/approvals", label: "Approvals", scope: "tool_calls:read_params" },
  { href: "/people/rules", label: "Who may use what", scope: "registry:read" },
  { href: "/findings", label: "Findings", scope: "registry:read" },
  { href: "/gateways", label: "Gateways", scope: "registry:read" },
  { href: "/containment", label: "Containment", scope: "registry:read" },
  { href: "/incidents", label: "Incidents", scope: "registry:read" },
  { href: "/playbooks", label: "Playbooks & drills", scope: "registry:read" },
  { href: "/spend", label: "Spend", scope: "dashboard:read" },
  { href: "/audit", label: "Audit & evidence", scope: "audit:read" },
  { href: "/audit/evidence", label: "Evidence exports", scope: "evidence:export" },
  { href: "/admin/webhooks", label: "Webhooks", scope: "notifications:manage" },
  { href: "/admin/jobs", label: "Background jobs", scope: "jobs:read" },
  { href: "/teams", label: "Teams", scope: "users:manage" },
  { href: "/admin/users", label: "Admin", scope: "users:manage" },
];

/**
 * The one sidebar entry for a path: the longest href that is the path or a parent of it ("/" only
 * for the overview itself), so /audit/evidence highlights "Evidence exports" and not also "Audit".
 */
export function activeHref(pathname: string, hrefs: string[]): string | null {
  let best: string | null = null;
  for (const href of hrefs) {
    const match = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(href + "/");
    if (match && (best === null || href.length > best.length)) best = href;
  }
  return best;
}
