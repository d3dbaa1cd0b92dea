import "server-only";
import { db, isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { missingOrDeleted } from "@/lib/audit/deleted";
import { Prisma } from "@/lib/generated/prisma/client";
import type { TModelPriceDelete, TModelPriceSet, TModelRuleDelete, TModelRuleSet } from "./schema";

const PRICE_SELECT = {
  id: true,
  provider: true,
  model: true,
  inputUsdPerMTok: true,
  outputUsdPerMTok: true,
  cacheReadUsdPerMTok: true,
  cacheWriteUsdPerMTok: true,
  source: true,
  updatedAt: true,
} as const;
type PriceRow = Prisma.ModelPriceGetPayload<{ select: typeof PRICE_SELECT }>;

export type ModelPriceView = {
  id: string;
  provider: string;
  model: string;
  inputUsdPerMTok: string;
  outputUsdPerMTok: string;
  cacheReadUsdPerMTok: string | null;
  cacheWriteUsdPerMTok: string | null;
  source: string;
  updatedAt: Date;
};

/** A price row as the console and the audit trail show it (exact decimal strings). */
export function priceView(p: PriceRow): ModelPriceView {
  return {
    id: p.id,
    provider: p.provider,
    model: p.model,
    inputUsdPerMTok: p.inputUsdPerMTok.toFixed(),
    outputUsdPerMTok: p.outputUsdPerMTok.toFixed(),
    cacheReadUsdPerMTok: p.cacheReadUsdPerMTok?.toFixed() ?? null,
    cacheWriteUsdPerMTok: p.cacheWriteUsdPerMTok?.toFixed() ?? null,
    source: p.source,
    updatedAt: p.updatedAt,
  };
}
const priceAudit = (p: ModelPriceView) => ({
  provider: p.provider,
  model: p.model,
  inputUsdPerMTok: p.inputUsdPerMTok,
  outputUsdPerMTok: p.outputUsdPerMTok,
  cacheReadUsdPerMTok: p.cacheReadUsdPerMTok,
  cacheWriteUsdPerMTok: p.cacheWriteUsdPerMTok,
  source: p.source,
});

/**
 * Add a model price (no id) or change one (id), audited "model_price.set" with before and after in
 * the same transaction. New calls are priced with it from the next batch; stored calls keep the
 * cost they were given. Two rows for the same provider/model are refused (409, field errors).
 */
export async function setModelPrice(actor: Actor, input: TModelPriceSet): Promise<ModelPriceView> {
  const data = {
    provider: input.provider,
    model: input.model,
    inputUsdPerMTok: new Prisma.Decimal(input.inputUsdPerMTok),
    outputUsdPerMTok: new Prisma.Decimal(input.outputUsdPerMTok),
    cacheReadUsdPerMTok: input.cacheReadUsdPerMTok === null ? null : new Prisma.Decimal(input.cacheReadUsdPerMTok),
    cacheWriteUsdPerMTok: input.cacheWriteUsdPerMTok === null ? null : new Prisma.Decimal(input.cacheWriteUsdPerMTok),
    source: input.source,
  };
  try {
    return await db.$transaction(async (tx) => {
      let before: ModelPriceView | null = null;
      let saved: PriceRow;
      if (input.id) {
        const existing = await tx.modelPrice.findUnique({ where: { id: input.id }, select: PRICE_SELECT });
        if (!existing) throw await missingOrDeleted(tx, "model_price.delete", input.id, "model price");
        before = priceView(existing);
        saved = await tx.modelPrice.update({ where: { id: input.id }, data, select: PRICE_SELECT });
      } else {
        saved = await tx.modelPrice.create({ data, select: PRICE_SELECT });
      }
      const view = priceView(saved);
      await recordAudit(tx, actor, { action: "model_price.set", targetType: "model_price", targetId: saved.id, before: before ? priceAudit(before) : null, after: priceAudit(view) });
      return view;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError("conflict", `There is already a price for ${input.provider}/${input.model}; edit that one.`, { model: ["This provider/model already has a price."] });
    }
    throw err;
  }
}

/** Delete a model price, audited "model_price.delete"; calls of that model arriving later are unpriced. */
export async function deleteModelPrice(actor: Actor, input: TModelPriceDelete): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const existing = await tx.modelPrice.findUnique({ where: { id: input.id }, select: PRICE_SELECT });
    if (!existing) throw await missingOrDeleted(tx, "model_price.delete", input.id, "model price");
    // deleteMany, counted: of concurrent deletes exactly one removes the row (and audits), the rest 409.
    const gone = await tx.modelPrice.deleteMany({ where: { id: existing.id } });
    if (gone.count !== 1) throw new AppError("conflict", "This model price was already deleted.");
    await recordAudit(tx, actor, { action: "model_price.delete", targetType: "model_price", targetId: existing.id, before: priceAudit(priceView(existing)) });
    return { id: existing.id };
  });
}

const RULE_SELECT = { id: true, scope: true, pattern: true, status: true, note: true, updatedAt: true } as const;
type RuleRow = Prisma.ModelRuleGetPayload<{ select: typeof RULE_SELECT }>;
const ruleAudit = (r: RuleRow) => ({ scope: r.scope, pattern: r.pattern, status: r.status, note: r.note });

/**
 * Add (no id) or change (id) a model policy rule for one agent scope, audited "model_rule.set".
 * Findings follow from the next findings run. One rule per scope and pattern (409 otherwise).
 */
export async function setModelRule(actor: Actor, input: TModelRuleSet): Promise<RuleRow> {
  const data = { scope: input.scope, pattern: input.pattern, status: input.status, note: input.note };
  try {
    return await db.$transaction(async (tx) => {
      let before: RuleRow | null = null;
      let saved: RuleRow;
      if (input.id) {
        before = await tx.modelRule.findUnique({ where: { id: input.id }, select: RULE_SELECT });
        if (!before) throw await missingOrDeleted(tx, "model_rule.delete", input.id, "model rule");
        saved = await tx.modelRule.update({ where: { id: input.id }, data, select: RULE_SELECT });
      } else {
        saved = await tx.modelRule.create({ data, select: RULE_SELECT });
      }
      await recordAudit(tx, actor, { action: "model_rule.set", targetType: "model_rule", targetId: saved.id, before: before ? ruleAudit(before) : null, after: ruleAudit(saved) });
      return saved;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("conflict", `There is already a rule for ${input.pattern} (${input.scope}); edit that one.`, { pattern: ["This scope already has a rule with this pattern."] });
    throw err;
  }
}

/** Delete a model policy rule, audited "model_rule.delete". */
export async function deleteModelRule(actor: Actor, input: TModelRuleDelete): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const existing = await tx.modelRule.findUnique({ where: { id: input.id }, select: RULE_SELECT });
    if (!existing) throw await missingOrDeleted(tx, "model_rule.delete", input.id, "model rule");
    const gone = await tx.modelRule.deleteMany({ where: { id: existing.id } });
    if (gone.count !== 1) throw new AppError("conflict", "This model rule was already deleted.");
    await recordAudit(tx, actor, { action: "model_rule.delete", targetType: "model_rule", targetId: existing.id, before: ruleAudit(existing) });
    return { id: existing.id };
  });
}
