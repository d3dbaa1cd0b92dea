import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseListQuery, skipTake, sortKey, type ListResult } from "@/lib/list";
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
    const contains = { contains: q.q, mode: "insensitive" as const };
    and.push({ OR: [{ title: contains }, { toolName: contains }, { agent: { name: contains } }, { gateway: { name: contains } }] });
  }
  return and.length ? { AND: and } : {};
}

const LIST_SELECT = {
  id: true, kind: true, severity: true, status: true, gatewayId: true, agentId: true, toolName: true, title: true, detail: true,
  firstSeenAt: true, lastSeenAt: true, dismissReason: true,
  gateway: { select: { name: true } },
  agent: { select: { name: true } },
  incidents: { orderBy: { openedAt: "desc" }, take: 1, select: { id: true, status: true } },
} as const satisfies Prisma.FindingSelect;
export type FindingRow = Prisma.FindingGetPayload<{ select: typeof LIST_SELECT }>;

/** One page of findings: filters, allowlisted sort (newest sighting first by default). */
export async function listFindings(q: TFindingListQuery): Promise<ListResult<FindingRow>> {
  const where = whereOf(q);
  const key = sortKey(q.sort, FINDING_SORTS, "lastSeenAt");
  const orderBy: Prisma.FindingOrderByWithRelationInput[] = [{ [key]: q.dir }, { lastSeenAt: "desc" }, { id: "asc" }];
  const [rows, total] = await Promise.all([db.finding.findMany({ where, orderBy, ...skipTake(q), select: LIST_SELECT }), db.finding.count({ where })]);
  return { rows, total, page: q.page, pageSize: q.pageSize };
}

/** Gateways and agents that have findings, for the filter menus. */
export async function findingFilterChoices() {
  const [gateways, agents] = await Promise.all([
    db.gateway.findMany({ where: { findings: { some: {} } }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.agent.findMany({ where: { findings: { some: {} } }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  return { gateways, agents };
}
