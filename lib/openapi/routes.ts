/**
 * Every operation of Warden's HTTP API, one entry per route handler (app/api/**\/route.ts). The
 * OpenAPI 3.1 document (GET /api/v1/openapi.json, docs/api.md) is generated from these entries and
 * the zod schemas they reference; lib/openapi/routes.test.ts fails when a handler and its entry
 * disagree. Adding a route: add its entry here (a mutation names its action: scope and schema come
 * from it).
 */
import { ZApprovalResolution, ZConnectorApproval } from "@/lib/approvals/schema";
import { ZAuditVerifyInput } from "@/lib/audit/schema";
import { ZInventory } from "@/lib/gateways/inventory";
import { ZUsageBatch } from "@/lib/model-usage/schema";
import { ZAck, ZPollWithAcks } from "@/lib/outbox/commands";
import { ZEventBatch } from "@/lib/tool-calls/ingest";
import { ZRateLimitConsume } from "@/lib/identity-policy/schema";
import { createIdentityRuleAction, createRateLimitAction, deleteIdentityRuleAction, deleteRateLimitAction, updateIdentityRuleAction, updateRateLimitAction } from "@/lib/identity-policy/actions";
import { GATEWAY, PUBLIC, SIGNED_IN, scope, type Operation } from "./operation";
import { approveAgentLinkAction, revokeAgentLinkAction } from "@/lib/agent-links/actions";
import { importAgentsMdAction } from "@/lib/agents-md/actions";
import { createAgentAction, updateAgentAction } from "@/lib/agents/actions";
import { createApprovalRuleAction, decideApprovalAction, updateApprovalRuleAction } from "@/lib/approvals/actions";
import { blastRadiusAction, containApiAction, releaseContainmentAction } from "@/lib/containment/actions";
import { createDataFlowAction, decideDataFlowAction, updateDataFlowAction } from "@/lib/data-flows/actions";
import { startExportAction } from "@/lib/evidence/actions";
import { computeFindingsAction, dismissFindingAction, openIncidentAction } from "@/lib/findings/actions";
import { registerGatewayAction, rotateGatewaySecretAction, setGatewayPolicyExpiryAction } from "@/lib/gateways/actions";
import { addIncidentNoteAction, openIncidentAction as openIncidentManuallyAction, updateIncidentAction } from "@/lib/incidents/actions";
import { clearIntegrationAdvisoryAction, createIntegrationAction, reviewIntegrationAction, setIntegrationAgentsAction, updateIntegrationAction } from "@/lib/integrations/actions";
import { createWebhookAction, deleteWebhookAction, retryWebhookDeliveryAction, rotateWebhookSecretAction, testWebhookAction, updateWebhookAction } from "@/lib/notify/actions";
import {
  addIdentityAction,
  addMemberAction,
  createGroupAction,
  createPersonAction,
  deleteGroupAction,
  disablePersonAction,
  removeIdentityAction,
  removeMemberAction,
  updateGroupAction,
  updatePersonAction,
} from "@/lib/people/actions";
import { createPlaybookAction, deletePlaybookAction, runDrillAction, runPlaybookAction, updatePlaybookAction } from "@/lib/playbooks/actions";
import { deleteBudgetAction, setBudgetAction } from "@/lib/spend/actions";
import { createTokenAction, revokeTokenAction } from "@/lib/tokens/actions";
import { createViewAction, deleteViewAction, updateViewAction } from "@/lib/tool-calls/views/actions";
import {
  createBundleAction,
  createGrantAction,
  createToolRequestAction,
  decideToolRequestAction,
  revokeDecisionAction,
  revokeGrantAction,
  setAgentBundlesAction,
  setBundleToolsAction,
} from "@/lib/tools/actions";
import { createUserAction, resetUserPasswordAction, setUserRoleAction } from "@/lib/users/actions";
import { assignTeamAction, createTeamAction, deleteTeamAction, updateTeamAction } from "@/lib/teams/actions";

export const OPERATIONS: Operation[] = [
  { method: "GET", path: "/api/v1/identity-rules/{id}", auth: scope("registry:read"), description: "→ {data}. Scope registry:read (a team-scoped caller: rules of their team)." },
  {
    method: "PATCH",
    path: "/api/v1/identity-rules/{id}",
    action: updateIdentityRuleAction,
    description: "{effect?, timeoutSeconds?, reason?} → {data}. Subject, agent and tool are the rule's identity: delete and create to change them. Scope identity_policy:manage.",
  },
  { method: "DELETE", path: "/api/v1/identity-rules/{id}", action: deleteIdentityRuleAction, description: "→ {data: {id, deleted: true}}. Scope identity_policy:manage." },
  {
    method: "GET",
    path: "/api/v1/identity-rules",
    auth: scope("registry:read"),
    description: "→ {data}: per-person and per-group rules. Scope registry:read (a team-scoped caller: rules of their team).",
  },
  {
    method: "POST",
    path: "/api/v1/identity-rules",
    action: createIdentityRuleAction,
    status: 201,
    description:
      "{subject: person|group|unidentified|anyone, personId?, groupId?, agentId?, toolName?, effect: allow|deny|require_approval, timeoutSeconds? (require_approval, 10–1800), reason} → 201 {data}. 409 with field errors when a rule with the same subject, agent and tool exists. Scope identity_policy:manage.",
  },
  { method: "GET", path: "/api/v1/openapi.json", auth: PUBLIC, description: "This document: the OpenAPI 3.1 reference, generated from the route registry and the zod schemas." },
  { method: "GET", path: "/api/auth/{nextauth*}", auth: PUBLIC, description: "next-auth v4: sign-in pages, providers, CSRF token, session, OIDC callback (`/api/auth/callback/oidc`)." },
  {
    method: "POST",
    path: "/api/auth/{nextauth*}",
    auth: PUBLIC,
    description: "next-auth v4: credentials sign-in (throttled: 5 failures per account, 20 per address in 15 minutes; every attempt audited), sign-out.",
  },
  { method: "GET", path: "/api/health", auth: PUBLIC, description: "Liveness + database check, no auth: 200 when the database answers, 503 otherwise." },
  {
    method: "POST",
    path: "/api/v1/agent-links",
    action: approveAgentLinkAction,
    description: "{fromAgentId, toAgentId, reason} → {data: {id, reason, approvedBy, createdAt, changed}}. Scope data_flows:decide. Idempotent.",
  },
  { method: "DELETE", path: "/api/v1/agent-links", action: revokeAgentLinkAction, description: "{fromAgentId, toAgentId, reason} → {data: {changed}}. Scope data_flows:decide. Idempotent." },
  {
    method: "POST",
    path: "/api/v1/agents-md/import",
    action: importAgentsMdAction,
    description:
      "{content, agentId?, dryRun} — scope registry:write. 200 {ok: true, data: {dryRun, applied, preview}}; errors in the file: 422 {ok: false, errors: [{line, column?, path, message}]}; a bad request body: 400; 401/403/404/409 as everywhere else.",
  },
  {
    method: "GET",
    path: "/api/v1/agents/{id}/agents-md",
    auth: scope("registry:read"),
    produces: "text/markdown",
    description: "scope registry:read. The agent's AGENTS.md section as text/markdown.",
  },
  { method: "GET", path: "/api/v1/agents/{id}/allowlist", auth: scope("registry:read"), description: "the effective allowlist with why each tool is (not) allowed." },
  { method: "PUT", path: "/api/v1/agents/{id}/bundles", action: setAgentBundlesAction, description: "{bundleIds}" },
  { method: "POST", path: "/api/v1/agents/{id}/grants", action: createGrantAction, status: 201, description: "{toolId, kind: grant|exception, reason, expiresAt?}" },
  { method: "GET", path: "/api/v1/agents/{id}", auth: scope("registry:read"), description: "→ {data}: the agent with its gateway, bundles, grants and flags." },
  { method: "PATCH", path: "/api/v1/agents/{id}", action: updateAgentAction, description: "Change an agent's owner, purpose, status, scope, model or gateway → {data}." },
  {
    method: "GET",
    path: "/api/v1/agents",
    auth: scope("registry:read"),
    query: ["dir", "format", "gateway", "page", "pageSize", "q", "scope", "sort", "status"],
    description: "Agents, filtered, sorted and paged → {data, total, page, pageSize}; `format=csv` answers the whole filtered list as CSV.",
  },
  { method: "POST", path: "/api/v1/agents", action: createAgentAction, status: 201, description: "register an agent." },
  {
    method: "PATCH",
    path: "/api/v1/approval-rules/{id}",
    action: updateApprovalRuleAction,
    description: "{match?, timeoutSeconds?, reason?, enabled?} → {data}; enabled: false disables it. Scope approval_rules:manage.",
  },
  { method: "GET", path: "/api/v1/approval-rules", auth: scope("registry:read"), description: "→ {data}. Scope registry:read." },
  {
    method: "POST",
    path: "/api/v1/approval-rules",
    action: createApprovalRuleAction,
    status: 201,
    description:
      "{scope: tool|agent_tool, toolName, agentId?, match?: {type: param, path, pattern} | {type: egress_not_approved}, timeoutSeconds? (10–1800, default 120), reason} → 201 {data}. Scope approval_rules:manage.",
  },
  {
    method: "POST",
    path: "/api/v1/approvals/{id}/decision",
    action: decideApprovalAction,
    description:
      "{decision: allow_once|allow_for|deny, minutes? (allow_for, 1–1440), reason} → {data: {id, status, decision, decidedAt, decidedBy, decisionReason, grantUntil, commandId}}. 409 when someone else decided first or the request expired. Scope approvals:decide.",
  },
  { method: "GET", path: "/api/v1/approvals/{id}", auth: scope("tool_calls:read_params"), description: "→ {data} with the agent's recent calls. Scope tool_calls:read_params." },
  {
    method: "GET",
    path: "/api/v1/approvals",
    auth: scope("tool_calls:read_params"),
    query: ["limit", "recentCalls", "status"],
    description:
      "→ {data, now}. Pending ones soonest-to-expire first; `now` is Warden's clock (for countdowns). Answers carry an ETag of `data`; with If-None-Match the unchanged list is a 304 (the console's queue polls this every 2 s). Scope tool_calls:read_params (items show parameters).",
  },
  {
    method: "GET",
    path: "/api/v1/audit/events",
    auth: scope("audit:read"),
    query: ["action", "actor", "from", "outcome", "page", "pageSize", "q", "to"],
    description:
      "The audit trail, filtered and paged → {data, total, page, pageSize}. `action` is one audit action (exact) or a category prefix such as `user.` or `read:` (the list: docs/audit.md); anything else is a 400.",
  },
  {
    method: "GET",
    path: "/api/v1/audit/verify",
    auth: scope("audit:read"),
    description: "→ { ok, checked, firstBrokenId, reason?, checkpoints }: the chain, checked against the server's checkpoint file.",
  },
  {
    method: "POST",
    path: "/api/v1/audit/verify",
    auth: scope("audit:read"),
    body: ZAuditVerifyInput,
    description:
      'with { checkpoints?: [checkpoint…] | "<checkpoint file text>", serverFile?: boolean (default true) } → the same report, checked against the checkpoints given (and the server\'s file unless serverFile is false). Malformed checkpoints are a 400.',
  },
  { method: "DELETE", path: "/api/v1/budgets/{id}", action: deleteBudgetAction, description: "delete a budget and its alert history (the audit trail keeps it). Requires budgets:manage." },
  { method: "GET", path: "/api/v1/budgets", auth: scope("dashboard:read"), description: "every budget (the fleet budget has agentId null)." },
  {
    method: "PUT",
    path: "/api/v1/budgets",
    action: setBudgetAction,
    description:
      '{agentId: uuid | null, dailyUsd: 25 | "25.00", onLimit: "notify"|"suspend_agent"|"block_fleet", enabled?: true} — create or replace the budget of an agent, or of the fleet (agentId null). Requires budgets:manage.',
  },
  { method: "PUT", path: "/api/v1/bundles/{id}/tools", action: setBundleToolsAction, description: "{toolIds}" },
  { method: "GET", path: "/api/v1/bundles", auth: scope("registry:read"), description: "Tool bundles with their tools → {data}." },
  { method: "POST", path: "/api/v1/bundles", action: createBundleAction, status: 201, description: "{name, description, toolIds}" },
  {
    method: "POST",
    path: "/api/v1/connector/approvals/{id}/resolution",
    auth: GATEWAY,
    body: ZApprovalResolution,
    description: "{outcome: ran|denied|timed_out|failed, waitedMs, detail?} — what happened to the held call at the gateway. 200 {data}; a repeat of the same outcome is 200 too.",
  },
  {
    method: "POST",
    path: "/api/v1/connector/approvals",
    auth: GATEWAY,
    body: ZConnectorApproval,
    description: "a call the gateway holds until a person decides. 201 {data: {id, status, expiresAt}}; 200 with the stored request on a repeat of the same requestId.",
  },
  { method: "POST", path: "/api/v1/connector/commands/{id}/ack", auth: GATEWAY, body: ZAck, description: "{outcome: applied|failed, detail?}" },
  { method: "GET", path: "/api/v1/connector/commands", auth: GATEWAY, query: ["wait"], description: "long-poll for this gateway's pending commands." },
  {
    method: "POST",
    path: "/api/v1/connector/commands",
    auth: GATEWAY,
    body: ZPollWithAcks,
    query: ["wait"],
    description:
      "{acks: [{id, outcome, detail?}]} — acknowledge the commands of the previous poll and long-poll again, in one request. Each ack is committed (and audited) before the poll starts; the answer lists every ack's result beside the new commands.",
  },
  { method: "POST", path: "/api/v1/connector/events", auth: GATEWAY, body: ZEventBatch, description: "a signed batch of tool-call events from a gateway." },
  { method: "POST", path: "/api/v1/connector/inventory", auth: GATEWAY, body: ZInventory, description: "what a gateway runs, its posture and its security audit." },
  {
    method: "GET",
    path: "/api/v1/connector/policy",
    auth: GATEWAY,
    description:
      "the gateway's signed policy. Signed request (empty body). The ETag names one signed copy (version + issue time); If-None-Match with it answers 304, from the Postgres cache (no allowlist computation, no signing) while nothing changed.",
  },
  {
    method: "POST",
    path: "/api/v1/connector/rate-limits/consume",
    auth: GATEWAY,
    body: ZRateLimitConsume,
    description:
      "{ruleId, subjectKey} — count one call against a shared rate limit (Warden counts across gateways and replicas; sliding window of the 5 s buckets overlapping the last 60 s). 200 {data: {allowed, count, limit, resetAt}}; a refused call is not counted. 404 when the limit does not exist or does not reach this gateway; 400 when it is not shared.",
  },
  { method: "GET", path: "/api/v1/connector/public-key", auth: PUBLIC, description: "Warden's Ed25519 public key (no auth: it is public)." },
  { method: "POST", path: "/api/v1/connector/usage", auth: GATEWAY, body: ZUsageBatch, description: "a signed batch of model calls (tokens, cost) from a gateway." },
  { method: "POST", path: "/api/v1/containment/{id}/release", action: releaseContainmentAction, description: "{reason} → {data: {id, status}}. Scope containment:execute; audited." },
  {
    method: "GET",
    path: "/api/v1/containment/{id}",
    auth: scope("registry:read"),
    description:
      "→ {data: {…action, status: active|releasing|released (releasing until every gateway acknowledged the release on every configured path), summary, deliveries: [{gatewayName, kind, state: pending|delivered|applied|failed|timed_out, deliveredAt, ackedAt, escalatedAt, wsState, …}]}}. Scope registry:read.",
  },
  { method: "GET", path: "/api/v1/containment/blast-radius", action: blastRadiusAction, query: ["scope", "target"], description: "→ {data: {label, gateways, agents}}. Scope containment:execute." },
  {
    method: "POST",
    path: "/api/v1/containment",
    action: containApiAction,
    status: 201,
    description:
      '{scope: tool|agent|gateway|fleet, target, action, reason, options?: {cronOff}, incidentId?} → 201 {data: {id, gateways}}. Scope containment:execute; audited "containment.apply". Targets: a tool name; an agent id or name; a gateway id or name; "fleet". Actions per scope: tool deny_tool|require_approval; agent suspend_agent; gateway block_all|cron_off|disable_extensions|shutdown; fleet block_all|cron_off.',
  },
  { method: "GET", path: "/api/v1/containment", auth: scope("registry:read"), query: ["page", "status"], description: "→ {data, total?}. Scope registry:read." },
  {
    method: "POST",
    path: "/api/v1/data-flows/{id}/decision",
    action: decideDataFlowAction,
    description: '{status: "approved"|"rejected", reason?} → {data} with approver and date. Scope data_flows:decide.',
  },
  { method: "GET", path: "/api/v1/data-flows/{id}", auth: scope("registry:read"), description: "→ {data}. Scope registry:read." },
  {
    method: "PATCH",
    path: "/api/v1/data-flows/{id}",
    action: updateDataFlowAction,
    description:
      "{service?, host?, isLlmProvider?, dataSent?, dataReceived?, classification?} → {data}. A change to the content puts an approved or rejected flow back to proposed. Scope registry:write.",
  },
  {
    method: "GET",
    path: "/api/v1/data-flows/egress-policy",
    auth: scope("registry:read"),
    query: ["agent", "format"],
    description: "The approved data flows as an egress allowlist in the shape of a NemoClaw network policy (allowed_domains fleet-wide and per agent). Scope registry:read.",
  },
  {
    method: "GET",
    path: "/api/v1/data-flows",
    auth: scope("registry:read"),
    query: ["agent", "classification", "dir", "format", "llm", "page", "pageSize", "q", "sort", "status"],
    description: "→ {data, total, page, pageSize}, or the whole view as CSV (up to CSV_MAX_ROWS). Scope registry:read.",
  },
  {
    method: "POST",
    path: "/api/v1/data-flows",
    action: createDataFlowAction,
    status: 201,
    description: "{agentId, service, host, isLlmProvider?, dataSent, dataReceived, classification} → 201 {data} (proposed). Scope registry:write.",
  },
  {
    method: "GET",
    path: "/api/v1/evidence/exports/{id}/download",
    auth: scope("evidence:export"),
    description: '→ the .tar.gz, streamed from disk. Scope evidence:export; every download is audited as "evidence.download".',
  },
  { method: "GET", path: "/api/v1/evidence/exports/{id}", auth: scope("evidence:export"), description: "→ { data: status with state and progress }. Scope evidence:export." },
  { method: "GET", path: "/api/v1/evidence/exports", auth: scope("evidence:export"), description: "→ { data: ExportStatus[] } newest first. Scope evidence:export." },
  {
    method: "POST",
    path: "/api/v1/evidence/exports",
    action: startExportAction,
    status: 202,
    description:
      "{ from, to, gatewayIds?, agentIds? } → 202 { data: { id, state } }. Builds the signed bundle in the background; poll GET /api/v1/evidence/exports/{id}. Scope evidence:export (auditors, admins); the window is at most 400 days.",
  },
  {
    method: "GET",
    path: "/api/v1/evidence/public-key",
    auth: PUBLIC,
    query: ["format"],
    description:
      '→ { keyId, algorithm: "Ed25519", publicKeyPem, publicKey } (or the bare PEM with ?format=pem). Public, no auth: auditors check evidence bundles\' manifest.sig with it. The same key signs gateway policies (/api/v1/connector/public-key).',
  },
  {
    method: "POST",
    path: "/api/v1/evidence/verify",
    auth: scope("audit:read"),
    description:
      'with the bundle (.tar.gz) as the raw body (up to 2 GB, streamed) → { data: VerifyReport }: signature checked with this server\'s key, then every file. Scope audit:read; audited as "evidence.verify". From a browser (session cookie) the body must be labelled application/gzip (or x-gzip, octet-stream): 415 otherwise.',
  },
  { method: "POST", path: "/api/v1/findings/{id}/dismiss", action: dismissFindingAction, description: '{reason} → {data}. Scope tools:decide; audited as "finding.dismiss".' },
  {
    method: "POST",
    path: "/api/v1/findings/{id}/incident",
    action: openIncidentAction,
    status: 201,
    description: '{severity?} → 201 {data: incident}. Scope tools:decide; audited as "incident.open".',
  },
  {
    method: "POST",
    path: "/api/v1/findings/compute",
    action: computeFindingsAction,
    description: '{sinceHours?: 1..168 (default 24)} → {data: {counts, window}}: findings created and updated per kind. Scope gateways:manage; audited as "findings.compute".',
  },
  {
    method: "GET",
    path: "/api/v1/findings",
    auth: scope("registry:read"),
    query: ["agent", "dir", "format", "gateway", "kind", "page", "pageSize", "q", "severity", "sort", "status"],
    description: "→ {data, total, page, pageSize}, or the whole view as CSV with `format=csv` (up to CSV_MAX_ROWS). Scope registry:read.",
  },
  {
    method: "POST",
    path: "/api/v1/gateways/{id}/policy-expiry",
    action: setGatewayPolicyExpiryAction,
    description: '{ttlHours: number | null, onExpiry: "deny" | "keep_last"} → {data: {id, ttlSeconds, onExpiry, changed}}. Scope tools:decide.',
  },
  { method: "POST", path: "/api/v1/gateways/{id}/rotate-secret", action: rotateGatewaySecretAction, description: "{graceHours?} → {data: {gateway, signingSecret}}" },
  { method: "GET", path: "/api/v1/gateways/{id}", auth: scope("registry:read"), description: "→ {data}: the gateway, its inventory, connection state and pending commands (never its secrets)." },
  { method: "GET", path: "/api/v1/gateways", auth: scope("registry:read"), description: "Gateways with their connection state → {data}." },
  {
    method: "POST",
    path: "/api/v1/gateways",
    action: registerGatewayAction,
    status: 201,
    description: "{name, kind, environment, adminWsUrl?, adminToken?} → 201 {data: {gateway, signingSecret}} (the secret is shown once).",
  },
  { method: "POST", path: "/api/v1/grants/{id}/revoke", action: revokeGrantAction, description: "{reason}" },
  {
    method: "POST",
    path: "/api/v1/incidents/{id}/notes",
    action: addIncidentNoteAction,
    status: 201,
    description: "{text (≤ 4000)} → 201 {data: {id, incidentId, at, author, text}}. Scope incidents:manage.",
  },
  {
    method: "GET",
    path: "/api/v1/incidents/{id}",
    auth: scope("registry:read"),
    description: "→ {data}: the incident, owner, playbook, finding, containment actions with per-gateway deliveries and the merged timeline (tool calls as metadata only). Scope registry:read.",
  },
  {
    method: "PATCH",
    path: "/api/v1/incidents/{id}",
    action: updateIncidentAction,
    description:
      "{status?, severity?, ownerId? (null clears), postMortem?} → {data}. Status: open → contained → resolved → closed (skips allowed), resolved → open reopens; closed is final (409). Scope incidents:manage.",
  },
  {
    method: "GET",
    path: "/api/v1/incidents",
    auth: scope("registry:read"),
    query: ["dir", "format", "page", "pageSize", "q", "severity", "sort", "status"],
    description: "→ {data, total, page, pageSize, counts: {open, contained, resolved, closed}}, or the whole view as CSV with `format=csv` (up to CSV_MAX_ROWS). Scope registry:read.",
  },
  {
    method: "POST",
    path: "/api/v1/incidents",
    action: openIncidentManuallyAction,
    status: 201,
    description:
      '{title, severity, summary?, playbookId?, ownerId?} or {findingId, severity?, title?, …} → 201 {data}. From a finding, the finding becomes "incident"; a finding whose incident is not closed yet answers 409 with that incident\'s id in the message. Scope incidents:manage.',
  },
  {
    method: "POST",
    path: "/api/v1/integrations/{id}/advisory",
    action: clearIntegrationAdvisoryAction,
    description: "{flagged: true, note}   flag a vendor advisory or breach (re-review due now) {flagged: false, note?} clear it → {data}. Scope registry:write.",
  },
  { method: "PUT", path: "/api/v1/integrations/{id}/agents", action: setIntegrationAgentsAction, description: "{agentIds: uuid[]} replaces which agents use it → {data}. Scope registry:write." },
  {
    method: "POST",
    path: "/api/v1/integrations/{id}/review",
    action: reviewIntegrationAction,
    description: "{auditResult, auditDate?, dependencyStatus?, nextReviewAt?, clearAdvisory?} → {data}. The next review defaults to the audit date + 90 days. Scope registry:write.",
  },
  { method: "GET", path: "/api/v1/integrations/{id}", auth: scope("registry:read"), description: "→ {data} with linked agents and trust decisions. Scope registry:read." },
  { method: "PATCH", path: "/api/v1/integrations/{id}", action: updateIntegrationAction, description: "with any editable fields → {data}. Scope registry:write." },
  { method: "GET", path: "/api/v1/integrations/reviews", auth: scope("registry:read"), description: "→ {overdue, dueSoon} (due within 30 days). Scope registry:read." },
  {
    method: "GET",
    path: "/api/v1/integrations",
    auth: scope("registry:read"),
    query: ["advisory", "dir", "format", "page", "pageSize", "q", "review", "sort", "verified"],
    description: "→ {data, total, page, pageSize}, or the whole view as CSV (up to CSV_MAX_ROWS). Scope registry:read.",
  },
  { method: "POST", path: "/api/v1/integrations", action: createIntegrationAction, status: 201, description: "{name, provider, reason, …, agentIds?} → 201 {data}. Scope registry:write." },
  {
    method: "GET",
    path: "/api/v1/jobs",
    auth: scope("jobs:read"),
    description:
      "The background jobs the replicas share → {data: [{name, everyMs, runs, lastStartedAt, lastFinishedAt, lastOk, lastError, lastReplica, nextRunAt, runningOn}]}: each period of a job runs on one replica.",
  },
  { method: "GET", path: "/api/v1/me", auth: SIGNED_IN, description: "who the session or token acts as, and its scopes." },
  {
    method: "POST",
    path: "/api/v1/otlp/v1/traces",
    auth: GATEWAY,
    description: "OTLP/HTTP JSON trace export; the OTel GenAI `execute_tool` spans are stored as tool calls. Answers per OTLP/HTTP: 200 with an ExportTraceServiceResponse.",
  },
  {
    method: "GET",
    path: "/api/v1/overview",
    auth: scope("dashboard:read"),
    description:
      "→ {data}: the overview dashboard (tiles with their links, review, call, containment, incident, spend, drill and gateway counts, and the chart series). Counts only: never tool-call parameters or results. Scope dashboard:read (every role, managers included).",
  },
  {
    method: "POST",
    path: "/api/v1/playbooks/{id}/drill",
    action: runDrillAction,
    status: 201,
    description:
      '{stepResults?, startedAt?, finishedAt?, note?} → 201 {data} with timeToContainMs. Without stepResults Warden walks every step itself (each marked done with real timestamps). A drill touches no gateway and creates no containment. Scope incidents:manage; audited as "playbook.drill".',
  },
  {
    method: "GET",
    path: "/api/v1/playbooks/{id}/drills",
    auth: scope("registry:read"),
    query: ["page", "pageSize"],
    description: "→ {data, total, page, pageSize}, newest first. Scope registry:read.",
  },
  { method: "GET", path: "/api/v1/playbooks/{id}", auth: scope("registry:read"), description: "→ {data}: steps in run order, contacts, break-glass notes, last 20 drills. Scope registry:read." },
  {
    method: "PATCH",
    path: "/api/v1/playbooks/{id}",
    action: updatePlaybookAction,
    description: "with any of name, description, trigger, triggerConfig, contacts, breakGlass, steps (the whole new list; existing steps keep their id) → {data}. Scope playbooks:manage.",
  },
  { method: "DELETE", path: "/api/v1/playbooks/{id}", action: deletePlaybookAction, description: "→ {data: {id, name}}; its drills go with it. Scope playbooks:manage." },
  {
    method: "POST",
    path: "/api/v1/playbooks/{id}/run",
    action: runPlaybookAction,
    status: 201,
    description:
      '{reason, expectedUpdatedAt?} → 201 {data: {incidentId, dedupeKey, severity, actions}}; 409 when expectedUpdatedAt is given and the playbook has changed since. Runs the playbook now, by hand: a new incident, then every automated action of its steps in run order (kill switches reach the gateways after the commit); a failed action is reported in `actions` and on the incident\'s timeline, the rest still run. A person only (session or personal token). Scope containment:execute; audited as "playbook.fire".',
  },
  {
    method: "GET",
    path: "/api/v1/playbooks",
    auth: scope("registry:read"),
    query: ["dir", "drill", "format", "page", "pageSize", "q", "sort", "trigger"],
    description: "→ {data, total, page, pageSize}; each row has its last drill and drillState. `format=csv` answers the whole view as CSV (up to CSV_MAX_ROWS). Scope registry:read.",
  },
  {
    method: "POST",
    path: "/api/v1/playbooks",
    action: createPlaybookAction,
    status: 201,
    description: '{name, description?, trigger, triggerConfig?, contacts?, breakGlass?, steps?} → 201 {data}. Scope playbooks:manage; audited as "playbook.create".',
  },
  {
    method: "GET",
    path: "/api/v1/posture",
    auth: scope("dashboard:read"),
    description:
      "→ {data: {generatedAt, score, status, counts, domains: [{id, title, practice, score, status, items: [{id, check, status, detail, evidenceHref, nextStep}]}]}}: the fleet scored against the twelve practice domains. Scope dashboard:read (every role, managers included).",
  },
  { method: "GET", path: "/api/v1/rate-limits/{id}", auth: scope("registry:read"), description: "→ {data}. Scope registry:read." },
  { method: "PATCH", path: "/api/v1/rate-limits/{id}", action: updateRateLimitAction, description: "{perMinute?, shared?, reason?} → {data}. Scope identity_policy:manage." },
  { method: "DELETE", path: "/api/v1/rate-limits/{id}", action: deleteRateLimitAction, description: "→ {data: {id, deleted: true}}; its Warden-side counts go with it. Scope identity_policy:manage." },
  { method: "GET", path: "/api/v1/rate-limits", auth: scope("registry:read"), description: "→ {data}: per-person rate limits. Scope registry:read (a team-scoped caller: limits of their team)." },
  {
    method: "POST",
    path: "/api/v1/rate-limits",
    action: createRateLimitAction,
    status: 201,
    description:
      "{subject, personId?, groupId?, agentId?, toolName?, tier?: interactive|subagent, perMinute (1–100000), shared? (counted by Warden across gateways), reason} → 201 {data}. 409 when a limit with the same subject, agent, tool and tier exists. Scope identity_policy:manage.",
  },
  {
    method: "GET",
    path: "/api/v1/spend",
    auth: scope("dashboard:read"),
    description:
      "today's spend (UTC day): the fleet total against the fleet budget, each agent that spent today or has a budget (calls, tokens in/out, costUsd, budget, percent, last alert), calls not attributed to a registered agent, and the fleet's last 7 days. Money is a decimal string.",
  },
  { method: "DELETE", path: "/api/v1/tokens/{id}", action: revokeTokenAction, description: "revoke one of your own tokens." },
  { method: "GET", path: "/api/v1/tokens", auth: scope("tokens:own"), description: "the caller's own tokens (metadata only)." },
  { method: "POST", path: "/api/v1/tokens", action: createTokenAction, status: 201, description: "{name, expiresInDays} → 201 {data: {…, token}} (the token is shown once)." },
  {
    method: "GET",
    path: "/api/v1/tool-calls/{id}",
    auth: scope("tool_calls:read"),
    query: ["at"],
    description:
      "ISO> — one call; params and results only with tool_calls:read_params. `approvals`: the person's approvals of this call (who, when, how long the agent waited). `modelUsage`: the model calls the gateway reported for the same run (runId from the event id `<toolCallId>@<runId>.decision`), empty when the event id names no run.",
  },
  { method: "GET", path: "/api/v1/tool-calls/agents-by-tool", auth: scope("tool_calls:read"), query: ["since", "tool"], description: "which agents called tool X (since: Nh or Nd, up to 30d)." },
  {
    method: "GET",
    path: "/api/v1/tool-calls/tail",
    auth: scope("tool_calls:read"),
    query: ["agent", "decision", "from", "gateway", "q", "range", "since", "to", "tool"],
    description:
      "The explorer's live tail: calls of the view stored since `since` (the cursor of the previous answer, ISO 8601; the first poll passes the page's load time) → {data, cursor, more}. Metadata only, newest stored first, at most 200 (`more`: some were left out). Polls overlap by 10 s; drop ids already held. Any replica answers any poll.",
  },
  {
    method: "GET",
    path: "/api/v1/tool-calls/views",
    auth: scope("tool_calls:read"),
    description: "The caller's own saved explorer views → {data: [{id, name, filters, createdAt, updatedAt}]}. Views are private to their user.",
  },
  {
    method: "POST",
    path: "/api/v1/tool-calls/views",
    action: createViewAction,
    status: 201,
    description:
      '{name, filters: {range?, from?, to?, tool?, agent?, gateway?, decision?, q?}} → 201 {data}. Names are unique per user ignoring case (409 with a field error); at most 50 views per user (409). Audited "tool_call_view.create".',
  },
  {
    method: "PATCH",
    path: "/api/v1/tool-calls/views/{id}",
    action: updateViewAction,
    description: '{name?, filters?} → {data}: rename a view or replace its filters. Another user\'s view is a 404. Audited "tool_call_view.update".',
  },
  {
    method: "DELETE",
    path: "/api/v1/tool-calls/views/{id}",
    action: deleteViewAction,
    description: '→ {data: {id, deleted}}. Another user\'s view (or one already deleted) is a 404. Audited "tool_call_view.delete".',
  },
  {
    method: "GET",
    path: "/api/v1/tool-calls",
    auth: scope("tool_calls:read"),
    query: ["agent", "decision", "dir", "format", "gateway", "page", "pageSize", "person", "q", "range", "requester", "to", "tool"],
    description: "Metadata for every holder of tool_calls:read; params and results only with tool_calls:read_params. The CSV is this view without params, capped at CSV_MAX_ROWS.",
  },
  { method: "POST", path: "/api/v1/tool-requests/{id}/decision", action: decideToolRequestAction, status: 201, description: "{outcome, checklist, reason, conditions?, reReviewDays?}" },
  { method: "GET", path: "/api/v1/tool-requests/{id}", auth: scope("registry:read"), description: "the request with its decision (who, when, checklist, reason, conditions)." },
  { method: "GET", path: "/api/v1/tool-requests", auth: scope("registry:read"), description: "requests awaiting a decision." },
  {
    method: "POST",
    path: "/api/v1/tool-requests",
    action: createToolRequestAction,
    status: 201,
    description: "{tool:{name,kind,source,publisher}, version, contentHash, permissions, justification, agentIds, bundleIds} → 201",
  },
  { method: "GET", path: "/api/v1/teams", auth: scope("users:manage"), description: "admins: every team with how many agents, gateways and users it holds." },
  { method: "POST", path: "/api/v1/teams", action: createTeamAction, status: 201, description: '{name, description?} → 201 {data}. A taken name is a 409 with a field error. Audited "team.create".' },
  { method: "GET", path: "/api/v1/teams/{id}", auth: scope("users:manage"), description: "the team with its agents, gateways and users." },
  { method: "PATCH", path: "/api/v1/teams/{id}", action: updateTeamAction, description: '{name?, description?}: rename a team. Audited "team.update".' },
  {
    method: "DELETE",
    path: "/api/v1/teams/{id}",
    action: deleteTeamAction,
    description: '→ {data: {id, deleted}}; 409 while agents, gateways or users belong to the team (move them first). Audited "team.delete".',
  },
  {
    method: "POST",
    path: "/api/v1/teams/assign",
    action: assignTeamAction,
    description: '{kind: "agent"|"gateway"|"user", id, teamId|null} → {data: {changed}}: put it in a team or take it out; a user\'s new team applies from their next request. Audited "team.assign".',
  },
  { method: "GET", path: "/api/v1/tools/{id}", auth: scope("registry:read"), description: "versions with hashes and the full decision history." },
  {
    method: "GET",
    path: "/api/v1/tools",
    auth: scope("registry:read"),
    query: ["dir", "format", "kind", "page", "pageSize", "q", "review", "sort", "source"],
    description: "Registry tools, filtered, sorted and paged → {data, total, page, pageSize}; `format=csv` for CSV.",
  },
  { method: "POST", path: "/api/v1/trust-decisions/{id}/revoke", action: revokeDecisionAction, description: "{reason}" },
  {
    method: "GET",
    path: "/api/v1/people",
    auth: scope("registry:read"),
    query: ["q", "status", "group", "team", "sort", "dir", "page", "pageSize", "format"],
    description: "→ {data, total, page, pageSize}: people with sender identities, groups and last call (format=csv: this view as CSV). A team-scoped user sees their team's people only.",
  },
  {
    method: "POST",
    path: "/api/v1/people",
    action: createPersonAction,
    status: 201,
    description: "{displayName, email?, teamId?, userId?, identities?: [{channel, accountId?, senderId}]} → 201 {data}. A sender already in the directory: 409.",
  },
  { method: "GET", path: "/api/v1/people/{id}", auth: scope("registry:read"), description: "→ {data}: the person, identities, groups and the 20 latest calls they asked for." },
  {
    method: "PATCH",
    path: "/api/v1/people/{id}",
    action: updatePersonAction,
    description: "with any of {displayName, email, teamId, userId}, or {disabled: true|false} alone (person.disable / person.enable).",
  },
  { method: "DELETE", path: "/api/v1/people/{id}", action: disablePersonAction, description: "disable the person (kept; their sender identities stop mapping to them)." },
  {
    method: "POST",
    path: "/api/v1/people/{id}/identities",
    action: addIdentityAction,
    status: 201,
    description: "{channel, accountId?, senderId} → 201 {data}. The same sender on this person again: no change; on another person: 409.",
  },
  { method: "DELETE", path: "/api/v1/people/{id}/identities/{identityId}", action: removeIdentityAction, description: "unlink a sender identity → {data: {removed}}." },
  { method: "GET", path: "/api/v1/groups", auth: scope("registry:read"), description: "→ {data}: groups of people with member counts." },
  { method: "POST", path: "/api/v1/groups", action: createGroupAction, status: 201, description: "{name, description?, teamId?} → 201 {data}. A name in use: 409." },
  { method: "GET", path: "/api/v1/groups/{id}", auth: scope("registry:read"), description: "→ {data}: the group and its members." },
  { method: "PATCH", path: "/api/v1/groups/{id}", action: updateGroupAction, description: "with any of {name, description, teamId}." },
  { method: "DELETE", path: "/api/v1/groups/{id}", action: deleteGroupAction, description: "delete the group (its members stay in the directory)." },
  { method: "POST", path: "/api/v1/groups/{id}/members", action: addMemberAction, description: "{personId} → {data: {added}} (idempotent)." },
  { method: "DELETE", path: "/api/v1/groups/{id}/members", action: removeMemberAction, description: "{personId} → {data: {removed}} (idempotent)." },
  { method: "POST", path: "/api/v1/users/{id}/password", action: resetUserPasswordAction, description: "{password?} → {data: {user, oneTimePassword}}" },
  { method: "PATCH", path: "/api/v1/users/{id}", action: setUserRoleAction, description: 'with {role}, {disabled} or {teamId} (null: no team; audited "team.assign").' },
  { method: "GET", path: "/api/v1/users", auth: scope("users:manage"), description: "admins only." },
  { method: "POST", path: "/api/v1/users", action: createUserAction, status: 201, description: "{email, name, role, password?} → 201 {data: {user, oneTimePassword}}" },
  { method: "POST", path: "/api/v1/webhooks/{id}/rotate-secret", action: rotateWebhookSecretAction, description: "→ {data: {endpoint, secret}}; the new secret is in this response only." },
  { method: "PATCH", path: "/api/v1/webhooks/{id}", action: updateWebhookAction, description: "with any of {name, url, format, events, enabled}." },
  { method: "DELETE", path: "/api/v1/webhooks/{id}", action: deleteWebhookAction, description: "the endpoint and its delivery log." },
  { method: "POST", path: "/api/v1/webhooks/{id}/test", action: testWebhookAction, status: 202, description: "→ 202 {data: {deliveryId, state}}: a webhook.test to this endpoint only." },
  { method: "POST", path: "/api/v1/webhooks/deliveries/{id}/retry", action: retryWebhookDeliveryAction, status: 202, description: "send a failed or dead delivery once more, now." },
  {
    method: "GET",
    path: "/api/v1/webhooks/deliveries",
    auth: scope("notifications:manage"),
    query: ["endpointId", "page", "pageSize", "state"],
    description: "→ {data, total, page, pageSize}, newest first. Scope notifications:manage.",
  },
  { method: "GET", path: "/api/v1/webhooks", auth: scope("notifications:manage"), description: "→ {data: endpoints} (no secrets, no URL paths). Scope notifications:manage." },
  {
    method: "POST",
    path: "/api/v1/webhooks",
    action: createWebhookAction,
    status: 201,
    description: "{name, url, format?, events?, enabled?} → 201 {data: {endpoint, secret}}. The signing secret is in this response only.",
  },
];
