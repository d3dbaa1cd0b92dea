/**
 * Roles → scopes, in one table. Every page, server action and API route checks a scope on the
 * server; the UI only uses `can()` to decide what to show.
 */
export const ROLES = ["admin", "security_lead", "operator", "auditor", "manager"] as const;
export type RoleName = (typeof ROLES)[number];

export const ROLE_LABELS: Record<RoleName, string> = {
  admin: "Admin",
  security_lead: "Security lead",
  operator: "Operator",
  auditor: "Auditor",
  manager: "Manager",
};

export const SCOPES = [
  "dashboard:read", // overview, ecosystem map
  "registry:read", // agents, tools, integrations, data flows, playbooks (no tool-call params)
  "tools:request", // file a tool request
  "tools:decide", // approve / reject / revoke tool and integration requests
  "registry:write", // edit registry records: agents, integrations, bundles
  "data_flows:decide",
  "playbooks:manage",
  "gateways:manage",
  "containment:execute", // kill switches and their release
  "incidents:manage", // open, update and close incidents; run playbook drills
  "budgets:manage", // spend budgets and the circuit breaker
  "notifications:manage", // outbound webhooks
  "tool_calls:read", // the tool-call log (metadata)
  "tool_calls:read_params", // parameters and results of tool calls
  "audit:read",
  "evidence:export",
  "users:manage",
  "settings:manage",
  "tokens:own", // manage one's own personal API tokens
  "approvals:decide", // allow or deny a tool call held for a person's approval
  "approval_rules:manage", // which calls need a person's approval
  "identity_policy:manage", // per-person and per-group rules and rate limits (who may use what)
  "advisories:manage", // record and delete security advisories matched against gateway versions
  "jobs:read", // the background jobs' state (which replica ran what, last errors)
] as const;
export type Scope = (typeof SCOPES)[number];

const READ_ALL: Scope[] = ["dashboard:read", "registry:read", "tool_calls:read", "tool_calls:read_params", "audit:read"];

export const ROLE_SCOPES: Record<RoleName, readonly Scope[]> = {
  admin: SCOPES,
  security_lead: [
    ...READ_ALL,
    "tools:request",
    "tools:decide",
    "registry:write",
    "data_flows:decide",
    "playbooks:manage",
    "incidents:manage",
    "budgets:manage",
    "notifications:manage",
    "tokens:own",
    "approvals:decide",
    "approval_rules:manage",
    "identity_policy:manage",
    "advisories:manage",
  ],
  operator: [
    "dashboard:read",
    "registry:read",
    "tool_calls:read",
    "tool_calls:read_params",
    "tools:request",
    "gateways:manage",
    "containment:execute",
    "incidents:manage",
    "tokens:own",
    "approvals:decide",
  ],
  auditor: [...READ_ALL, "evidence:export", "tokens:own", "jobs:read"],
  manager: ["dashboard:read", "registry:read", "tool_calls:read", "tokens:own"],
};

/** Does this role hold this scope? */
export function can(role: RoleName | null | undefined, scope: Scope): boolean {
  return role ? ROLE_SCOPES[role].includes(scope) : false;
}

export function isRole(value: unknown): value is RoleName {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
