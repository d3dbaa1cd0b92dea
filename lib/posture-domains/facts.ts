import "server-only";
import { dbRead } from "@/lib/db-read";
import { postureFlags } from "@/lib/agents/posture";
import { observedModels } from "@/lib/model-usage/queries";
import { fleetSpendToday } from "@/lib/overview/queries";
import { overviewWindows } from "@/lib/overview/windows";
import type { AuditAction } from "@/lib/audit/actions";
import type { AgentFact, CheckFact, GatewayFact, PostureFacts } from "./rules";

const DAY = 86_400_000;
/** Tools through which an agent spawns or messages another agent (as in lib/gateways/posture.ts). */
const DELEGATION_TOOLS = ["sessions_spawn", "sessions_send", "subagents", "agents_spawn", "delegate"];

type GatewayRow = Omit<GatewayFact, "calls24h">;

/**
 * Everything the posture domains are scored from, read in parallel: registry rows (agents with
 * their posture flags from lib/agents/posture), gateways (booleans and counts only — never their
 * secrets or full inventories), open posture findings grouped by check (the gateways' security
 * audits and lib/gateways/posture's checks), reviews, budgets, webhooks, playbooks, incidents and
 * the telemetry rollup.
 */
export async function loadPostureFacts(now: Date = new Date()): Promise<PostureFacts> {
  const w = overviewWindows(now);
  const since7d = new Date(now.getTime() - 7 * DAY);
  const [
    agentRows,
    llmFlows,
    gateways,
    reporting,
    checks,
    findings,
    fleetBudget,
    spendTodayUsd,
    endpoints,
    dead7d,
    toolsFlagged,
    noDepAudit,
    overdueReReviews,
    integrations,
    flows,
    playbooks,
    incidents,
    escalations,
    lastAudit,
    exports90d,
    delegation,
  ] = await Promise.all([
    dbRead.agent.findMany({
      select: {
        id: true,
        name: true,
        status: true,
        scope: true,
        model: true,
        fallbackModels: true,
        credentialRefs: true,
        channels: true,
        posture: true,
        budget: { select: { enabled: true, onLimit: true } },
        _count: { select: { bundles: true, grants: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } } } },
      },
      orderBy: { name: "asc" },
    }),
    dbRead.dataFlow.findMany({ where: { isLlmProvider: true }, distinct: ["agentId"], select: { agentId: true } }),
    dbRead.$queryRaw<GatewayRow[]>`
        select g.id::text as id, g.name, g.admin_ws_url as "adminWsUrl", g.last_seen_at as "lastSeenAt",
               (g.signing_secret_enc is not null) as signed, coalesce(g.signing_secret_rotated_at, g.created_at) as "secretSetAt",
               (g.inventory is not null) as "hasInventory", (g.security_audit is not null) as "hasAudit",
               (select count(*)::int
                  from jsonb_array_elements(
                         (case when jsonb_typeof(g.inventory->'plugins') = 'array' then g.inventory->'plugins' else '[]'::jsonb end)
                      || (case when jsonb_typeof(g.inventory->'skills') = 'array' then g.inventory->'skills' else '[]'::jsonb end)
                      || coalesce((select jsonb_agg(t) from jsonb_array_elements(case when jsonb_typeof(g.inventory->'tools') = 'array' then g.inventory->'tools' else '[]'::jsonb end) t
                                    where t->>'kind' in ('skill', 'plugin', 'mcp_server')), '[]'::jsonb)) e
                 where jsonb_typeof(e) = 'object' and e->>'hash' is null and coalesce(e->>'enabled', 'true') <> 'false') as unpinned
          from gateways g
         order by g.name`,
    // Gateways with tool calls in the last 24 h: the rollup's primary key starts with (hour, gateway).
    dbRead.$queryRaw<{ id: string }[]>`select distinct gateway_id::text as id from tool_call_hourly where hour >= ${w.from24h} and hour <= ${w.hourNow}`,
    dbRead.$queryRaw<CheckFact[]>`
        select detail->>'checkId' as "checkId", coalesce(detail->>'source', '') like 'openclaw%' as "fromAudit", max(severity)::text as severity,
               count(*)::int as count, count(distinct gateway_id)::int as gateways, min(gateway_id::text) as "sampleGatewayId", min(title) as "sampleTitle"
          from findings
         where status = 'open' and kind = 'posture' and detail->>'checkId' is not null
         group by 1, 2`,
    dbRead.$queryRaw<{ unapprovedOpen: number; unapproved7d: number; hashDrift: number; egress: number }[]>`
        select (count(*) filter (where kind = 'unapproved_tool'))::int as "unapprovedOpen",
               (count(*) filter (where kind = 'unapproved_tool' and last_seen_at >= ${since7d}))::int as "unapproved7d",
               (count(*) filter (where kind = 'hash_drift'))::int as "hashDrift",
               (count(*) filter (where kind = 'undocumented_egress'))::int as egress
          from findings where status = 'open'`,
    dbRead.budget.findFirst({ where: { agentId: null }, select: { enabled: true, onLimit: true, dailyUsd: true } }),
    fleetSpendToday(now),
    dbRead.webhookEndpoint.findMany({ where: { enabled: true }, select: { url: true, events: true } }),
    dbRead.webhookDelivery.count({ where: { state: "dead", createdAt: { gte: since7d } } }),
    dbRead.tool.count({ where: { advisoryFlaggedAt: { not: null } } }),
    dbRead.$queryRaw<{ n: number }[]>`
        select count(*)::int as n from trust_decisions
         where tool_version_id is not null and revoked_at is null and outcome <> 'reject' and coalesce(checklist->'dependencyAuditRun', 'false'::jsonb) <> 'true'::jsonb`,
    dbRead.trustDecision.count({ where: { toolVersionId: { not: null }, outcome: { not: "reject" }, revokedAt: null, reReviewAt: { lt: now } } }),
    dbRead.$queryRaw<{ total: number; advisoryFlagged: number; overdue: number; withoutContact: number }[]>`
        select count(*)::int as total,
               (count(*) filter (where advisory_flagged_at is not null))::int as "advisoryFlagged",
               (count(*) filter (where next_review_at < ${now}))::int as overdue,
               (count(*) filter (where coalesce(security_contact_email, '') = '' and coalesce(security_contact_phone, '') = ''))::int as "withoutContact"
          from integrations`,
    dbRead.dataFlow.groupBy({ by: ["status", "classification"], _count: { _all: true } }),
    dbRead.playbook.findMany({
      orderBy: { name: "asc" },
      select: {
        id: true,
        name: true,
        trigger: true,
        contacts: true,
        breakGlass: true,
        _count: { select: { steps: true } },
        drills: { orderBy: { startedAt: "desc" }, take: 1, select: { startedAt: true } },
      },
    }),
    dbRead.incident.groupBy({ by: ["status"], where: { status: { in: ["open", "contained"] } }, _count: { _all: true } }),
    dbRead.gatewayCommand.count({ where: { state: "timed_out" } }),
    dbRead.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { createdAt: true } }),
    dbRead.auditEvent.count({ where: { action: "evidence.export" satisfies AuditAction, outcome: "success", createdAt: { gte: new Date(now.getTime() - 90 * DAY) } } }),
    dbRead.$queryRaw<{ agentKey: string; agentName: string; calls: number }[]>`
        select agent_key::text as "agentKey", max(agent_name) as "agentName", sum(calls)::int as calls
          from tool_call_hourly
         where tool_name = any(${DELEGATION_TOOLS}) and hour >= ${w.from7d} and hour <= ${w.hourNow}
         group by agent_key`,
  ]);

  // Shared-credential flags need every agent's references, suspended ones included.
  const credentialUse = new Map<string, string[]>();
  for (const a of agentRows) for (const r of a.credentialRefs) credentialUse.set(r, [...(credentialUse.get(r) ?? []), a.name]);
  const llm = new Set(llmFlows.map((f) => f.agentId));
  // What the agents' model calls show wins over the typed model and fallbacks (weak-fallback flag).
  const observed = await observedModels(
    agentRows.filter((a) => a.status === "active").map((a) => a.id),
    now,
  );
  const agents: AgentFact[] = agentRows
    .filter((a) => a.status === "active")
    .map((a) => {
      const allowances = a._count.bundles + a._count.grants;
      return {
        id: a.id,
        name: a.name,
        scope: a.scope,
        model: a.model,
        fallbackModels: a.fallbackModels,
        credentialRefs: a.credentialRefs,
        channels: a.channels,
        posture: (a.posture ?? {}) as AgentFact["posture"],
        allowances,
        flags: postureFlags({ ...a, toolCount: allowances, observed: observed.get(a.id) }, credentialUse),
        budget: a.budget,
        hasLlmFlow: llm.has(a.id),
      };
    });

  const reportingIds = new Set(reporting.map((r) => r.id));
  const flowCount = (pred: (s: string, c: string) => boolean) => flows.filter((f) => pred(f.status, f.classification)).reduce((n, f) => n + f._count._all, 0);
  const incidentCount = (s: string) => incidents.find((i) => i.status === s)?._count._all ?? 0;
  const f = findings[0] ?? { unapprovedOpen: 0, unapproved7d: 0, hashDrift: 0, egress: 0 };
  const i = integrations[0] ?? { total: 0, advisoryFlagged: 0, overdue: 0, withoutContact: 0 };

  return {
    now,
    agents,
    gateways: gateways.map((g) => ({ ...g, lastSeenAt: g.lastSeenAt ? new Date(g.lastSeenAt) : null, secretSetAt: new Date(g.secretSetAt), calls24h: reportingIds.has(g.id) })),
    checks,
    findings: f,
    fleetBudget: fleetBudget ? { enabled: fleetBudget.enabled, onLimit: fleetBudget.onLimit, dailyUsd: fleetBudget.dailyUsd.toFixed(2) } : null,
    spendTodayUsd,
    webhooks: {
      enabled: endpoints.length,
      plainHttp: endpoints.filter((e) => e.url.toLowerCase().startsWith("http://")).length,
      budgetAlerts: endpoints.some((e) => e.events.length === 0 || e.events.includes("budget.threshold")),
      dead7d,
    },
    tools: { advisoryFlagged: toolsFlagged, approvalsWithoutDependencyAudit: noDepAudit[0]?.n ?? 0, overdueReReviews },
    integrations: i,
    flows: {
      proposed: flowCount((s) => s === "proposed"),
      restrictedNotApproved: flowCount((s, c) => c === "restricted" && s !== "approved"),
      confidentialNotApproved: flowCount((s, c) => c === "confidential" && s !== "approved"),
    },
    playbooks: playbooks.map((p) => ({
      id: p.id,
      name: p.name,
      trigger: p.trigger,
      lastDrillAt: p.drills[0]?.startedAt ?? null,
      contacts: Array.isArray(p.contacts) ? p.contacts.length : 0,
      breakGlass: p.breakGlass.trim().length > 0,
      steps: p._count.steps,
    })),
    incidents: { open: incidentCount("open"), contained: incidentCount("contained") },
    escalations,
    audit: { lastEventAt: lastAudit?.createdAt ?? null, exports90d },
    delegationCalls: delegation,
  };
}
