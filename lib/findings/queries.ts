import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { agentWhereOf, findingWhereOf, gatewayWhereOf, type TeamScope } from "@/lib/teams/scope";
import type { Prisma } from "@/lib/generated/prisma/client";
import { CSV_MAX_ROWS, parseListQuery, skipTake, sortKey, textContains, type ListResult } from "@/lib/list";
import { toCsv } from "@/lib/csv";
import { FINDING_KINDS, FINDING_STATUSES, SEVERITIES } from "./schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** URL filters of the findings list (beside q, sort, dir, page, pageSize). */
export const FINDING_FILTERS = {
  kind: z.enum(FINDING_KINDS).optional(),
  status: z.enum(FINDING_STATUSES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  gateway: z.uuid().optional(),
  /** An agent id or name. */
  agent: z.string().trim().min(1).max(200).optional(),
  dir: z.enum(["asc", "desc"]).default("desc"),
};

/** Parse the list URL (page or API): invalid values are dropped and reported in `invalid`. */
export function parseFindingQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, FINDING_FILTERS);
}
export type TFindingListQuery = ReturnType<typeof parseFindingQuery>["query"];

export const FINDING_SORTS = ["lastSeenAt", "firstSeenAt", "severity", "kind", "status"] as const;

function whereOf(q: TFindingListQuery): Prisma.FindingWhereInput {
  const and: Prisma.FindingWhereInput[] = [];
  if (q.kind) and.push({ kind: q.kind });
  if (q.status) and.push({ status: q.status });
  if (q.severity) and.push({ severity: q.severity });
  if (q.gateway) and.push({ gatewayId: q.gateway });
  if (q.agent) and.push(UUID.test(q.agent) ? { agentId: q.agent.toLowerCase() } : { agent: { name: q.agent } });
  if (q.q) {
    const contains = textContains(q.q);
    and.push({ OR: [{ title: contains }, { toolName: contains }, { agent: { name: contains } }, { gateway: { name: contains } }] });
  }
  return and.length ? { AND: and } : {};
}

const LIST_SELECT = {
  id: true,
  kind: true,
  severity: true,
  status: true,
  gatewayId: true,
  agentId: true,
  toolName: true,
  title: true,
  detail: true,
  firstSeenAt: true,
  lastSeenAt: true,
  dismissReason: true,
  gateway: { select: { name: true } },
  agent: { select: { name: true } },
  incidents: { orderBy: { openedAt: "desc" }, take: 1, select: { id: true, status: true } },
} as const satisfies Prisma.FindingSelect;
export type FindingRow = Prisma.FindingGetPayload<{ select: typeof LIST_SELECT }>;

/** One page of findings: filters, allowlisted sort (newest sighting first by default). */
export async function listFindings(q: TFindingListQuery, scope: TeamScope = null): Promise<ListResult<FindingRow>> {
  const where = { AND: [whereOf(q), findingWhereOf(scope)] };
  const [rows, total] = await Promise.all([db.finding.findMany({ where, orderBy: orderOf(q), ...skipTake(q), select: LIST_SELECT }), db.finding.count({ where })]);
  return { rows, total, page: q.page, pageSize: q.pageSize };
}

function orderOf(q: TFindingListQuery): Prisma.FindingOrderByWithRelationInput[] {
  const key = sortKey(q.sort, FINDING_SORTS, "lastSeenAt");
  return [{ [key]: q.dir }, { lastSeenAt: "desc" }, { id: "asc" }];
}

const CSV_COLUMNS = ["id", "severity", "kind", "status", "title", "agent", "tool", "gateway", "first_seen_at", "last_seen_at", "dismiss_reason", "incident"].map((k) => ({ key: k, header: k }));

/** The current view (filters and sort, every page up to CSV_MAX_ROWS) as CSV, formula-neutralised. */
export async function exportFindingsCsv(q: TFindingListQuery, scope: TeamScope = null): Promise<{ csv: string; rows: number }> {
  const rows = await db.finding.findMany({ where: { AND: [whereOf(q), findingWhereOf(scope)] }, orderBy: orderOf(q), take: CSV_MAX_ROWS, select: LIST_SELECT });
  const flat = rows.map((r) => ({
    id: r.id,
    severity: r.severity,
    kind: r.kind,
    status: r.status,
    title: r.title,
    agent: r.agent?.name ?? null,
    tool: r.toolName,
    gateway: r.gateway?.name ?? null,
    first_seen_at: r.firstSeenAt,
    last_seen_at: r.lastSeenAt,
    dismiss_reason: r.dismissReason,
    incident: r.incidents[0]?.id ?? null,
  }));
  return { csv: toCsv(CSV_COLUMNS, flat), rows: flat.length };
}

/** Gateways and agents that have findings, for the filter menus. */
export async function findingFilterChoices(scope: TeamScope = null) {
  const [gateways, agents] = await Promise.all([
    db.gateway.findMany({ where: { findings: { some: {} }, ...gatewayWhereOf(scope) }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.agent.findMany({ where: { findings: { some: {} }, ...agentWhereOf(scope) }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  return { gateways, agents };
}
