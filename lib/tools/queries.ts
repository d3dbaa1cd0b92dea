import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { CSV_MAX_ROWS, parseListQuery, skipTake, sortKey, textContains } from "@/lib/list";
import { TOOL_KINDS, TOOL_SOURCES } from "./schema";
import { diffToolVersions, type VersionDiff } from "./diff";
import { agentWhereOf, type TeamScope } from "@/lib/teams/scope";

export const TOOL_FILTERS = {
  kind: z.enum(TOOL_KINDS).optional(),
  source: z.enum(TOOL_SOURCES).optional(),
  review: z.enum(["pending", "overdue", "advisory"]).optional(),
};
const SORTS = ["name", "kind", "source", "publisher", "updatedAt"] as const;

export function parseToolQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, TOOL_FILTERS);
}
type Q = ReturnType<typeof parseToolQuery>["query"];

export type ReviewState = "pending review" | "approved" | "approved with conditions" | "re-review overdue" | "rejected" | "revoked" | "not reviewed";

/** The state a tool's newest version is in, for lists and the map. */
export function reviewStateOf(v: { decisions: { outcome: string; revokedAt: Date | null; reReviewAt: Date | null }[]; requests: { id: string }[] } | undefined, now: Date): ReviewState {
  if (!v) return "not reviewed";
  if (v.requests.length) return "pending review";
  const d = v.decisions[0];
  if (!d) return "not reviewed";
  if (d.revokedAt) return "revoked";
  if (d.outcome === "reject") return "rejected";
  if (d.reReviewAt && d.reReviewAt < now) return "re-review overdue";
  return d.outcome === "approve" ? "approved" : "approved with conditions";
}

export async function listToolsPage(q: Q, opts: { all?: boolean; now?: Date } = {}) {
  const now = opts.now ?? new Date();
  const where: Prisma.ToolWhereInput = {
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(q.review === "pending" ? { versions: { some: { requests: { some: { status: "pending" } } } } } : {}),
    ...(q.review === "overdue" ? { versions: { some: { decisions: { some: { revokedAt: null, outcome: { not: "reject" }, reReviewAt: { lt: now } } } } } } : {}),
    ...(q.review === "advisory" ? { advisoryFlaggedAt: { not: null } } : {}),
    ...(q.q ? { OR: [{ name: textContains(q.q) }, { publisher: textContains(q.q) }, { description: textContains(q.q) }] } : {}),
  };
  const sort = sortKey(q.sort, SORTS, "name");
  const [rows, total] = await Promise.all([
    db.tool.findMany({
      where,
      orderBy: [{ [sort]: q.dir }, { name: "asc" }, { id: "asc" }] as Prisma.ToolOrderByWithRelationInput[],
      ...(opts.all ? { skip: 0, take: CSV_MAX_ROWS } : skipTake(q)),
      select: {
        id: true,
        name: true,
        kind: true,
        source: true,
        publisher: true,
        publisherVerified: true,
        advisoryFlaggedAt: true,
        versions: {
          orderBy: { createdAt: "desc" },
          take: 1,
          select: {
            version: true,
            contentHash: true,
            decisions: { orderBy: { decidedAt: "desc" }, take: 1, select: { outcome: true, revokedAt: true, reReviewAt: true } },
            requests: { where: { status: "pending" }, select: { id: true } },
          },
        },
      },
    }),
    db.tool.count({ where }),
  ]);
  return { total, page: q.page, pageSize: q.pageSize, rows: rows.map((t) => ({ ...t, latest: t.versions[0] ?? null, state: reviewStateOf(t.versions[0], now) })) };
}

/** A tool with every version and the full decision history (kept forever). */
export function getTool(id: string) {
  return db.tool.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      kind: true,
      source: true,
      publisher: true,
      publisherVerified: true,
      description: true,
      advisoryFlaggedAt: true,
      advisoryNote: true,
      createdAt: true,
      bundles: { select: { bundle: { select: { id: true, name: true } } } },
      grants: { where: { revokedAt: null }, select: { id: true, kind: true, expiresAt: true, agent: { select: { id: true, name: true } } } },
      versions: {
        orderBy: { createdAt: "desc" },
        select: {
          id: true,
          version: true,
          contentHash: true,
          permissions: true,
          dependencies: true,
          dependencyAudit: true,
          vulnerabilities: true,
          createdAt: true,
          requests: { orderBy: { createdAt: "desc" }, select: { id: true, status: true, createdAt: true, justification: true, requester: { select: { email: true } } } },
          decisions: {
            orderBy: { decidedAt: "desc" },
            select: {
              id: true,
              outcome: true,
              reason: true,
              checklist: true,
              conditions: true,
              decidedAt: true,
              reReviewAt: true,
              revokedAt: true,
              revokeReason: true,
              decider: { select: { email: true } },
              revokedBy: { select: { email: true } },
            },
          },
        },
      },
    },
  });
}

/** Whether a team-scoped reader may see a request: every agent it names is the team's. */
async function requestInScope(agentIds: string[], scope: TeamScope): Promise<boolean> {
  if (!scope) return true;
  if (!agentIds.length) return false;
  return (await db.agent.count({ where: { id: { in: agentIds }, ...agentWhereOf(scope) } })) === new Set(agentIds).size;
}

/** Requests awaiting a decision, oldest first (a team-scoped reader: requests for the team's agents only). */
export async function listPendingRequests(scope: TeamScope = null) {
  const rows = await db.toolRequest.findMany({
    where: { status: "pending" },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      createdAt: true,
      justification: true,
      requestedPermissions: true,
      requester: { select: { email: true } },
      toolVersion: { select: { version: true, tool: { select: { id: true, name: true, kind: true } } } },
      agentIds: true,
    },
  });
  if (!scope) return rows;
  const mine = new Set((await db.agent.findMany({ where: agentWhereOf(scope), select: { id: true } })).map((a) => a.id));
  return rows.filter((r) => r.agentIds.length > 0 && r.agentIds.every((a) => mine.has(a)));
}

export async function getRequest(id: string, scope: TeamScope = null) {
  const r = await db.toolRequest.findUnique({
    where: { id },
    select: {
      id: true,
      status: true,
      createdAt: true,
      justification: true,
      requestedPermissions: true,
      agentIds: true,
      bundleIds: true,
      requesterId: true,
      requester: { select: { email: true, name: true } },
      toolVersion: {
        select: {
          id: true,
          version: true,
          contentHash: true,
          publisher: true,
          dependencies: true,
          dependencyAudit: true,
          vulnerabilities: true,
          tool: { select: { id: true, name: true, kind: true, source: true, publisher: true, publisherVerified: true } },
        },
      },
      decisions: {
        select: {
          id: true,
          outcome: true,
          reason: true,
          checklist: true,
          conditions: true,
          decidedAt: true,
          reReviewAt: true,
          revokedAt: true,
          revokeReason: true,
          decider: { select: { email: true } },
        },
      },
    },
  });
  if (!r || !(await requestInScope(r.agentIds, scope))) return null;
  const [agents, bundles] = await Promise.all([
    db.agent.findMany({ where: { id: { in: r.agentIds } }, select: { id: true, name: true } }),
    db.capabilityBundle.findMany({ where: { id: { in: r.bundleIds } }, select: { id: true, name: true } }),
  ]);
  return { ...r, agents, bundles };
}

type RequestForDiff = NonNullable<Awaited<ReturnType<typeof getRequest>>>;

/**
 * The review diff of a request: its version against the last approved, unrevoked version of the
 * same tool. For a decided request, the last approval before its own decision.
 */
export async function getRequestDiff(r: RequestForDiff): Promise<VersionDiff> {
  const own = r.decisions[0]?.decidedAt;
  const last = await db.trustDecision.findFirst({
    where: {
      toolVersion: { toolId: r.toolVersion.tool.id },
      outcome: { in: ["approve", "approve_with_conditions"] },
      revokedAt: null,
      OR: [{ requestId: null }, { requestId: { not: r.id } }],
      ...(own ? { decidedAt: { lt: own } } : {}),
    },
    orderBy: { decidedAt: "desc" },
    select: {
      outcome: true,
      decidedAt: true,
      conditions: true,
      decider: { select: { email: true } },
      request: { select: { requestedPermissions: true } },
      toolVersion: { select: { version: true, contentHash: true, publisher: true, permissions: true } },
    },
  });
  const t = r.toolVersion.tool;
  const requested = {
    version: r.toolVersion.version,
    contentHash: r.toolVersion.contentHash,
    publisher: r.toolVersion.publisher ?? t.publisher,
    source: t.source,
    permissions: r.requestedPermissions,
  };
  if (!last?.toolVersion || last.outcome === "reject") return diffToolVersions(requested, null);
  const v = last.toolVersion;
  return diffToolVersions(requested, {
    version: v.version,
    contentHash: v.contentHash,
    publisher: v.publisher ?? t.publisher,
    source: t.source,
    // What the approver saw: the permissions of the request they approved (the version's as filed otherwise).
    permissions: last.request?.requestedPermissions ?? v.permissions,
    outcome: last.outcome,
    decidedAt: last.decidedAt,
    decider: last.decider.email,
    conditions: last.conditions,
  });
}

export function toolOptions() {
  return db.tool.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}
