import "server-only";
import { db } from "@/lib/db";
import type { ToolKind } from "@/lib/generated/prisma/enums";
import { gatewayConditionsOf, type GatewayConditions } from "@/lib/tools/conditions";

export type AllowSource =
  | { type: "bundle"; bundleId: string; bundleName: string }
  | { type: "grant"; grantId: string; reason: string; expiresAt: Date | null }
  | { type: "exception"; grantId: string; reason: string; expiresAt: Date };

export type PinnedVersion = {
  version: string;
  contentHash: string;
  decisionId: string;
  outcome: "approve" | "approve_with_conditions";
  conditions: unknown;
  decidedAt: Date;
  reReviewAt: Date | null;
  overdue: boolean;
};

export type AllowlistEntry = {
  toolId: string;
  toolName: string;
  kind: ToolKind;
  status: "allowed" | "denied";
  /** Why, in words a reviewer and an auditor both understand. */
  reason: string;
  via: AllowSource[];
  /** Approved versions, pinned to their content hash. Empty for exception-only allowances. */
  versions: PinnedVersion[];
  exception: { grantId: string; reason: string; expiresAt: Date } | null;
  /** When every source of the allowance is time-bound: the allowance ends then (the gateway enforces it by its clock). */
  until: Date | null;
  /** The conditions the gateway enforces: those of the newest approval when it narrowed them (null: none). */
  conditions: GatewayConditions | null;
  /** The version whose approval set `conditions`. */
  conditionsFrom: string | null;
  advisory: boolean;
};

export type AgentAllowlist = { agentId: string; agentName: string; agentStatus: string; computedAt: Date; entries: AllowlistEntry[] };

/**
 * The effective allowlist: bundles + direct grants + time-boxed exceptions, minus revoked and
 * expired ones, and only the tool versions whose latest trust decision approves them. Computed
 * in this one place and nowhere else; status changes with time (an exception ends, a re-review
 * falls due) without anyone acting, because everything is evaluated against `now`.
 */
export async function effectiveAllowlists(agentIds?: string[], now = new Date()): Promise<Map<string, AgentAllowlist>> {
  const agents = await db.agent.findMany({
    where: agentIds ? { id: { in: agentIds } } : {},
    select: {
      id: true,
      name: true,
      status: true,
      bundles: { select: { bundle: { select: { id: true, name: true, tools: { select: { toolId: true } } } } } },
      grants: {
        where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        select: { id: true, toolId: true, kind: true, reason: true, expiresAt: true },
      },
    },
  });
  const toolIds = new Set<string>();
  for (const a of agents) {
    for (const b of a.bundles) for (const t of b.bundle.tools) toolIds.add(t.toolId);
    for (const g of a.grants) toolIds.add(g.toolId);
  }
  const tools = await db.tool.findMany({
    where: { id: { in: [...toolIds] } },
    select: {
      id: true,
      name: true,
      kind: true,
      advisoryFlaggedAt: true,
      versions: {
        select: {
          version: true,
          contentHash: true,
          decisions: { orderBy: { decidedAt: "desc" }, take: 1, select: { id: true, outcome: true, conditions: true, decidedAt: true, reReviewAt: true, revokedAt: true } },
        },
      },
    },
  });
  const toolById = new Map(tools.map((t) => [t.id, t]));

  const out = new Map<string, AgentAllowlist>();
  for (const a of agents) {
    const via = new Map<string, AllowSource[]>();
    const add = (toolId: string, s: AllowSource) => via.set(toolId, [...(via.get(toolId) ?? []), s]);
    for (const b of a.bundles) for (const t of b.bundle.tools) add(t.toolId, { type: "bundle", bundleId: b.bundle.id, bundleName: b.bundle.name });
    for (const g of a.grants) {
      if (g.kind === "exception" && g.expiresAt) add(g.toolId, { type: "exception", grantId: g.id, reason: g.reason, expiresAt: g.expiresAt });
      else if (g.kind === "grant") add(g.toolId, { type: "grant", grantId: g.id, reason: g.reason, expiresAt: g.expiresAt });
    }
    const entries: AllowlistEntry[] = [];
    for (const [toolId, sources] of via) {
      const tool = toolById.get(toolId);
      if (!tool) continue;
      const versions: PinnedVersion[] = [];
      let lastNegative: string | null = null;
      for (const v of tool.versions) {
        const d = v.decisions[0];
        if (!d) continue;
        if (d.revokedAt) lastNegative = `approval of ${v.version} revoked`;
        else if (d.outcome === "reject") lastNegative = `${v.version} rejected`;
        else
          versions.push({
            version: v.version,
            contentHash: v.contentHash,
            decisionId: d.id,
            outcome: d.outcome,
            conditions: d.conditions,
            decidedAt: d.decidedAt,
            reReviewAt: d.reReviewAt,
            overdue: Boolean(d.reReviewAt && d.reReviewAt < now),
          });
      }
      // Of several exceptions, the one that ends last.
      const ex = sources.filter((s): s is Extract<AllowSource, { type: "exception" }> => s.type === "exception").sort((x, y) => y.expiresAt.getTime() - x.expiresAt.getTime())[0];
      const exception = ex ? { grantId: ex.grantId, reason: ex.reason, expiresAt: ex.expiresAt } : null;
      versions.sort((x, y) => y.decidedAt.getTime() - x.decidedAt.getTime());
      // Every source time-bound (an exception, a grant with an end) → the allowance ends with the last of them.
      const ends = sources.map((s) => (s.type === "bundle" ? null : s.expiresAt));
      let until = ends.length && ends.every((e): e is Date => e instanceof Date) ? new Date(Math.max(...ends.map((e) => e.getTime()))) : null;
      // The gateway cannot tell versions apart on most calls, so the newest approval's conditions apply
      // to every call of the tool (an older, unconditioned approval does not lift them).
      const newest = versions[0];
      const conditions = newest?.outcome === "approve_with_conditions" ? gatewayConditionsOf(newest.conditions) : null;
      let status: AllowlistEntry["status"] = "denied";
      let reason: string;
      if (a.status !== "active") reason = `agent is ${a.status}: every tool is denied`;
      else if (versions.length) {
        status = "allowed";
        const names = sources.map((s) =>
          s.type === "bundle" ? `bundle "${s.bundleName}"` : s.type === "grant" ? (s.expiresAt ? `direct grant until ${s.expiresAt.toISOString()}` : "direct grant") : "exception",
        );
        const overdue = versions.filter((v) => v.overdue).map((v) => v.version);
        reason = `approved ${versions.map((v) => v.version).join(", ")} via ${[...new Set(names)].join(" and ")}`;
        if (overdue.length) reason += ` (re-review overdue: ${overdue.join(", ")})`;
        if (conditions) reason += `; with the conditions of ${newest.version} on every call`;
        if (until) reason += `; until ${until.toISOString()}`;
      } else if (exception) {
        status = "allowed";
        until = exception.expiresAt; // only exceptions allow a tool with no approved version
        reason = `time-boxed exception until ${exception.expiresAt.toISOString()}: ${exception.reason}`;
      } else reason = lastNegative ?? "no approved version: file a tool request";
      entries.push({
        toolId,
        toolName: tool.name,
        kind: tool.kind,
        status,
        reason,
        via: sources,
        versions,
        exception,
        until: status === "allowed" ? until : null,
        conditions: status === "allowed" ? conditions : null,
        conditionsFrom: status === "allowed" && conditions ? newest.version : null,
        advisory: Boolean(tool.advisoryFlaggedAt),
      });
    }
    entries.sort((x, y) => (x.status === y.status ? x.toolName.localeCompare(y.toolName) : x.status === "allowed" ? -1 : 1));
    out.set(a.id, { agentId: a.id, agentName: a.name, agentStatus: a.status, computedAt: now, entries });
  }
  return out;
}

/** One agent's effective allowlist, or null when the agent does not exist. */
export async function effectiveAllowlist(agentId: string, now = new Date()): Promise<AgentAllowlist | null> {
  return (await effectiveAllowlists([agentId], now)).get(agentId) ?? null;
}

/** Is this exact tool version + hash allowed for the agent right now? (Gateways enforce this.) */
export function covers(list: AgentAllowlist, toolName: string, version: string | null, contentHash: string | null): boolean {
  const e = list.entries.find((x) => x.toolName === toolName && x.status === "allowed");
  if (!e) return false;
  if (e.exception && e.versions.length === 0) return true;
  return e.versions.some((v) => (contentHash ? v.contentHash === contentHash : true) && (version ? v.version === version : true)) || Boolean(e.exception);
}
