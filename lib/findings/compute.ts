import "server-only";
import type { z } from "zod";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { findingWhereOf, teamScopeOf } from "@/lib/teams/scope";
import { recordAudit } from "@/lib/audit/record";
import { effectiveAllowlists } from "@/lib/allowlist/effective";
import type { Prisma } from "@/lib/generated/prisma/client";
import { modelPolicyCandidates } from "@/lib/model-usage/findings";
import { COMPUTED_KINDS, type ComputedKind, type ZFindingDismiss } from "./schema";

const HOUR = 3_600_000;
/** An agent spikes when its last hour has more than SPIKE_MIN_CALLS calls and SPIKE_FACTOR × its hourly baseline. */
export const SPIKE_MIN_CALLS = 50;
export const SPIKE_FACTOR = 5;
const BASELINE_HOURS = 7 * 24;
const SAMPLE_EVENTS = 5;
// Serialises runs (scheduler and API) and finding status changes, so a run cannot duplicate a
// finding or overwrite a dismissal made while it was computing.
export const FINDINGS_LOCK = 7_210_004;

type Severity = "low" | "medium" | "high" | "critical";
type Json = Prisma.InputJsonValue;

/** A finding as this run sees it, before it is matched against stored ones. */
export type Candidate = {
  kind: ComputedKind;
  severity: Severity;
  gatewayId: string;
  agentId: string;
  toolName: string | null;
  /** The detail key that tells two findings of one kind/agent/tool apart (drifted hash, host). */
  subKey: string | null;
  title: string;
  detail: Record<string, Json>;
  firstAt: Date;
  lastAt: Date;
};

export type ComputeCounts = Record<ComputedKind, { created: number; updated: number }>;
export type ComputeResult = { counts: ComputeCounts; window: { since: string; until: string } };

const iso = (d: Date) => d.toISOString();
const short = (hash: string) => (hash.length > 12 ? `${hash.slice(0, 12)}…` : hash);

/** The detail key stored on a finding of this kind (matches Candidate.subKey). */
function subKeyOf(kind: string, detail: unknown): string | null {
  const d = (detail && typeof detail === "object" ? detail : {}) as Record<string, unknown>;
  if (kind === "hash_drift") return typeof d.seenHash === "string" ? d.seenHash : null;
  if (kind === "undocumented_egress") return typeof d.host === "string" ? d.host : null;
  if (kind === "model_policy") return typeof d.model === "string" ? d.model : null;
  if (kind === "agent_link") return typeof d.targetAgentId === "string" ? d.targetAgentId : null;
  return null;
}

const keyOf = (f: { kind: string; gatewayId: string | null; agentId: string | null; toolName: string | null }, subKey: string | null) =>
  JSON.stringify([f.kind, f.gatewayId, f.agentId, f.toolName, subKey]);

type ToolGroup = { gatewayId: string; agentId: string; toolName: string; toolHash: string | null; calls: number; blocked: number; firstAt: Date; lastAt: Date };

/** Unapproved tools and hash drift: one aggregate over the window, judged against effective allowlists. */
async function toolCandidates(since: Date, now: Date): Promise<Candidate[]> {
  const groups = await db.$queryRaw<ToolGroup[]>`
    select gateway_id::text as "gatewayId", agent_id::text as "agentId", tool_name as "toolName", tool_hash as "toolHash",
           count(*)::int as calls, (count(*) filter (where decision = 'blocked'))::int as blocked,
           min(occurred_at) as "firstAt", max(occurred_at) as "lastAt"
      from tool_calls
     where occurred_at >= ${since} and occurred_at <= ${now} and agent_id is not null
     group by gateway_id, agent_id, tool_name, tool_hash`;
  if (!groups.length) return [];
  const lists = await effectiveAllowlists([...new Set(groups.map((g) => g.agentId))], now);

  const unapproved = new Map<string, Omit<ToolGroup, "toolHash"> & { agentName: string }>();
  const drift = new Map<string, ToolGroup & { agentName: string; approvedHashes: string[] }>();
  for (const g of groups) {
    const list = lists.get(g.agentId);
    if (!list) continue; // the agent was deleted: nothing to attach a finding to
    const entry = list.entries.find((e) => e.toolName === g.toolName && e.status === "allowed");
    if (!entry) {
      const k = JSON.stringify([g.gatewayId, g.agentId, g.toolName]);
      const u = unapproved.get(k);
      if (!u)
        unapproved.set(k, { gatewayId: g.gatewayId, agentId: g.agentId, toolName: g.toolName, calls: g.calls, blocked: g.blocked, firstAt: g.firstAt, lastAt: g.lastAt, agentName: list.agentName });
      else Object.assign(u, { calls: u.calls + g.calls, blocked: u.blocked + g.blocked, firstAt: g.firstAt < u.firstAt ? g.firstAt : u.firstAt, lastAt: g.lastAt > u.lastAt ? g.lastAt : u.lastAt });
      continue;
    }
    const approvedHashes = [...new Set(entry.versions.map((v) => v.contentHash))];
    if (g.toolHash && approvedHashes.length && !approvedHashes.includes(g.toolHash)) {
      drift.set(JSON.stringify([g.gatewayId, g.agentId, g.toolName, g.toolHash]), { ...g, agentName: list.agentName, approvedHashes });
    }
  }

  // Evidence: the newest few event ids per unapproved (gateway, agent, tool), in one lateral query.
  const samples = new Map<string, string[]>();
  const us = [...unapproved.values()];
  if (us.length) {
    const rows = await db.$queryRaw<{ gatewayId: string; agentId: string; toolName: string; eventIds: string[] }[]>`
      select k.gateway_id::text as "gatewayId", k.agent_id::text as "agentId", k.tool_name as "toolName",
             array(select t.event_id from tool_calls t
                    where t.agent_id = k.agent_id and t.gateway_id = k.gateway_id and t.tool_name = k.tool_name
                      and t.occurred_at >= ${since} and t.occurred_at <= ${now}
                    order by t.occurred_at desc limit ${SAMPLE_EVENTS}) as "eventIds"
        from unnest(${us.map((u) => u.gatewayId)}::uuid[], ${us.map((u) => u.agentId)}::uuid[], ${us.map((u) => u.toolName)}::text[]) as k(gateway_id, agent_id, tool_name)`;
    for (const r of rows) samples.set(JSON.stringify([r.gatewayId, r.agentId, r.toolName]), r.eventIds);
  }

  const out: Candidate[] = [];
  for (const [k, u] of unapproved) {
    out.push({
      kind: "unapproved_tool",
      severity: "high",
      gatewayId: u.gatewayId,
      agentId: u.agentId,
      toolName: u.toolName,
      subKey: null,
      title: `${u.agentName} called ${u.toolName}, which is not on its allowlist`,
      detail: { calls: u.calls, blocked: u.blocked, firstAt: iso(u.firstAt), lastAt: iso(u.lastAt), sampleEventIds: samples.get(k) ?? [] },
      firstAt: u.firstAt,
      lastAt: u.lastAt,
    });
  }
  for (const d of drift.values()) {
    out.push({
      kind: "hash_drift",
      severity: "critical",
      gatewayId: d.gatewayId,
      agentId: d.agentId,
      toolName: d.toolName,
      subKey: d.toolHash,
      title: `${d.toolName} on ${d.agentName} runs an unapproved build (hash ${short(d.toolHash!)})`,
      detail: { seenHash: d.toolHash!, approvedHashes: d.approvedHashes, calls: d.calls, blocked: d.blocked, firstAt: iso(d.firstAt), lastAt: iso(d.lastAt) },
      firstAt: d.firstAt,
      lastAt: d.lastAt,
    });
  }
  return out;
}

/**
 * Egress hosts no approved or proposed data flow of the agent covers. Hosts are compared
 * lower-case without port or trailing dot; a flow "*.example.com" covers any sub-domain of
 * example.com (not example.com itself).
 */
async function egressCandidates(since: Date, now: Date): Promise<Candidate[]> {
  const rows = await db.$queryRaw<{ gatewayId: string; agentId: string; toolName: string; host: string; calls: number; firstAt: Date; lastAt: Date; agentName: string; external: boolean }[]>`
    with seen as (
      select tc.gateway_id, tc.agent_id, tc.tool_name,
             rtrim(regexp_replace(lower(btrim(h)), ':[0-9]+$', ''), '.') as host,
             count(distinct tc.id)::int as calls, min(tc.occurred_at) as first_at, max(tc.occurred_at) as last_at
        from tool_calls tc cross join lateral unnest(tc.egress_hosts) as h
       where tc.occurred_at >= ${since} and tc.occurred_at <= ${now} and tc.agent_id is not null and cardinality(tc.egress_hosts) > 0
       group by 1, 2, 3, 4
    )
    select s.gateway_id::text as "gatewayId", s.agent_id::text as "agentId", s.tool_name as "toolName", s.host,
           s.calls, s.first_at as "firstAt", s.last_at as "lastAt", a.name as "agentName", (a.scope = 'external') as external
      from seen s join agents a on a.id = s.agent_id
     where s.host <> ''
       and not exists (
         select 1 from data_flows df
          where df.agent_id = s.agent_id and df.status in ('approved', 'proposed')
            and (df.host = s.host
                 or (left(df.host, 2) = '*.' and length(s.host) > length(df.host) - 1 and right(s.host, length(df.host) - 1) = substr(df.host, 2))))`;
  return rows.map((r) => ({
    kind: "undocumented_egress" as const,
    severity: r.external ? ("high" as const) : ("medium" as const),
    gatewayId: r.gatewayId,
    agentId: r.agentId,
    toolName: r.toolName,
    subKey: r.host,
    title: `${r.agentName} sent data to ${r.host} (via ${r.toolName}), which is not a recorded data flow`,
    detail: { host: r.host, calls: r.calls, firstAt: iso(r.firstAt), lastAt: iso(r.lastAt), externalAgent: r.external },
    firstAt: r.firstAt,
    lastAt: r.lastAt,
  }));
}

/**
 * Agent → agent edges (calls that reached another agent, lib/agent-links) seen in the window that no
 * approved pair covers: one finding per (gateway, calling agent, target gateway agent id). Read from
 * the agent_links rollup, so the window's tool calls are not scanned again.
 */
async function agentLinkCandidates(since: Date, now: Date): Promise<Candidate[]> {
  const rows = await db.$queryRaw<
    { gatewayId: string; agentId: string; agentName: string; target: string; toAgentId: string | null; toName: string | null; calls: number; blocked: number; firstAt: Date; lastAt: Date }[]
  >`
    select l.gateway_id::text as "gatewayId", l.source_key::text as "agentId", a.name as "agentName", l.target_external_id as target,
           t.id::text as "toAgentId", t.name as "toName", l.calls, l.blocked, l.first_at as "firstAt", l.last_at as "lastAt"
      from agent_links l
      join agents a on a.id = l.source_key
      left join agents t on t.gateway_id = l.gateway_id and t.external_id = l.target_external_id
     where l.last_at >= ${since} and l.last_at <= ${now} and l.calls > 0
       and not exists (select 1 from agent_link_approvals p where p.from_agent_id = l.source_key and p.to_agent_id = t.id)`;
  return rows.map((r) => ({
    kind: "agent_link" as const,
    severity: "high" as const,
    gatewayId: r.gatewayId,
    agentId: r.agentId,
    toolName: null,
    subKey: r.target,
    title: `${r.agentName} reached agent ${r.toName ?? `"${r.target}" (not registered in Warden)`}, which is not an approved pair`,
    detail: {
      targetAgentId: r.target,
      ...(r.toAgentId ? { toAgentId: r.toAgentId, toAgentName: r.toName ?? r.target } : {}),
      calls: r.calls,
      blocked: r.blocked,
      firstAt: iso(r.firstAt),
      lastAt: iso(r.lastAt),
      approveAt: `/agents/${r.agentId}#agent-links`,
    },
    firstAt: r.firstAt,
    lastAt: r.lastAt,
  }));
}

/** Agents whose last hour is far above their 7-day hourly average; the baseline is only counted for busy agents. */
async function spikeCandidates(now: Date): Promise<Candidate[]> {
  const hourAgo = new Date(now.getTime() - HOUR);
  const baselineFrom = new Date(hourAgo.getTime() - BASELINE_HOURS * HOUR);
  const rows = await db.$queryRaw<{ gatewayId: string; agentId: string; agentName: string; lastHour: number; baseline: number; firstAt: Date; lastAt: Date }[]>`
    with recent as (
      select gateway_id, agent_id, count(*)::int as last_hour, min(occurred_at) as first_at, max(occurred_at) as last_at
        from tool_calls
       where occurred_at > ${hourAgo} and occurred_at <= ${now} and agent_id is not null
       group by gateway_id, agent_id
      having count(*) > ${SPIKE_MIN_CALLS}
    )
    select r.gateway_id::text as "gatewayId", r.agent_id::text as "agentId", a.name as "agentName", r.last_hour as "lastHour",
           r.first_at as "firstAt", r.last_at as "lastAt",
           (select count(*) from tool_calls t
             where t.agent_id = r.agent_id and t.gateway_id = r.gateway_id and t.occurred_at > ${baselineFrom} and t.occurred_at <= ${hourAgo})::int as baseline
      from recent r join agents a on a.id = r.agent_id`;
  const out: Candidate[] = [];
  for (const r of rows) {
    const baselinePerHour = Math.round((r.baseline / BASELINE_HOURS) * 100) / 100;
    if (r.lastHour <= SPIKE_FACTOR * (r.baseline / BASELINE_HOURS)) continue;
    out.push({
      kind: "spike",
      severity: "medium",
      gatewayId: r.gatewayId,
      agentId: r.agentId,
      toolName: null,
      subKey: null,
      title: `${r.agentName} made ${r.lastHour} calls in an hour (usually ${baselinePerHour} per hour)`,
      detail: { lastHour: r.lastHour, baselinePerHour, hourEndingAt: iso(now), firstAt: iso(r.firstAt), lastAt: iso(r.lastAt) },
      firstAt: r.firstAt,
      lastAt: r.lastAt,
    });
  }
  return out;
}

/** When a dismissed finding was dismissed (stored in its detail; its last sighting for older rows). */
function dismissedAtOf(f: { detail: unknown; lastSeenAt: Date }): Date {
  const at = (f.detail as { dismissedAt?: unknown } | null)?.dismissedAt;
  const d = typeof at === "string" ? new Date(at) : null;
  return d && !Number.isNaN(d.getTime()) ? d : f.lastSeenAt;
}

/**
 * Compute findings from the tool calls in [since, now] (spikes: the hour before `now` against
 * the 7 days before it) and upsert them: one open finding per (kind, gateway, agent, tool, and
 * the drifted hash or host). An open finding gets the window's evidence and a later lastSeenAt; a
 * dismissed one stays dismissed unless calls after its dismissal arrive, which open a new finding;
 * one handed to an incident keeps collecting evidence. Counts in a finding describe the last
 * window that had evidence. With `actor`, the run is audited ("findings.compute") in its transaction.
 */
export async function computeFindings(opts: { since: Date; now?: Date; actor?: Actor }): Promise<ComputeResult> {
  const now = opts.now ?? new Date();
  const since = opts.since;
  if (!(since < now)) throw new AppError("invalid", "The window must start before it ends.");

  const found = (await Promise.all([toolCandidates(since, now), egressCandidates(since, now), spikeCandidates(now), modelPolicyCandidates(since, now), agentLinkCandidates(since, now)])).flat();
  // A gateway that was deleted (its calls remain) cannot carry a finding.
  const gatewayIds = [...new Set(found.map((c) => c.gatewayId))];
  const known = new Set((await db.gateway.findMany({ where: { id: { in: gatewayIds } }, select: { id: true } })).map((g) => g.id));
  const candidates = found.filter((c) => known.has(c.gatewayId));

  const counts = Object.fromEntries(COMPUTED_KINDS.map((k) => [k, { created: 0, updated: 0 }])) as ComputeCounts;
  const window = { since: iso(since), until: iso(now) };

  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`select pg_advisory_xact_lock(${FINDINGS_LOCK})`;
      if (candidates.length) await upsertCandidates(tx, candidates, counts);
      if (opts.actor) await recordAudit(tx, opts.actor, { action: "findings.compute", targetType: "findings", after: { window, counts } });
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  return { counts, window };
}

async function upsertCandidates(tx: Tx, candidates: Candidate[], counts: ComputeCounts) {
  const existing = await tx.finding.findMany({
    where: { kind: { in: [...new Set(candidates.map((c) => c.kind))] }, agentId: { in: [...new Set(candidates.map((c) => c.agentId))] } },
    select: { id: true, kind: true, status: true, gatewayId: true, agentId: true, toolName: true, detail: true, firstSeenAt: true, lastSeenAt: true },
    orderBy: { firstSeenAt: "desc" },
  });
  const byKey = new Map<string, typeof existing>();
  for (const f of existing) {
    const k = keyOf(f, subKeyOf(f.kind, f.detail));
    byKey.set(k, [...(byKey.get(k) ?? []), f]);
  }

  const fresh: Prisma.FindingCreateManyInput[] = [];
  for (const c of candidates) {
    const same = byKey.get(keyOf(c, c.subKey)) ?? [];
    const current = same.find((f) => f.status === "open") ?? same.find((f) => f.status === "incident");
    if (current) {
      const newer = c.lastAt > current.lastSeenAt;
      // An incident's finding only takes newer evidence; an open one always shows the latest window.
      if (current.status === "incident" && !newer) continue;
      await tx.finding.update({
        where: { id: current.id },
        data: { severity: c.severity, title: c.title, detail: c.detail, ...(newer ? { lastSeenAt: c.lastAt } : {}) },
      });
      counts[c.kind].updated++;
      continue;
    }
    const dismissed = same.find((f) => f.status === "dismissed");
    let firstAt = c.firstAt;
    if (dismissed) {
      const at = dismissedAtOf(dismissed);
      if (c.lastAt <= at) continue; // nothing new since it was dismissed
      if (firstAt < at) firstAt = at;
    }
    fresh.push({
      kind: c.kind,
      severity: c.severity,
      status: "open",
      gatewayId: c.gatewayId,
      agentId: c.agentId,
      toolName: c.toolName,
      title: c.title,
      detail: c.detail,
      firstSeenAt: firstAt,
      lastSeenAt: c.lastAt,
    });
    counts[c.kind].created++;
  }
  if (fresh.length) await tx.finding.createMany({ data: fresh });
}

/** Dismiss an open finding with a reason; it stays dismissed until calls after this moment recur. */
export async function dismissFinding(actor: Actor, input: z.infer<typeof ZFindingDismiss>) {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(${FINDINGS_LOCK})`;
    const f = await tx.finding.findFirst({ where: { id: input.id, ...findingWhereOf(teamScopeOf(actor)) }, select: { id: true, kind: true, status: true, title: true, detail: true } });
    if (!f) throw new AppError("not_found", "No such finding.");
    if (f.status !== "open") throw new AppError("conflict", f.status === "dismissed" ? "This finding is already dismissed." : "This finding has been opened as an incident.");
    const at = new Date();
    const detail = { ...((f.detail && typeof f.detail === "object" && !Array.isArray(f.detail) ? f.detail : {}) as Record<string, Json>), dismissedAt: iso(at), dismissedBy: actor.label };
    const r = await tx.finding.update({ where: { id: f.id }, data: { status: "dismissed", dismissReason: input.reason, detail }, select: { id: true, status: true, dismissReason: true } });
    await recordAudit(tx, actor, {
      action: "finding.dismiss",
      targetType: "finding",
      targetId: f.id,
      before: { status: "open" },
      after: { status: "dismissed", reason: input.reason, kind: f.kind, title: f.title },
    });
    return { ...r, dismissedAt: at };
  });
}
