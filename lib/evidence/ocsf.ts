/*
 * Warden's records as OCSF 1.3.0 events (https://schema.ocsf.io/1.3.0), one mapper per class, and a
 * validator for the attributes each class requires. Pure functions over plain data: the exporter
 * maps rows with them, the tests and the offline verifier check every line with validateOcsf.
 *
 * Classes used (class_uid / category_uid):
 *   API Activity 6003 / 6        — every tool call an agent made through a gateway
 *   Entity Management 3004 / 3   — trust decisions (approvals) and containment actions
 *   Detection Finding 2004 / 2   — blocked tool calls and Warden's computed findings
 *   Incident Finding 2005 / 2    — incidents
 *   Authentication 3002 / 3      — console sign-ins (audit actions auth.login / auth.sso_provision)
 * type_uid = class_uid * 100 + activity_id, always.
 */
import type { ToolCallRow } from "@/lib/tool-calls/queries";
import type { AuditAction } from "@/lib/audit/actions";

export const OCSF_VERSION = "1.3.0";
const PRODUCT = { name: "Warden", vendor_name: "Warden" } as const;

export const OCSF_CLASSES = {
  6003: { name: "API Activity", category_uid: 6, category_name: "Application Activity", activities: { 0: "Unknown", 1: "Create", 2: "Read", 3: "Update", 4: "Delete", 99: "Other" } },
  3004: {
    name: "Entity Management",
    category_uid: 3,
    category_name: "Identity & Access Management",
    activities: {
      0: "Unknown",
      1: "Create",
      2: "Read",
      3: "Update",
      4: "Delete",
      5: "Move",
      6: "Enroll",
      7: "Unenroll",
      8: "Enable",
      9: "Disable",
      10: "Activate",
      11: "Deactivate",
      12: "Suspend",
      13: "Resume",
      99: "Other",
    },
  },
  2004: { name: "Detection Finding", category_uid: 2, category_name: "Findings", activities: { 0: "Unknown", 1: "Create", 2: "Update", 3: "Close", 99: "Other" } },
  2005: { name: "Incident Finding", category_uid: 2, category_name: "Findings", activities: { 0: "Unknown", 1: "Create", 2: "Update", 3: "Close", 99: "Other" } },
  3002: {
    name: "Authentication",
    category_uid: 3,
    category_name: "Identity & Access Management",
    activities: { 0: "Unknown", 1: "Logon", 2: "Logoff", 3: "Authentication Ticket", 4: "Service Ticket Request", 5: "Service Ticket Renew", 6: "Preauth", 99: "Other" },
  },
} as const;
export type OcsfClassUid = keyof typeof OCSF_CLASSES;

const SEVERITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99];
const SEVERITY_NAMES: Record<number, string> = { 0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal", 99: "Other" };

export type OcsfRecord = Record<string, unknown> & {
  class_uid: number;
  category_uid: number;
  activity_id: number;
  type_uid: number;
  time: number;
  severity_id: number;
  metadata: { version: string; product: { name: string; vendor_name: string }; uid?: string; [k: string]: unknown };
};

type WardenSeverity = "low" | "medium" | "high" | "critical";
const SEVERITY_OF: Record<WardenSeverity, number> = { low: 2, medium: 3, high: 4, critical: 5 };

// Strings are ISO 8601 timestamps as Warden writes them (Date.toISOString): kept as they are.
const ms = (d: Date | string) => (typeof d === "string" ? Date.parse(d) : d.getTime());
const iso = (d: Date | string) => (typeof d === "string" ? d : d.toISOString());

// Absent attributes are left undefined (never null): JSON.stringify drops them, as OCSF expects.

function base(
  classUid: OcsfClassUid,
  activityId: number,
  time: Date | string,
  severityId: number,
  metadata: { uid: string; original_time?: string; [k: string]: unknown },
  extra: Record<string, unknown>,
): OcsfRecord {
  const cls = OCSF_CLASSES[classUid];
  const activityName = (cls.activities as Record<number, string>)[activityId] ?? "Other";
  return {
    class_uid: classUid,
    class_name: cls.name,
    category_uid: cls.category_uid,
    category_name: cls.category_name,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: classUid * 100 + activityId,
    type_name: `${cls.name}: ${activityName}`,
    time: ms(time),
    severity_id: severityId,
    severity: SEVERITY_NAMES[severityId],
    metadata: { version: OCSF_VERSION, product: { ...PRODUCT }, ...metadata },
    ...extra,
  } as OcsfRecord;
}

// ───────────────────────────── API Activity (tool calls) ─────────────────────────────

/** A tool call's metadata as the explorer shapes it; dates may arrive as ISO strings (bundle lines). */
export type ToolCallForOcsf = Omit<ToolCallRow, "occurredAt" | "ingestedAt"> & { occurredAt: Date | string; ingestedAt?: Date | string | null };

/** A tool call → API Activity (6003), activity Other ("Invoke"): the agent called a tool through its gateway. */
export function toolCallToApiActivity(c: ToolCallForOcsf): OcsfRecord {
  const failed = c.decision === "blocked" || Boolean(c.error);
  const rec = base(
    6003,
    99,
    c.occurredAt,
    c.decision === "blocked" ? 3 : 1,
    { uid: `tool_call:${c.id}`, original_time: iso(c.occurredAt), logged_time: c.ingestedAt ? ms(c.ingestedAt) : undefined, correlation_uid: c.sessionKey ?? undefined, event_code: "tool_call" },
    {
      activity_name: "Invoke",
      type_name: "API Activity: Invoke",
      status_id: failed ? 2 : 1,
      status: failed ? "Failure" : "Success",
      status_detail: c.blockReason ?? c.error ?? undefined,
      duration: c.durationMs ?? undefined,
      actor: {
        app_name: c.agentName,
        app_uid: c.agentId ?? undefined,
        session: c.sessionKey ? { uid: c.sessionKey } : undefined,
        // Who asked: the directory person behind the call, when the requester maps to one.
        user: c.personId ? { uid: c.personId, name: c.personName ?? undefined, type: "User", type_id: 1 } : undefined,
      },
      api: { operation: c.toolName, service: { name: c.toolName, version: c.toolVersion ?? undefined }, request: { uid: c.eventId } },
      src_endpoint: { uid: c.gatewayId, name: c.gatewayName ?? c.gatewayId },
      unmapped: {
        decision: c.decision,
        block_reason: c.blockReason ?? undefined,
        tool_hash: c.toolHash ?? undefined,
        egress_hosts: c.egressHosts.length ? c.egressHosts : undefined,
        tokens_in: c.tokensIn ?? undefined,
        tokens_out: c.tokensOut ?? undefined,
        cost_usd: c.costUsd ?? undefined,
        requester_kind: c.requesterKind ?? undefined,
        requester: c.requester ?? undefined,
        chain: c.chain?.length ? c.chain : undefined,
      },
    },
  );
  return rec;
}

/** A blocked tool call → Detection Finding (2004) with the security-control profile (action Denied, disposition Blocked). */
export function blockedCallToDetectionFinding(c: ToolCallForOcsf): OcsfRecord {
  return base(
    2004,
    1,
    c.occurredAt,
    3,
    { uid: `blocked_call:${c.id}`, original_time: iso(c.occurredAt), profiles: ["security_control"], event_code: "tool_call.blocked" },
    {
      status_id: 1,
      status: "New",
      action_id: 2,
      action: "Denied",
      disposition_id: 2,
      disposition: "Blocked",
      message: `${c.agentName} was blocked from calling ${c.toolName}${c.blockReason ? `: ${c.blockReason}` : ""}`,
      finding_info: {
        uid: `tool_call:${c.id}`,
        title: `Blocked tool call: ${c.toolName} by ${c.agentName}`,
        desc: c.blockReason ?? undefined,
        types: ["blocked_tool_call"],
        created_time: ms(c.occurredAt),
      },
      resources: [{ uid: c.toolName, name: c.toolName, type: "tool", version: c.toolVersion ?? undefined }],
      unmapped: { gateway_id: c.gatewayId, agent_id: c.agentId ?? undefined, event_id: c.eventId },
    },
  );
}

// ───────────────────────────── Entity Management ─────────────────────────────

export type TrustDecisionForOcsf = {
  id: string;
  outcome: string;
  reason: string;
  decidedAt: Date | string;
  revokedAt: Date | string | null;
  revokeReason: string | null;
  decider: { id: string; email: string } | null;
  revokedBy: { id: string; email: string } | null;
  subject: string;
  contentHash: string | null;
  conditions: unknown;
};

/** A trust decision → Entity Management (3004): Create when decided, Disable when revoked. */
export function trustDecisionToEntityManagement(d: TrustDecisionForOcsf, event: "decided" | "revoked"): OcsfRecord {
  const revoked = event === "revoked";
  const by = revoked ? d.revokedBy : d.decider;
  const at = revoked ? d.revokedAt! : d.decidedAt;
  return base(
    3004,
    revoked ? 9 : 1,
    at,
    d.outcome === "reject" || revoked ? 3 : 1,
    { uid: `trust_decision:${d.id}:${event}`, original_time: iso(at), event_code: revoked ? "trust_decision.revoke" : "trust_decision.decide" },
    {
      status_id: 1,
      status: "Success",
      actor: by ? { user: { uid: by.id, name: by.email, email_addr: by.email } } : { app_name: "Warden" },
      comment: revoked ? (d.revokeReason ?? undefined) : d.reason,
      entity: { uid: d.id, name: d.subject, type: "trust_decision", data: { outcome: d.outcome, content_hash: d.contentHash ?? undefined, conditions: d.conditions ?? undefined, reason: d.reason } },
      entity_result: revoked ? { uid: d.id, name: d.subject, type: "trust_decision", data: { outcome: d.outcome, revoked: true, revoke_reason: d.revokeReason ?? undefined } } : undefined,
    },
  );
}

export type ContainmentForOcsf = {
  id: string;
  scope: string;
  target: string;
  action: string;
  reason: string;
  status: string;
  source: string;
  createdAt: Date | string;
  releasedAt: Date | string | null;
  releaseReason: string | null;
  requestedBy: { id: string; email: string } | null;
  releasedBy: { id: string; email: string } | null;
  incidentId: string | null;
  deliveries: { gatewayId: string; kind: string; state: string; deliveredAt: string | null; ackedAt: string | null; escalatedAt: string | null; wsState: string | null }[];
};

/** A containment action (kill switch) → Entity Management (3004): Create when applied, Deactivate when released. */
export function containmentToEntityManagement(a: ContainmentForOcsf, event: "created" | "released"): OcsfRecord {
  const released = event === "released";
  const by = released ? a.releasedBy : a.requestedBy;
  const at = released ? a.releasedAt! : a.createdAt;
  const entity = {
    uid: a.id,
    name: `${a.action} ${a.scope}:${a.target}`,
    type: "containment_action",
    data: { scope: a.scope, target: a.target, action: a.action, source: a.source, status: a.status, incident_id: a.incidentId ?? undefined, deliveries: a.deliveries },
  };
  return base(
    3004,
    released ? 11 : 1,
    at,
    released ? 1 : 4,
    { uid: `containment:${a.id}:${event}`, original_time: iso(at), event_code: released ? "containment.release" : "containment.apply" },
    {
      status_id: 1,
      status: "Success",
      actor: by ? { user: { uid: by.id, name: by.email, email_addr: by.email } } : { app_name: `Warden (${a.source})` },
      comment: released ? (a.releaseReason ?? undefined) : a.reason,
      entity,
      entity_result: released ? { ...entity, data: { ...entity.data, status: "released" } } : undefined,
    },
  );
}

// ───────────────────────────── Findings and incidents ─────────────────────────────

export type FindingForOcsf = {
  id: string;
  kind: string;
  severity: WardenSeverity;
  status: "open" | "dismissed" | "incident" | "resolved";
  title: string;
  detail: unknown;
  gatewayId: string | null;
  agentId: string | null;
  toolName: string | null;
  firstSeenAt: Date | string;
  lastSeenAt: Date | string;
  dismissReason: string | null;
};

const FINDING_STATUS: Record<FindingForOcsf["status"], [number, string]> = { open: [1, "New"], incident: [2, "In Progress"], dismissed: [3, "Suppressed"], resolved: [4, "Resolved"] };

/** A Warden finding → Detection Finding (2004): Create when first seen in the window, else Update. */
export function findingToDetectionFinding(f: FindingForOcsf, window: { from: Date }): OcsfRecord {
  const created = ms(f.firstSeenAt) >= window.from.getTime();
  const [statusId, status] = FINDING_STATUS[f.status];
  return base(
    2004,
    created ? 1 : 2,
    created ? f.firstSeenAt : f.lastSeenAt,
    SEVERITY_OF[f.severity],
    { uid: `finding:${f.id}`, original_time: iso(f.lastSeenAt), event_code: `finding.${f.kind}` },
    {
      status_id: statusId,
      status,
      status_detail: f.dismissReason ?? undefined,
      message: f.title,
      finding_info: { uid: f.id, title: f.title, types: [f.kind], first_seen_time: ms(f.firstSeenAt), last_seen_time: ms(f.lastSeenAt), created_time: ms(f.firstSeenAt) },
      resources: f.toolName ? [{ uid: f.toolName, name: f.toolName, type: "tool" }] : undefined,
      unmapped: { gateway_id: f.gatewayId ?? undefined, agent_id: f.agentId ?? undefined, detail: f.detail ?? undefined },
    },
  );
}

export type IncidentForOcsf = {
  id: string;
  title: string;
  severity: WardenSeverity;
  status: "open" | "contained" | "resolved" | "closed";
  summary: string;
  openedAt: Date | string;
  closedAt: Date | string | null;
  owner: { id: string; email: string } | null;
  finding: { id: string; title: string; kind: string } | null;
  lastActivityAt?: Date | string | null;
};

const INCIDENT_STATUS: Record<IncidentForOcsf["status"], [number, string]> = { open: [1, "New"], contained: [2, "In Progress"], resolved: [4, "Resolved"], closed: [5, "Closed"] };

/** An incident → Incident Finding (2005): Close when closed in the window, Create when opened in it, else Update. */
export function incidentToIncidentFinding(i: IncidentForOcsf, window: { from: Date; to: Date }): OcsfRecord {
  const inWindow = (d: Date | string | null | undefined) => Boolean(d) && ms(d!) >= window.from.getTime() && ms(d!) <= window.to.getTime();
  const activity = inWindow(i.closedAt) ? 3 : inWindow(i.openedAt) ? 1 : 2;
  const time = activity === 3 ? i.closedAt! : activity === 1 ? i.openedAt : (i.lastActivityAt ?? i.openedAt);
  const [statusId, status] = INCIDENT_STATUS[i.status];
  const findingInfo = i.finding ? { uid: i.finding.id, title: i.finding.title, types: [i.finding.kind] } : { uid: i.id, title: i.title, types: ["incident"] };
  return base(
    2005,
    activity,
    time,
    SEVERITY_OF[i.severity],
    { uid: `incident:${i.id}`, original_time: iso(time), event_code: "incident" },
    {
      status_id: statusId,
      status,
      desc: i.summary || i.title,
      message: i.title,
      finding_info_list: [findingInfo],
      assignee: i.owner ? { uid: i.owner.id, name: i.owner.email, email_addr: i.owner.email } : undefined,
      start_time: ms(i.openedAt),
      end_time: i.closedAt ? ms(i.closedAt) : undefined,
      unmapped: { incident_id: i.id },
    },
  );
}

// ───────────────────────────── Authentication (console sign-ins) ─────────────────────────────

/** Audit actions that record a console sign-in (see lib/auth/options.ts). */
export const SIGN_IN_ACTIONS = ["auth.login", "auth.sso_provision"] as const satisfies readonly AuditAction[];

export type SignInAuditForOcsf = {
  id: string;
  createdAt: Date | string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  outcome: "success" | "denied" | "failure";
  targetId: string | null;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
};

/** A sign-in audit event → Authentication (3002), activity Logon; success or failure from the outcome. */
export function signInToAuthentication(e: SignInAuditForOcsf): OcsfRecord {
  const ok = e.outcome === "success";
  const after = (e.after && typeof e.after === "object" ? e.after : {}) as Record<string, unknown>;
  const oidc = after.via === "oidc" || e.action === "auth.sso_provision";
  return base(
    3002,
    1,
    e.createdAt,
    ok ? 1 : 3,
    { uid: `audit:${e.id}`, original_time: iso(e.createdAt), event_code: e.action },
    {
      status_id: ok ? 1 : 2,
      status: ok ? "Success" : "Failure",
      status_detail: ok ? undefined : typeof after.reason === "string" ? after.reason : e.outcome === "denied" ? "denied" : "bad credentials",
      user: { name: e.actorLabel, uid: e.actorId ?? undefined, email_addr: e.actorLabel.includes("@") ? e.actorLabel : undefined },
      auth_protocol_id: oidc ? 4 : 99,
      auth_protocol: oidc ? "OpenID" : "Password",
      src_endpoint: e.ip ? { ip: e.ip } : undefined,
      dst_endpoint: { name: "Warden console", svc_name: "warden" },
      http_request: e.userAgent ? { user_agent: e.userAgent } : undefined,
      is_mfa: false,
    },
  );
}

// ───────────────────────────── validation ─────────────────────────────

const isObj = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === "object" && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const hasAny = (o: Record<string, unknown>, keys: string[]) => keys.some((k) => o[k] !== undefined && o[k] !== null && o[k] !== "");

/**
 * Check a record against the attributes OCSF 1.3.0 requires for its class (plus the base event and
 * the classification arithmetic). Returns the problems found; an empty list means valid.
 */
export function validateOcsf(record: unknown): { ok: boolean; errors: string[] } {
  const errors: string[] = [];
  if (!isObj(record)) return { ok: false, errors: ["not an object"] };
  const r = record;
  const cls = OCSF_CLASSES[r.class_uid as OcsfClassUid];
  if (!cls) errors.push(`class_uid ${String(r.class_uid)} is not one Warden emits`);
  if (!isInt(r.category_uid)) errors.push("category_uid is required");
  else if (cls && r.category_uid !== cls.category_uid) errors.push(`category_uid ${r.category_uid} does not match class ${String(r.class_uid)} (expected ${cls.category_uid})`);
  if (!isInt(r.activity_id)) errors.push("activity_id is required");
  else if (cls && !(String(r.activity_id) in cls.activities)) errors.push(`activity_id ${r.activity_id} is not defined for class ${String(r.class_uid)}`);
  if (!isInt(r.type_uid)) errors.push("type_uid is required");
  else if (isInt(r.class_uid) && isInt(r.activity_id) && r.type_uid !== r.class_uid * 100 + r.activity_id) errors.push(`type_uid ${r.type_uid} ≠ class_uid × 100 + activity_id`);
  if (!isInt(r.time) || r.time <= 0) errors.push("time (epoch milliseconds) is required");
  if (!isInt(r.severity_id) || !SEVERITY_IDS.includes(r.severity_id)) errors.push("severity_id is required (0-6 or 99)");
  const md = r.metadata;
  if (!isObj(md)) errors.push("metadata is required");
  else {
    if (!isStr(md.version) || !/^1\.\d+\.\d+/.test(md.version)) errors.push("metadata.version must be an OCSF 1.x version");
    if (!isObj(md.product) || !isStr(md.product.vendor_name)) errors.push("metadata.product.vendor_name is required");
    else if (!isStr(md.product.name)) errors.push("metadata.product.name is required");
  }
  switch (r.class_uid) {
    case 6003: {
      if (!isObj(r.actor) || !hasAny(r.actor, ["user", "process", "session", "app_name", "app_uid", "invoked_by"]))
        errors.push("actor needs one of user, process, session, app_name, app_uid, invoked_by");
      if (!isObj(r.api) || !isStr(r.api.operation)) errors.push("api.operation is required");
      else if (r.api.request !== undefined && (!isObj(r.api.request) || !isStr(r.api.request.uid))) errors.push("api.request.uid is required when api.request is present");
      if (!isObj(r.src_endpoint) || !hasAny(r.src_endpoint, ["ip", "uid", "name", "hostname", "svc_name", "instance_uid", "interface_uid", "interface_name"]))
        errors.push("src_endpoint needs one of ip, uid, name, hostname");
      break;
    }
    case 3004: {
      const e = isObj(r.entity) ? r.entity : isObj(r.entity_result) ? r.entity_result : null;
      if (!e) errors.push("entity (or entity_result) is required");
      else for (const k of ["name", "uid", "type"]) if (!isStr(e[k])) errors.push(`entity.${k} is required`);
      break;
    }
    case 2004: {
      if (!isObj(r.finding_info) || !isStr(r.finding_info.uid) || !isStr(r.finding_info.title)) errors.push("finding_info.uid and finding_info.title are required");
      const profiles = isObj(md) && Array.isArray(md.profiles) ? md.profiles : [];
      if (profiles.includes("security_control") && !isInt(r.action_id)) errors.push("action_id is required by the security_control profile");
      break;
    }
    case 2005: {
      if (!Array.isArray(r.finding_info_list) || r.finding_info_list.length === 0) errors.push("finding_info_list (non-empty) is required");
      else
        r.finding_info_list.forEach((fi, i) => {
          if (!isObj(fi) || !isStr(fi.uid) || !isStr(fi.title)) errors.push(`finding_info_list[${i}] needs uid and title`);
        });
      if (!isInt(r.status_id) || ![0, 1, 2, 3, 4, 5, 99].includes(r.status_id)) errors.push("status_id is required (0-5 or 99)");
      break;
    }
    case 3002: {
      if (!isObj(r.user) || !hasAny(r.user, ["name", "uid", "account"])) errors.push("user needs one of name, uid, account");
      if (!isInt(r.status_id) || ![0, 1, 2, 99].includes(r.status_id)) errors.push("status_id is required (0, 1, 2 or 99)");
      if (!isObj(r.src_endpoint) && !isObj(r.dst_endpoint)) errors.push("src_endpoint or dst_endpoint is required");
      break;
    }
  }
  return { ok: errors.length === 0, errors };
}
