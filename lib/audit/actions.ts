import { SCOPES, type Scope } from "@/lib/auth/roles";

// The one vocabulary of audit actions. Writers (recordAudit, defineAction names, denied reads) only
// accept these; readers (the audit page's filter, OCSF mapping, sign-in throttle, docs/audit.md)
// read this list. No "server-only": the audit filter (a client component) shows it.

/** Every action a change or an attempt is audited as, with what it means. */
export const AUDIT_ACTION_INFO = {
  "advisory.create": "A security advisory was recorded",
  "advisory.delete": "A security advisory was deleted",
  "agent.create": "An agent was registered",
  "agent.update": "An agent's owner, purpose, status, scope, model or gateway changed",
  "agent.set_bundles": "An agent's tool bundles were replaced",
  "agent_link.approve": "An agent-to-agent link was approved",
  "agent_link.revoke": "An agent-to-agent link was revoked",
  "agents_md.import": "An AGENTS.md file was imported",
  "approval.request": "A gateway held a tool call for a person's approval",
  "approval.decide": "A person allowed or denied a held tool call",
  "approval.resolution": "A gateway reported how a held tool call ended",
  "approval.expire": "A held tool call expired undecided",
  "approval_rule.create": "An approval rule was created",
  "approval_rule.update": "An approval rule changed",
  "approval_rule.disable": "An approval rule was disabled",
  "auth.login": "A console sign-in (or a refused one)",
  "auth.logout": "A console session ended",
  "auth.sso_provision": "A user was created by single sign-on",
  "auth.sso_link": "A single sign-on identity was linked to a user",
  "budget.set": "A daily spend budget was set",
  "budget.delete": "A daily spend budget was deleted",
  "budget.threshold": "Spend crossed a budget threshold",
  "budget.contain": "The spend breaker contained an agent or the fleet",
  "bundle.create": "A tool bundle was created",
  "bundle.set_tools": "A tool bundle's tools were replaced",
  "containment.preview": "A kill switch's blast radius was previewed",
  "containment.apply": "A kill switch was applied",
  "containment.release": "A kill switch was released",
  "containment.escalate": "A gateway did not acknowledge a kill switch in time",
  "containment.admin_ws": "A kill switch was sent over a gateway's admin WebSocket",
  "data_flow.create": "A data flow was proposed",
  "data_flow.update": "A data flow changed",
  "data_flow.decide": "A data flow was approved or rejected",
  "evidence.export": "An evidence export was started",
  "evidence.export_request": "An evidence export was queued",
  "evidence.download": "An evidence bundle was downloaded",
  "evidence.verify": "An evidence bundle was verified",
  "exception.create": "A time-boxed exception was granted",
  "exception.revoke": "A time-boxed exception was revoked",
  "finding.dismiss": "A finding was dismissed",
  "findings.compute": "Findings were computed by hand",
  "gateway.register": "A gateway was registered",
  "gateway.rotate_secret": "A gateway's signing secret was rotated",
  "gateway.policy_expiry": "A gateway's policy expiry changed",
  "gateway.inventory": "A gateway pushed its inventory",
  "gateway.command_ack": "A gateway acknowledged a command",
  "gateway.command_escalate": "A gateway did not acknowledge a command in time",
  "gateway.command_admin_ws": "A command was sent over a gateway's admin WebSocket",
  "group.create": "A group of people was created",
  "group.update": "A group of people was renamed or changed",
  "group.delete": "A group of people was deleted",
  "group.member_add": "A person was added to a group",
  "group.member_remove": "A person was removed from a group",
  "grant.create": "A tool was granted to an agent",
  "grant.revoke": "A grant or exception was revoked",
  "identity_rule.create": "A per-person or per-group rule (who may use what) was created",
  "identity_rule.update": "A per-person or per-group rule changed",
  "identity_rule.delete": "A per-person or per-group rule was deleted",
  "incident.open": "An incident was opened",
  "incident.update": "An incident's status, severity or owner changed",
  "incident.close": "An incident was closed",
  "incident.note": "A note was added to an incident",
  "incident.post_mortem": "An incident's post-mortem changed",
  "integration.create": "An integration was registered",
  "integration.update": "An integration changed",
  "integration.review": "An integration was reviewed",
  "integration.set_agents": "The agents using an integration were replaced",
  "integration.advisory_set": "An integration was flagged by a vendor advisory",
  "integration.advisory_clear": "An integration's advisory was cleared",
  "integration.fallback_on": "A playbook switched an integration to its fallback",
  "model_price.set": "A model price was set",
  "model_price.delete": "A model price was deleted",
  "model_rule.set": "A model rule was set",
  "model_rule.delete": "A model rule was deleted",
  "person.create": "A person was added to the directory",
  "person.update": "A person's name, email, team or console user changed",
  "person.disable": "A person was disabled (their calls count as unmapped)",
  "person.enable": "A person was enabled",
  "person.identity_add": "A sender identity was linked to a person",
  "person.identity_remove": "A sender identity was removed from a person",
  "playbook.create": "A playbook was created",
  "playbook.update": "A playbook changed",
  "playbook.steps_update": "A playbook's steps changed",
  "playbook.delete": "A playbook was deleted",
  "playbook.drill": "A playbook drill was run",
  "playbook.fire": "A playbook fired (automatically or by hand)",
  "rate_limit.create": "A per-person rate limit was created",
  "rate_limit.update": "A per-person rate limit changed",
  "rate_limit.delete": "A per-person rate limit was deleted",
  "request.cross_site": "A cross-site request was refused",
  "seed.demo_fleet": "The demo fleet was seeded",
  "token.create": "A personal API token was created",
  "token.revoke": "A personal API token was revoked",
  "tool_call_view.create": "A saved explorer view was created",
  "tool_call_view.update": "A saved explorer view was renamed or changed",
  "tool_call_view.delete": "A saved explorer view was deleted",
  "tool_request.create": "A tool was requested",
  "tool_request.decide": "A tool request was approved or rejected",
  "trust_decision.revoke": "A trust decision was revoked",
  "team.create": "A team was created",
  "team.update": "A team was renamed or its description changed",
  "team.delete": "A team was deleted",
  "team.assign": "An agent, gateway or user was put in a team or taken out of one",
  "user.create": "A user was created",
  "user.set_role": "A user's role changed",
  "user.set_disabled": "A user was disabled or enabled",
  "user.disable": "A user was disabled",
  "user.enable": "A user was enabled",
  "user.reset_password": "A user's password was reset",
  "webhook.create": "A webhook was created",
  "webhook.update": "A webhook changed",
  "webhook.delete": "A webhook was deleted",
  "webhook.rotate_secret": "A webhook's signing secret was rotated",
  "webhook.test": "A test message was sent to a webhook",
  "webhook.retry": "A webhook delivery was retried",
} as const satisfies Record<string, string>;

/** What the machine API reads, for denied reads (`read:<target>`); pages audit `read:<scope>`. */
export const API_READ_TARGETS = [
  "agent",
  "agents",
  "agents_md",
  "allowlist",
  "approval",
  "approvals",
  "approval_rules",
  "identity_rules",
  "rate_limits",
  "audit.events",
  "audit.verify",
  "budgets",
  "bundles",
  "containment",
  "data_flow",
  "data_flows",
  "data_flows.csv",
  "data_flows.egress_policy",
  "evidence.download",
  "evidence.export_status",
  "evidence.exports",
  "evidence.verify",
  "findings",
  "gateway",
  "gateways",
  "incident",
  "incidents",
  "integration",
  "integrations",
  "integrations.csv",
  "integrations.reviews",
  "jobs",
  "overview",
  "people",
  "person",
  "person_group",
  "person_groups",
  "playbook",
  "playbook.drills",
  "playbooks",
  "posture",
  "spend",
  "team",
  "teams",
  "tokens",
  "tool",
  "tool_call",
  "tool_calls",
  "tool_call_views",
  "tool_request",
  "tool_requests",
  "tools",
  "users",
  "webhook_deliveries",
  "webhooks",
] as const;
export type ApiReadTarget = (typeof API_READ_TARGETS)[number];
/** What a denied read names: a scope (pages) or an API read target. */
export type ReadTarget = Scope | ApiReadTarget;

/** An audit action: a change or attempt, or a denied read. */
export type AuditAction = keyof typeof AUDIT_ACTION_INFO | `read:${ReadTarget}`;

const READ_ACTIONS = [...new Set<ReadTarget>([...SCOPES, ...API_READ_TARGETS])].map((t) => `read:${t}` as const);

/** Every audit action, changes first (alphabetical), then denied reads. */
export const AUDIT_ACTIONS: readonly AuditAction[] = [...(Object.keys(AUDIT_ACTION_INFO) as (keyof typeof AUDIT_ACTION_INFO)[]).sort(), ...READ_ACTIONS.sort()];

const ACTION_SET: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

/** Whether a string is an audit action of this vocabulary (rows written by older versions may not be). */
export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === "string" && ACTION_SET.has(value);
}

/** The category of an action: what comes before its first "." or ":" ("user", "read"). */
export function auditCategoryOf(action: string): string {
  return action.split(/[.:]/, 1)[0];
}

/** Categories in the order of AUDIT_ACTIONS, each with its actions (the audit filter's groups). */
export const AUDIT_ACTION_GROUPS: readonly { category: string; prefix: string; actions: readonly AuditAction[] }[] = (() => {
  const groups = new Map<string, AuditAction[]>();
  for (const a of AUDIT_ACTIONS) {
    const c = auditCategoryOf(a);
    groups.set(c, [...(groups.get(c) ?? []), a]);
  }
  return [...groups].map(([category, actions]) => ({ category, prefix: category === "read" ? "read:" : `${category}.`, actions }));
})();

/** A human description of an action ("Denied read of …" for read:*); unknown legacy actions read as themselves. */
export function describeAuditAction(action: string): string {
  if (action in AUDIT_ACTION_INFO) return AUDIT_ACTION_INFO[action as keyof typeof AUDIT_ACTION_INFO];
  if (action.startsWith("read:") && isAuditAction(action)) return `A read of ${action.slice(5)} (audited when denied)`;
  return action;
}

/**
 * What the audit filter's "action" parameter may hold: one action (exact match) or one category
 * prefix ("user.", "read:") from AUDIT_ACTION_GROUPS. Anything else is not a filter.
 */
export const AUDIT_FILTER_VALUES: readonly string[] = [...AUDIT_ACTION_GROUPS.map((g) => g.prefix), ...AUDIT_ACTIONS];
