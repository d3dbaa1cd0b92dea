import "server-only";
import { db, isUniqueViolation, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import {
  REVIEW_INTERVAL_DAYS,
  type TIntegrationCreate,
  type TIntegrationReview,
  type TIntegrationUpdate,
  type ZIntegrationAdvisoryClear,
  type ZIntegrationAdvisorySet,
  type ZIntegrationSetAgents,
} from "./schema";
import type { z } from "zod";

const DAY = 86_400_000;

/** What a service returns and what the audit trail records: every column, agents by name. */
const SNAPSHOT = {
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
  createdAt: true,
  updatedAt: true,
  agents: { select: { agent: { select: { id: true, name: true } } }, orderBy: { agent: { name: "asc" } } },
} as const satisfies Prisma.IntegrationSelect;

async function load(tx: Tx, id: string) {
  const row = await tx.integration.findUnique({ where: { id }, select: SNAPSHOT });
  if (!row) throw new AppError("not_found", "No such integration.");
  return shape(row);
}

type Raw = Prisma.IntegrationGetPayload<{ select: typeof SNAPSHOT }>;
function shape({ agents, ...rest }: Raw) {
  return { ...rest, agents: agents.map((a) => a.agent) };
}
export type IntegrationSnapshot = ReturnType<typeof shape>;

/** The audit's before/after: the record without bookkeeping timestamps. */
function auditView(s: IntegrationSnapshot) {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { createdAt, updatedAt, ...rest } = s;
  return { ...rest, agents: s.agents.map((a) => a.name) };
}

/** Only the keys whose values differ (for a readable audit diff). */
function changed(before: Record<string, unknown>, after: Record<string, unknown>) {
  const keys = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return { before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])) };
}

async function assertAgentsExist(tx: Tx, agentIds: string[]) {
  const unique = [...new Set(agentIds)];
  if (unique.length === 0) return unique;
  const found = await tx.agent.count({ where: { id: { in: unique } } });
  if (found !== unique.length) throw new AppError("invalid", "Some agents do not exist.", { agentIds: ["Unknown agent."] });
  return unique;
}

const jsonOrNull = (v: unknown) => (v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

function uniqueName<T>(p: Promise<T>): Promise<T> {
  return p.catch((err) => {
    if (isUniqueViolation(err)) throw new AppError("conflict", "An integration with this name already exists.", { name: ["Already in use."] });
    throw err;
  });
}

/**
 * Register an integration. Without an explicit next review it is due a quarter after its audit
 * date, or at once when it has never been audited.
 */
export async function createIntegration(actor: Actor, input: TIntegrationCreate, now = new Date()) {
  const nextReviewAt = input.nextReviewAt ?? (input.auditDate ? new Date(input.auditDate.getTime() + REVIEW_INTERVAL_DAYS * DAY) : now);
  return uniqueName(
    db.$transaction(async (tx) => {
      const agentIds = await assertAgentsExist(tx, input.agentIds);
      const { id } = await tx.integration.create({
        data: {
          name: input.name,
          provider: input.provider,
          providerVerified: input.providerVerified,
          reason: input.reason,
          permissions: input.permissions,
          auditDate: input.auditDate ?? null,
          auditResult: input.auditResult ?? null,
          dependencyStatus: input.dependencyStatus ?? null,
          securityContactName: input.securityContactName ?? null,
          securityContactEmail: input.securityContactEmail ?? null,
          securityContactPhone: input.securityContactPhone ?? null,
          disclosureProcess: input.disclosureProcess ?? null,
          irPartner: input.irPartner ?? null,
          degradation: input.degradation ? (input.degradation as Prisma.InputJsonValue) : Prisma.DbNull,
          nextReviewAt,
          agents: { create: agentIds.map((agentId) => ({ agentId })) },
        },
        select: { id: true },
      });
      const after = await load(tx, id);
      await recordAudit(tx, actor, { action: "integration.create", targetType: "integration", targetId: id, after: auditView(after) });
      return after;
    }),
  );
}

/** Change the fields sent (PATCH semantics). */
export async function updateIntegration(actor: Actor, input: TIntegrationUpdate) {
  const { id, degradation, ...rest } = input;
  const data: Prisma.IntegrationUpdateInput = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  if (degradation !== undefined) data.degradation = jsonOrNull(degradation);
  return uniqueName(
    db.$transaction(async (tx) => {
      const before = await load(tx, id);
      await tx.integration.update({ where: { id }, data, select: { id: true } });
      const after = await load(tx, id);
      await recordAudit(tx, actor, { action: "integration.update", targetType: "integration", targetId: id, ...changed(auditView(before), auditView(after)) });
      return after;
    }),
  );
}

/** Record a review: audit date (default today) and result; next review = given, or audit date + 90 days. */
export async function reviewIntegration(actor: Actor, input: TIntegrationReview, now = new Date()) {
  const auditDate = input.auditDate ?? new Date(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
  if (auditDate.getTime() > now.getTime()) throw new AppError("invalid", "The audit date cannot be in the future.", { auditDate: ["Not in the future."] });
  const nextReviewAt = input.nextReviewAt ?? new Date(auditDate.getTime() + REVIEW_INTERVAL_DAYS * DAY);
  return db.$transaction(async (tx) => {
    const before = await load(tx, input.id);
    await tx.integration.update({
      where: { id: input.id },
      data: {
        auditDate,
        auditResult: input.auditResult,
        nextReviewAt,
        ...(input.dependencyStatus !== undefined ? { dependencyStatus: input.dependencyStatus } : {}),
        ...(input.clearAdvisory ? { advisoryFlaggedAt: null, advisoryNote: null } : {}),
      },
    });
    const after = await load(tx, input.id);
    await recordAudit(tx, actor, { action: "integration.review", targetType: "integration", targetId: input.id, ...changed(auditView(before), auditView(after)) });
    return after;
  });
}

/** Flag a vendor advisory or breach: the integration is due for re-review now. */
export async function setIntegrationAdvisory(actor: Actor, input: z.infer<typeof ZIntegrationAdvisorySet>, now = new Date()) {
  return db.$transaction(async (tx) => {
    const before = await load(tx, input.id);
    await tx.integration.update({ where: { id: input.id }, data: { advisoryFlaggedAt: now, advisoryNote: input.note, nextReviewAt: now } });
    const after = await load(tx, input.id);
    await recordAudit(tx, actor, {
      action: "integration.advisory_set",
      targetType: "integration",
      targetId: input.id,
      before: { advisoryFlaggedAt: before.advisoryFlaggedAt, advisoryNote: before.advisoryNote, nextReviewAt: before.nextReviewAt },
      after: { advisoryFlaggedAt: after.advisoryFlaggedAt, advisoryNote: after.advisoryNote, nextReviewAt: after.nextReviewAt },
    });
    return after;
  });
}

/** Clear the advisory flag. The re-review it scheduled stays due until a review is recorded. */
export async function clearIntegrationAdvisory(actor: Actor, input: z.infer<typeof ZIntegrationAdvisoryClear>) {
  return db.$transaction(async (tx) => {
    const before = await load(tx, input.id);
    if (!before.advisoryFlaggedAt) throw new AppError("conflict", "This integration has no open advisory.");
    const claimed = await tx.integration.updateMany({ where: { id: input.id, advisoryFlaggedAt: { not: null } }, data: { advisoryFlaggedAt: null, advisoryNote: null } });
    if (claimed.count !== 1) throw new AppError("conflict", "This integration has no open advisory.");
    const after = await load(tx, input.id);
    await recordAudit(tx, actor, {
      action: "integration.advisory_clear",
      targetType: "integration",
      targetId: input.id,
      before: { advisoryFlaggedAt: before.advisoryFlaggedAt, advisoryNote: before.advisoryNote },
      after: { advisoryFlaggedAt: null, advisoryNote: null, reason: input.note ?? null },
    });
    return after;
  });
}

/** Replace which agents use an integration. */
export async function setIntegrationAgents(actor: Actor, input: z.infer<typeof ZIntegrationSetAgents>) {
  return db.$transaction(async (tx) => {
    const before = await load(tx, input.id);
    const agentIds = await assertAgentsExist(tx, input.agentIds);
    await tx.agentIntegration.deleteMany({ where: { integrationId: input.id, agentId: { notIn: agentIds } } });
    await tx.agentIntegration.createMany({ data: agentIds.map((agentId) => ({ agentId, integrationId: input.id })), skipDuplicates: true });
    const after = await load(tx, input.id);
    await recordAudit(tx, actor, {
      action: "integration.set_agents",
      targetType: "integration",
      targetId: input.id,
      before: { agents: before.agents.map((a) => a.name) },
      after: { agents: after.agents.map((a) => a.name) },
    });
    return after;
  });
}
