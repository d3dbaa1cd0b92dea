import "server-only";
import { db, isUniqueViolation, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { missingOrDeleted } from "@/lib/audit/deleted";
import { checkDrillTimeline, timeToContainMs, type DrillStepRecord } from "./drill";
import { contactsOf, sortSteps } from "./queries";
import { orderSteps, parseTriggerConfig, type PlaybookPhaseName, type PlaybookTriggerName, type TDrillRun, type TPlaybookCreate, type TPlaybookUpdate, type TStep, type TStepAction } from "./schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (s: string) => UUID.test(s);

const SNAPSHOT = {
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
} as const satisfies Prisma.PlaybookSelect;
type Snapshot = Prisma.PlaybookGetPayload<{ select: typeof SNAPSHOT }>;

async function load(tx: Tx, id: string): Promise<Snapshot> {
  const row = await tx.playbook.findUnique({ where: { id }, select: SNAPSHOT });
  if (!row) throw new AppError("not_found", "No such playbook.");
  return { ...row, steps: sortSteps(row.steps) };
}

/** What a service returns: the playbook with its steps in run order. */
function shape(s: Snapshot) {
  return { ...s, contacts: contactsOf(s.contacts) };
}

/** The audit's before/after: fields without bookkeeping, steps as phase/title/action. */
function fieldsView(s: Snapshot) {
  return { name: s.name, description: s.description, trigger: s.trigger, triggerConfig: s.triggerConfig, contacts: s.contacts, breakGlass: s.breakGlass };
}
function stepsView(s: Snapshot) {
  return s.steps.map((st) => ({ id: st.id, phase: st.phase, title: st.title, detail: st.detail, action: st.action ?? null }));
}

/** JSON with object keys sorted: jsonb gives keys back in its own order, so compare this way. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === "object" && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b))) : val));
}

/** Only the keys whose values differ (a readable audit diff). */
function changed(before: Record<string, unknown>, after: Record<string, unknown>) {
  const keys = Object.keys(after).filter((k) => stable(before[k]) !== stable(after[k]));
  return { before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])), keys };
}

function uniqueName<T>(p: Promise<T>): Promise<T> {
  return p.catch((err) => {
    if (isUniqueViolation(err)) throw new AppError("conflict", "A playbook with this name already exists.", { name: ["Already in use."] });
    throw err;
  });
}

const actionJson = (a: TStepAction | null | undefined) => (a ? (a as Prisma.InputJsonValue) : Prisma.DbNull);

/**
 * The records a playbook names must exist when it is saved, or it would fail when it fires:
 * the trigger's integration or agent, agents to suspend and integrations to switch to fallback.
 * (Tools to deny may be named before they are registered.)
 */
async function checkReferences(tx: Tx, trigger: PlaybookTriggerName, config: Record<string, unknown>, steps: { step: TStep; index: number }[] | null) {
  const errors: Record<string, string[]> = {};
  if (trigger === "vendor_advisory" && typeof config.integrationId === "string") {
    if (!(await tx.integration.findUnique({ where: { id: config.integrationId }, select: { id: true } }))) errors["triggerConfig.integrationId"] = ["No such integration."];
  }
  if (trigger === "spend_threshold" && typeof config.agentId === "string") {
    if (!(await tx.agent.findUnique({ where: { id: config.agentId }, select: { id: true } }))) errors["triggerConfig.agentId"] = ["No such agent."];
  }
  for (const { step, index } of steps ?? []) {
    const a = step.action;
    if (!a) continue;
    const byIdOrName = isUuid(a.target) ? { OR: [{ id: a.target }, { name: a.target }] } : { name: a.target };
    if (a.type === "suspend_agent" && !(await tx.agent.findFirst({ where: byIdOrName, select: { id: true } }))) {
      errors[`steps.${index}.action.target`] = [`No agent named "${a.target}".`];
    }
    if (a.type === "switch_fallback" && !(await tx.integration.findFirst({ where: byIdOrName, select: { id: true } }))) {
      errors[`steps.${index}.action.target`] = [`No integration named "${a.target}".`];
    }
  }
  if (Object.keys(errors).length) throw new AppError("invalid", "Some records this playbook refers to do not exist.", errors);
}

/** Steps in run order with positions 1..n; `index` is each step's place in the submitted list. */
function positioned(steps: TStep[]) {
  return orderSteps(steps.map((step, index) => ({ phase: step.phase, step, index }))).map((s, i) => ({ ...s, position: i + 1 }));
}

/** Create a playbook with its steps (positions follow phase order). Audited as playbook.create. */
export async function createPlaybook(actor: Actor, input: TPlaybookCreate) {
  return uniqueName(
    db.$transaction(async (tx) => {
      const steps = positioned(input.steps);
      await checkReferences(tx, input.trigger, input.triggerConfig, steps);
      const { id } = await tx.playbook.create({
        data: {
          name: input.name,
          description: input.description,
          trigger: input.trigger,
          triggerConfig: input.triggerConfig as Prisma.InputJsonValue,
          contacts: input.contacts as Prisma.InputJsonValue,
          breakGlass: input.breakGlass,
          steps: { create: steps.map(({ step, position }) => ({ phase: step.phase, position, title: step.title, detail: step.detail, action: actionJson(step.action) })) },
        },
        select: { id: true },
      });
      const after = await load(tx, id);
      await recordAudit(tx, actor, { action: "playbook.create", targetType: "playbook", targetId: id, after: { ...fieldsView(after), steps: stepsView(after) } });
      return shape(after);
    }),
  );
}

/**
 * Replace a playbook's steps with `steps` (in run order): existing ids are updated in place so drill
 * history keeps pointing at them, new steps are created, the rest removed.
 */
async function replaceSteps(tx: Tx, before: Snapshot, steps: TStep[]) {
  const known = new Set(before.steps.map((s) => s.id));
  const errors: Record<string, string[]> = {};
  steps.forEach((s, i) => {
    if (s.id && !known.has(s.id)) errors[`steps.${i}.id`] = ["Not a step of this playbook."];
  });
  if (Object.keys(errors).length) throw new AppError("invalid", "Some steps do not belong to this playbook.", errors);
  const keep = new Set(steps.flatMap((s) => (s.id ? [s.id] : [])));
  await tx.playbookStep.deleteMany({ where: { playbookId: before.id, id: { notIn: [...keep] } } });
  // Positions are unique per playbook: park the kept steps on negative positions before renumbering.
  await tx.playbookStep.updateMany({ where: { playbookId: before.id }, data: { position: { multiply: -1 } } });
  for (const { step, position } of positioned(steps)) {
    const data = { phase: step.phase, position, title: step.title, detail: step.detail, action: actionJson(step.action) };
    if (step.id) await tx.playbookStep.update({ where: { id: step.id }, data });
    else await tx.playbookStep.create({ data: { ...data, playbookId: before.id } });
  }
}

/**
 * Change the fields sent (PATCH semantics) and, when `steps` is sent, the whole step list. Field
 * changes are audited as playbook.update, step changes as playbook.steps_update.
 */
export async function updatePlaybook(actor: Actor, input: TPlaybookUpdate) {
  return uniqueName(
    db.$transaction(async (tx) => {
      const before = await load(tx, input.id);
      const trigger = input.trigger ?? before.trigger;
      // A new trigger without a configuration starts from an empty one (which must then be valid).
      const rawConfig = input.triggerConfig ?? (input.trigger && input.trigger !== before.trigger ? {} : before.triggerConfig);
      let triggerConfig: Record<string, unknown> | undefined;
      if (input.trigger !== undefined || input.triggerConfig !== undefined) {
        const parsed = parseTriggerConfig(trigger, rawConfig);
        if (!parsed.success) {
          const errors: Record<string, string[]> = {};
          for (const i of parsed.error.issues) (errors[["triggerConfig", ...i.path.map(String)].join(".")] ??= []).push(i.message);
          throw new AppError("invalid", `The trigger configuration does not fit a ${trigger.replace(/_/g, " ")} trigger.`, errors);
        }
        triggerConfig = parsed.data as Record<string, unknown>;
      }
      const steps = input.steps ? input.steps.map((step, index) => ({ step, index })) : null;
      await checkReferences(tx, trigger, triggerConfig ?? (before.triggerConfig as Record<string, unknown>), steps);

      const data: Prisma.PlaybookUpdateInput = {};
      if (input.name !== undefined) data.name = input.name;
      if (input.description !== undefined) data.description = input.description;
      if (input.trigger !== undefined) data.trigger = input.trigger;
      if (triggerConfig !== undefined) data.triggerConfig = triggerConfig as Prisma.InputJsonValue;
      if (input.contacts !== undefined) data.contacts = input.contacts as Prisma.InputJsonValue;
      if (input.breakGlass !== undefined) data.breakGlass = input.breakGlass;
      const fieldDiff = changed(fieldsView(before), { ...fieldsView(before), ...JSON.parse(JSON.stringify(data)) });
      if (fieldDiff.keys.length) await tx.playbook.update({ where: { id: input.id }, data, select: { id: true } });
      if (input.steps) await replaceSteps(tx, before, input.steps);

      const after = await load(tx, input.id);
      if (fieldDiff.keys.length) {
        await recordAudit(tx, actor, { action: "playbook.update", targetType: "playbook", targetId: input.id, before: fieldDiff.before, after: fieldDiff.after });
      }
      if (input.steps && stable(stepsView(before)) !== stable(stepsView(after))) {
        // A change of steps alone still marks the playbook as updated.
        if (!fieldDiff.keys.length) await tx.playbook.update({ where: { id: input.id }, data: { updatedAt: new Date() }, select: { id: true } });
        await recordAudit(tx, actor, { action: "playbook.steps_update", targetType: "playbook", targetId: input.id, before: { steps: stepsView(before) }, after: { steps: stepsView(after) } });
      }
      return shape(await load(tx, input.id));
    }),
  );
}

/** Delete a playbook and its drill history; incidents it opened keep their timeline (link cleared). */
export async function deletePlaybook(actor: Actor, input: { id: string }) {
  return db.$transaction(async (tx) => {
    if (!(await tx.playbook.findUnique({ where: { id: input.id }, select: { id: true } }))) throw await missingOrDeleted(tx, "playbook.delete", input.id, "playbook");
    const before = await load(tx, input.id);
    const [drills, incidents] = await Promise.all([tx.drill.count({ where: { playbookId: input.id } }), tx.incident.count({ where: { playbookId: input.id } })]);
    // deleteMany, counted: of concurrent deletes exactly one removes the row (and audits), the rest 409.
    const gone = await tx.playbook.deleteMany({ where: { id: input.id } });
    if (gone.count !== 1) throw new AppError("conflict", "This playbook was already deleted.");
    await recordAudit(tx, actor, { action: "playbook.delete", targetType: "playbook", targetId: input.id, before: { ...fieldsView(before), steps: stepsView(before), drills, incidents } });
    return { id: input.id, name: before.name };
  });
}

// ── drills ──

type StepRow = { id: string; phase: PlaybookPhaseName; title: string };

/**
 * Record a drill of a playbook. A drill exercises the plan and touches nothing else: no gateway
 * command, no containment, no incident, no change to agents or integrations — only a Drill row
 * and its audit event. With `stepResults` (the runner) the timeline is checked against the
 * playbook; without them the server walks every step in order, marking each done with its real
 * wall-clock timestamps. Audited as playbook.drill.
 */
export async function runDrill(actor: Actor, input: TDrillRun) {
  const runById = actor.userId;
  if (!runById) throw new AppError("forbidden", "A drill is run by a person: sign in, or use a personal API token.");
  if (!input.stepResults && (input.startedAt || input.finishedAt)) {
    throw new AppError("invalid", "startedAt and finishedAt come with stepResults; leave all three out to let Warden run every step.", { stepResults: ["Required with startedAt or finishedAt."] });
  }
  return db.$transaction(async (tx) => {
    const playbook = await tx.playbook.findUnique({
      where: { id: input.id },
      select: { id: true, name: true, steps: { select: { id: true, phase: true, position: true, title: true } } },
    });
    if (!playbook) throw new AppError("not_found", "No such playbook.");
    const steps: StepRow[] = sortSteps(playbook.steps);
    if (steps.length === 0) throw new AppError("invalid", "This playbook has no steps to drill. Add steps first.");
    const byId = new Map(steps.map((s) => [s.id, s]));

    let startedAt: Date;
    let finishedAt: Date;
    let records: DrillStepRecord[];
    const simulated = !input.stepResults;
    if (!input.stepResults) {
      startedAt = new Date();
      records = steps.map((s) => {
        const stepStart = new Date();
        // A simulated step does nothing: it is marked done at once, in order.
        const stepEnd = new Date();
        return { stepId: s.id, title: s.title, phase: s.phase, startedAt: stepStart.toISOString(), finishedAt: stepEnd.toISOString(), outcome: "done", note: input.note ?? "" };
      });
      finishedAt = new Date();
    } else {
      const results = input.stepResults;
      startedAt = input.startedAt ?? new Date(Math.min(...results.map((r) => r.startedAt.getTime())));
      finishedAt = input.finishedAt ?? new Date(Math.max(...results.map((r) => r.finishedAt.getTime())));
      const errors = checkDrillTimeline({ steps, startedAt, finishedAt, results, now: new Date() });
      if (Object.keys(errors).length) throw new AppError("invalid", "The drill's timeline does not fit this playbook.", errors);
      records = results.map((r) => {
        const s = byId.get(r.stepId)!;
        return { stepId: r.stepId, title: s.title, phase: s.phase, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString(), outcome: r.outcome, note: r.note };
      });
    }
    const ttc = timeToContainMs(startedAt, records);
    const drill = await tx.drill.create({
      data: { playbookId: playbook.id, runById, startedAt, finishedAt, timeToContainMs: ttc, stepResults: records as unknown as Prisma.InputJsonValue },
      select: { id: true, playbookId: true, startedAt: true, finishedAt: true, timeToContainMs: true, stepResults: true },
    });
    await recordAudit(tx, actor, {
      action: "playbook.drill",
      targetType: "playbook",
      targetId: playbook.id,
      after: {
        drillId: drill.id,
        playbook: playbook.name,
        startedAt,
        finishedAt,
        timeToContainMs: ttc,
        simulated,
        note: input.note ?? null,
        steps: records.map((r) => ({ stepId: r.stepId, title: r.title, phase: r.phase, outcome: r.outcome, startedAt: r.startedAt, finishedAt: r.finishedAt, note: r.note })),
      },
    });
    return { ...drill, stepResults: records, simulated, note: input.note ?? null, stepsInPlaybook: steps.length };
  });
}
