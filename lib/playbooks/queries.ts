import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { CSV_MAX_ROWS, parseListQuery, skipTake, sortKey, textContains, type ListResult } from "@/lib/list";
import { toCsv } from "@/lib/csv";
import { DRILL_DUE_DAYS, PLAYBOOK_PHASES, PLAYBOOK_TRIGGERS, ZContact, ZStepAction, type PlaybookTriggerName, type TContact, type TStepAction } from "./schema";
import type { DrillStepRecord } from "./drill";
import type { RefNames } from "./format";

const DAY = 86_400_000;

/** Drill state of a playbook: never drilled, last drill older than 90 days, or drilled recently. */
export const DRILL_STATES = ["never", "overdue", "ok"] as const;
export type DrillState = (typeof DRILL_STATES)[number];

/** URL filters of the playbook list (beside q, sort, dir, page, pageSize). `drill=due` = never or overdue. */
export const PLAYBOOK_FILTERS = {
  trigger: z.enum(PLAYBOOK_TRIGGERS).optional(),
  drill: z.enum(["due", ...DRILL_STATES]).optional(),
};

/** Parse the list URL (page or API): invalid values are dropped and reported in `invalid`. */
export function parsePlaybookQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, PLAYBOOK_FILTERS);
}
export type TPlaybookListQuery = ReturnType<typeof parsePlaybookQuery>["query"];

export const PLAYBOOK_SORTS = ["name", "trigger", "updatedAt", "createdAt"] as const;

/** The cutoff before which a drill no longer counts as recent. */
export function drillCutoff(now: Date) {
  return new Date(now.getTime() - DRILL_DUE_DAYS * DAY);
}

export function drillStateOf(lastDrillAt: Date | null | undefined, now = new Date()): DrillState {
  if (!lastDrillAt) return "never";
  return lastDrillAt < drillCutoff(now) ? "overdue" : "ok";
}

function drillWhere(state: "due" | DrillState, now: Date): Prisma.PlaybookWhereInput {
  const recent = { startedAt: { gte: drillCutoff(now) } };
  switch (state) {
    case "never":
      return { drills: { none: {} } };
    case "overdue":
      return { AND: [{ drills: { some: {} } }, { drills: { none: recent } }] };
    case "due":
      return { drills: { none: recent } };
    case "ok":
      return { drills: { some: recent } };
  }
}

function whereOf(q: TPlaybookListQuery, now: Date): Prisma.PlaybookWhereInput {
  const and: Prisma.PlaybookWhereInput[] = [];
  if (q.trigger) and.push({ trigger: q.trigger });
  if (q.drill) and.push(drillWhere(q.drill, now));
  if (q.q) {
    const contains = textContains(q.q);
    and.push({ OR: [{ name: contains }, { description: contains }, { steps: { some: { title: contains } } }] });
  }
  return and.length ? { AND: and } : {};
}

const LIST_SELECT = {
  id: true,
  name: true,
  description: true,
  trigger: true,
  triggerConfig: true,
  updatedAt: true,
  _count: { select: { steps: true, drills: true } },
  drills: { orderBy: { startedAt: "desc" }, take: 1, select: { id: true, startedAt: true, finishedAt: true, timeToContainMs: true } },
} as const satisfies Prisma.PlaybookSelect;

function shapeListRow(p: Prisma.PlaybookGetPayload<{ select: typeof LIST_SELECT }>, now: Date) {
  const { drills, _count, ...rest } = p;
  const lastDrill = drills[0] ?? null;
  return { ...rest, stepsCount: _count.steps, drillsCount: _count.drills, lastDrill, drillState: drillStateOf(lastDrill?.startedAt, now) };
}
export type PlaybookRow = ReturnType<typeof shapeListRow>;

/** One page of playbooks with their last drill and drill state; filters by trigger and drill state. */
export async function listPlaybooks(q: TPlaybookListQuery, now = new Date()): Promise<ListResult<PlaybookRow>> {
  const where = whereOf(q, now);
  const [rows, total] = await Promise.all([db.playbook.findMany({ where, orderBy: orderOf(q), ...skipTake(q), select: LIST_SELECT }), db.playbook.count({ where })]);
  return { rows: rows.map((r) => shapeListRow(r, now)), total, page: q.page, pageSize: q.pageSize };
}

function orderOf(q: TPlaybookListQuery): Prisma.PlaybookOrderByWithRelationInput[] {
  const key = sortKey(q.sort, PLAYBOOK_SORTS, "name");
  return [{ [key]: q.dir }, { name: "asc" }, { id: "asc" }];
}

const CSV_COLUMNS = ["id", "name", "trigger", "steps", "drills", "drill_state", "last_drill_at", "time_to_contain_ms", "updated_at"].map((k) => ({ key: k, header: k }));

/** The current view (filters and sort, every page up to CSV_MAX_ROWS) as CSV, formula-neutralised. */
export async function exportPlaybooksCsv(q: TPlaybookListQuery, now = new Date()): Promise<{ csv: string; rows: number }> {
  const rows = await db.playbook.findMany({ where: whereOf(q, now), orderBy: orderOf(q), take: CSV_MAX_ROWS, select: LIST_SELECT });
  const flat = rows
    .map((r) => shapeListRow(r, now))
    .map((p) => ({
      id: p.id,
      name: p.name,
      trigger: p.trigger,
      steps: p.stepsCount,
      drills: p.drillsCount,
      drill_state: p.drillState,
      last_drill_at: p.lastDrill?.startedAt ?? null,
      time_to_contain_ms: p.lastDrill?.timeToContainMs ?? null,
      updated_at: p.updatedAt,
    }));
  return { csv: toCsv(CSV_COLUMNS, flat), rows: flat.length };
}

/** How many playbooks need a drill: never drilled, and last drilled more than 90 days ago. */
export async function countPlaybooksNeedingDrill(now = new Date()) {
  const [never, overdue] = await Promise.all([db.playbook.count({ where: drillWhere("never", now) }), db.playbook.count({ where: drillWhere("overdue", now) })]);
  return { never, overdue, total: never + overdue };
}

/** Contacts as stored; malformed entries (hand-edited rows) are dropped rather than shown wrong. */
export function contactsOf(raw: unknown): TContact[] {
  return Array.isArray(raw)
    ? raw.flatMap((c) => {
        const r = ZContact.safeParse(c);
        return r.success ? [r.data] : [];
      })
    : [];
}

/** A step's automated action, or null when none (or not understood). */
export function stepActionOf(raw: unknown): TStepAction | null {
  if (raw === null || raw === undefined) return null;
  const r = ZStepAction.safeParse(raw);
  return r.success ? r.data : null;
}

const phaseIndex = (p: string) => PLAYBOOK_PHASES.indexOf(p as (typeof PLAYBOOK_PHASES)[number]);

/** Steps in run order: by phase, then by position. */
export function sortSteps<S extends { phase: string; position: number }>(steps: S[]): S[] {
  return [...steps].sort((a, b) => phaseIndex(a.phase) - phaseIndex(b.phase) || a.position - b.position);
}

const DRILL_SELECT = {
  id: true,
  startedAt: true,
  finishedAt: true,
  timeToContainMs: true,
  stepResults: true,
  runBy: { select: { id: true, name: true, email: true } },
} as const satisfies Prisma.DrillSelect;

function shapeDrill(d: Prisma.DrillGetPayload<{ select: typeof DRILL_SELECT }>) {
  const results = (Array.isArray(d.stepResults) ? d.stepResults : []) as unknown as DrillStepRecord[];
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  return { ...d, stepResults: results, outcomes: { done: count("done"), skipped: count("skipped"), failed: count("failed") } };
}
export type DrillRow = ReturnType<typeof shapeDrill>;

/** One playbook with its steps in run order, contacts, last drills and the incidents it opened. */
export async function getPlaybook(id: string, now = new Date()) {
  if (!z.uuid().safeParse(id).success) return null;
  const p = await db.playbook.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      description: true,
      trigger: true,
      triggerConfig: true,
      contacts: true,
      breakGlass: true,
      createdAt: true,
      updatedAt: true,
      steps: { orderBy: { position: "asc" }, select: { id: true, phase: true, position: true, title: true, detail: true, action: true } },
      drills: { orderBy: { startedAt: "desc" }, take: 20, select: DRILL_SELECT },
      incidents: { orderBy: { openedAt: "desc" }, take: 10, select: { id: true, title: true, severity: true, status: true, openedAt: true } },
      _count: { select: { drills: true, incidents: true } },
    },
  });
  if (!p) return null;
  const names = await refNames([p.triggerConfig]);
  const drills = p.drills.map(shapeDrill);
  return {
    ...p,
    contacts: contactsOf(p.contacts),
    steps: sortSteps(p.steps).map((s) => ({ ...s, action: stepActionOf(s.action), rawAction: s.action })),
    drills,
    lastDrill: drills[0] ?? null,
    drillState: drillStateOf(drills[0]?.startedAt, now),
    names,
  };
}
export type PlaybookDetail = NonNullable<Awaited<ReturnType<typeof getPlaybook>>>;

/** Names of the integrations and agents trigger configurations refer to by id. */
export async function refNames(configs: unknown[]): Promise<RefNames> {
  const ids = (k: string) =>
    [...new Set(configs.flatMap((c) => (c && typeof c === "object" && typeof (c as Record<string, unknown>)[k] === "string" ? [(c as Record<string, string>)[k]] : [])))].filter(
      (s) => z.uuid().safeParse(s).success,
    );
  const [integrations, agents] = await Promise.all([
    ids("integrationId").length ? db.integration.findMany({ where: { id: { in: ids("integrationId") } }, select: { id: true, name: true } }) : [],
    ids("agentId").length ? db.agent.findMany({ where: { id: { in: ids("agentId") } }, select: { id: true, name: true } }) : [],
  ]);
  return { integrations: Object.fromEntries(integrations.map((i) => [i.id, i.name])), agents: Object.fromEntries(agents.map((a) => [a.id, a.name])) };
}

/** Does a playbook with this id exist? (false for a malformed id) */
export async function playbookExists(id: string): Promise<boolean> {
  if (!z.uuid().safeParse(id).success) return false;
  return Boolean(await db.playbook.findUnique({ where: { id }, select: { id: true } }));
}

/** A playbook's drill history, newest first (paged). */
export async function listDrills(playbookId: string, page = { page: 1, pageSize: 25 }): Promise<ListResult<DrillRow>> {
  const where = { playbookId };
  const [rows, total] = await Promise.all([
    db.drill.findMany({ where, orderBy: { startedAt: "desc" }, skip: (page.page - 1) * page.pageSize, take: page.pageSize, select: DRILL_SELECT }),
    db.drill.count({ where }),
  ]);
  return { rows: rows.map(shapeDrill), total, page: page.page, pageSize: page.pageSize };
}

/** What the playbook form offers in its menus: integrations, agents and tool names. */
export async function playbookFormChoices() {
  const [integrations, agents, tools] = await Promise.all([
    db.integration.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.tool.findMany({ orderBy: { name: "asc" }, select: { name: true } }),
  ]);
  return { integrations, agents, tools: tools.map((t) => t.name) };
}
export type PlaybookFormChoices = Awaited<ReturnType<typeof playbookFormChoices>>;

/** The triggers that fire on their own (manual playbooks only run by hand). */
export const AUTOMATIC_TRIGGERS: PlaybookTriggerName[] = ["vendor_advisory", "spend_threshold", "unapproved_burst", "hash_drift"];
