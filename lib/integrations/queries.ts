import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { CSV_MAX_ROWS, parseListQuery, skipTake, sortKey, textContains, type ListResult } from "@/lib/list";
import { toCsv } from "@/lib/csv";
import { REVIEW_DUE_SOON_DAYS } from "./schema";
import { agentWhereOf, type TeamScope } from "@/lib/teams/scope";

const DAY = 86_400_000;

/** URL filters of the integrations list (beside q, sort, dir, page, pageSize). */
export const INTEGRATION_FILTERS = {
  review: z.enum(["overdue", "due_soon", "later", "unscheduled"]).optional(),
  advisory: z.enum(["flagged", "none"]).optional(),
  verified: z.enum(["yes", "no"]).optional(),
};

/** Parse the list URL (page or API): invalid values are dropped and reported in `invalid`. */
export function parseIntegrationQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, INTEGRATION_FILTERS);
}
export type TIntegrationListQuery = ReturnType<typeof parseIntegrationQuery>["query"];

export const INTEGRATION_SORTS = ["name", "provider", "auditDate", "nextReviewAt", "updatedAt"] as const;

export type ReviewState = "overdue" | "due_soon" | "later" | "unscheduled";

/**
 * The one rule for when an integration's re-review is due: its scheduled next review, or at once
 * when a vendor advisory is open (flagging sets nextReviewAt to the flag time; an open advisory
 * keeps it due even if the schedule says later). Pages, filters, the review queue, the CSV and the
 * overview all read it from here.
 */
export function reviewDueAt(i: { nextReviewAt: Date | null; advisoryFlaggedAt: Date | null }): Date | null {
  if (i.advisoryFlaggedAt && (!i.nextReviewAt || i.advisoryFlaggedAt < i.nextReviewAt)) return i.advisoryFlaggedAt;
  return i.nextReviewAt;
}

/** Where an integration stands against its review schedule at `now` (see reviewDueAt). */
export function reviewStateOf(i: { nextReviewAt: Date | null; advisoryFlaggedAt: Date | null }, now: Date): ReviewState {
  if (i.advisoryFlaggedAt) return "overdue";
  const due = i.nextReviewAt;
  if (!due) return "unscheduled";
  if (due < now) return "overdue";
  if (due.getTime() < now.getTime() + REVIEW_DUE_SOON_DAYS * DAY) return "due_soon";
  return "later";
}

/** The same states as reviewStateOf, as Prisma filters (lists, the review queue, the overview). */
export function reviewStateWhere(now: Date): Record<ReviewState, Prisma.IntegrationWhereInput> {
  const soon = new Date(now.getTime() + REVIEW_DUE_SOON_DAYS * DAY);
  return {
    overdue: { OR: [{ nextReviewAt: { lt: now } }, { advisoryFlaggedAt: { not: null } }] },
    due_soon: { nextReviewAt: { gte: now, lt: soon }, advisoryFlaggedAt: null },
    later: { nextReviewAt: { gte: soon }, advisoryFlaggedAt: null },
    unscheduled: { nextReviewAt: null, advisoryFlaggedAt: null },
  };
}

function whereOf(q: TIntegrationListQuery, now: Date): Prisma.IntegrationWhereInput {
  const review = reviewStateWhere(now);
  const and: Prisma.IntegrationWhereInput[] = [];
  if (q.review) and.push(review[q.review]);
  if (q.advisory) and.push({ advisoryFlaggedAt: q.advisory === "flagged" ? { not: null } : null });
  if (q.verified) and.push({ providerVerified: q.verified === "yes" });
  if (q.q) {
    const contains = textContains(q.q);
    and.push({ OR: [{ name: contains }, { provider: contains }, { reason: contains }, { securityContactName: contains }, { irPartner: contains }, { permissions: { has: q.q } }] });
  }
  return and.length ? { AND: and } : {};
}

function orderOf(q: TIntegrationListQuery): Prisma.IntegrationOrderByWithRelationInput[] {
  const key = sortKey(q.sort, INTEGRATION_SORTS, "name");
  const dir = q.dir;
  const primary: Prisma.IntegrationOrderByWithRelationInput = key === "auditDate" || key === "nextReviewAt" ? { [key]: { sort: dir, nulls: "last" } } : { [key]: dir };
  return key === "name" ? [primary, { id: "asc" }] : [primary, { name: "asc" }, { id: "asc" }];
}

const LIST_SELECT = {
  id: true,
  name: true,
  provider: true,
  providerVerified: true,
  reason: true,
  permissions: true,
  auditDate: true,
  auditResult: true,
  dependencyStatus: true,
  securityContactName: true,
  securityContactEmail: true,
  securityContactPhone: true,
  disclosureProcess: true,
  irPartner: true,
  degradation: true,
  nextReviewAt: true,
  advisoryFlaggedAt: true,
  advisoryNote: true,
  updatedAt: true,
  agents: { select: { agent: { select: { id: true, name: true } } }, orderBy: { agent: { name: "asc" } } },
} as const satisfies Prisma.IntegrationSelect;

type ListRaw = Prisma.IntegrationGetPayload<{ select: typeof LIST_SELECT }>;
const shapeRow =
  (now: Date) =>
  ({ agents, ...r }: ListRaw) => ({ ...r, agents: agents.map((a) => a.agent), reviewDueAt: reviewDueAt(r), reviewState: reviewStateOf(r, now) });
export type IntegrationRow = ReturnType<ReturnType<typeof shapeRow>>;

/** One page of the integrations registry: search, allowlisted sort, filters. */
export async function listIntegrations(q: TIntegrationListQuery, now = new Date()): Promise<ListResult<IntegrationRow>> {
  const where = whereOf(q, now);
  const [rows, total] = await Promise.all([db.integration.findMany({ where, orderBy: orderOf(q), ...skipTake(q), select: LIST_SELECT }), db.integration.count({ where })]);
  return { rows: rows.map(shapeRow(now)), total, page: q.page, pageSize: q.pageSize };
}

const CSV_COLUMNS = [
  { key: "name", header: "name" },
  { key: "provider", header: "provider" },
  { key: "providerVerified", header: "provider_verified" },
  { key: "reason", header: "reason" },
  { key: "permissions", header: "permissions" },
  { key: "auditDate", header: "audit_date" },
  { key: "auditResult", header: "audit_result" },
  { key: "dependencyStatus", header: "dependency_status" },
  { key: "securityContactName", header: "security_contact_name" },
  { key: "securityContactEmail", header: "security_contact_email" },
  { key: "securityContactPhone", header: "security_contact_phone" },
  { key: "disclosureProcess", header: "disclosure_process" },
  { key: "irPartner", header: "ir_partner" },
  { key: "degradation", header: "degradation" },
  { key: "nextReviewAt", header: "next_review_at" },
  { key: "reviewState", header: "review_state" },
  { key: "advisoryFlaggedAt", header: "advisory_flagged_at" },
  { key: "advisoryNote", header: "advisory_note" },
  { key: "agents", header: "agents" },
];

/** The current view (filters and sort, every page up to CSV_MAX_ROWS) as CSV, formula-neutralised. */
export async function exportIntegrationsCsv(q: TIntegrationListQuery, now = new Date()): Promise<{ csv: string; rows: number }> {
  const rows = await db.integration.findMany({ where: whereOf(q, now), orderBy: orderOf(q), take: CSV_MAX_ROWS, select: LIST_SELECT });
  const flat = rows.map(shapeRow(now)).map((r) => ({ ...r, auditDate: r.auditDate?.toISOString().slice(0, 10) ?? null, agents: r.agents.map((a) => a.name) }));
  return { csv: toCsv(CSV_COLUMNS, flat), rows: flat.length };
}

/** One integration with its linked agents and its trust-decision history (newest first); null when missing. */
export async function getIntegration(id: string, now = new Date()) {
  if (!z.uuid().safeParse(id).success) return null;
  const row = await db.integration.findUnique({
    where: { id },
    select: {
      ...LIST_SELECT,
      createdAt: true,
      decisions: {
        orderBy: { decidedAt: "desc" },
        select: { id: true, outcome: true, reason: true, decidedAt: true, reReviewAt: true, revokedAt: true, revokeReason: true, decider: { select: { name: true, email: true } } },
      },
    },
  });
  if (!row) return null;
  const { decisions, createdAt, ...rest } = row;
  return { ...shapeRow(now)(rest), createdAt, decisions };
}
export type IntegrationDetail = NonNullable<Awaited<ReturnType<typeof getIntegration>>>;

/** The review queue at `now`: overdue (next review passed, or an open advisory) and due within 30 days, soonest first. */
export async function listReviewQueue(now = new Date(), limit = 100) {
  const select = { id: true, name: true, provider: true, nextReviewAt: true, advisoryFlaggedAt: true, auditDate: true } as const;
  const { overdue: overdueWhere, due_soon: dueSoonWhere } = reviewStateWhere(now);
  const orderBy = [{ nextReviewAt: { sort: "asc" as const, nulls: "first" as const } }, { name: "asc" as const }];
  const [overdue, dueSoon, overdueTotal, dueSoonTotal] = await Promise.all([
    db.integration.findMany({ where: overdueWhere, orderBy, take: limit, select }),
    db.integration.findMany({ where: dueSoonWhere, orderBy, take: limit, select }),
    db.integration.count({ where: overdueWhere }),
    db.integration.count({ where: dueSoonWhere }),
  ]);
  const due = <T extends { nextReviewAt: Date | null; advisoryFlaggedAt: Date | null }>(r: T) => ({ ...r, nextReviewAt: reviewDueAt(r) });
  return { overdue: overdue.map(due), dueSoon: dueSoon.map(due), overdueTotal, dueSoonTotal };
}

/** Agents to choose from when linking (id and name only). */
/** Agents to choose from (a team-scoped user: their team's). */
export function listAgentChoices(scope: TeamScope = null) {
  return db.agent.findMany({ where: agentWhereOf(scope), orderBy: { name: "asc" }, select: { id: true, name: true } });
}
