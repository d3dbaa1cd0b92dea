-- CreateEnum
CREATE TYPE "CostSource" AS ENUM ('gateway', 'price_table', 'unpriced');

-- CreateEnum
CREATE TYPE "ModelRuleStatus" AS ENUM ('allowed', 'weak', 'denied');

-- AlterEnum
ALTER TYPE "FindingKind" ADD VALUE 'model_policy';

-- CreateTable
CREATE TABLE "model_calls" (
    "id" BIGSERIAL NOT NULL,
    "gateway_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "agent_id" UUID,
    "agent_name" TEXT NOT NULL,
    "session_key" TEXT,
    "run_id" TEXT,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "tokens_in" INTEGER NOT NULL,
    "tokens_out" INTEGER NOT NULL,
    "cache_read_tokens" INTEGER NOT NULL DEFAULT 0,
    "cache_write_tokens" INTEGER NOT NULL DEFAULT 0,
    "fallback" BOOLEAN NOT NULL DEFAULT false,
    "primary_model" TEXT,
    "cost_usd" DECIMAL(14,6),
    "cost_source" "CostSource" NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_calls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_usage_daily" (
    "day" DATE NOT NULL,
    "gateway_id" UUID NOT NULL,
    "agent_key" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "agent_name" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "fallback_calls" INTEGER NOT NULL DEFAULT 0,
    "unpriced_calls" INTEGER NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "cache_read_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(20,6) NOT NULL DEFAULT 0,

    CONSTRAINT "model_usage_daily_pkey" PRIMARY KEY ("day","gateway_id","agent_key","provider","model")
);

-- CreateTable
CREATE TABLE "model_prices" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "input_usd_per_mtok" DECIMAL(12,6) NOT NULL,
    "output_usd_per_mtok" DECIMAL(12,6) NOT NULL,
    "cache_read_usd_per_mtok" DECIMAL(12,6),
    "cache_write_usd_per_mtok" DECIMAL(12,6),
    "source" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_rules" (
    "id" UUID NOT NULL,
    "scope" "AgentScope" NOT NULL,
    "pattern" TEXT NOT NULL,
    "status" "ModelRuleStatus" NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_rules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "model_calls_agent_id_occurred_at_idx" ON "model_calls"("agent_id", "occurred_at");

-- CreateIndex
CREATE INDEX "model_calls_gateway_id_occurred_at_idx" ON "model_calls"("gateway_id", "occurred_at");

-- CreateIndex
CREATE INDEX "model_calls_occurred_at_idx" ON "model_calls"("occurred_at");

-- CreateIndex
CREATE INDEX "model_calls_gateway_id_run_id_idx" ON "model_calls"("gateway_id", "run_id");

-- CreateIndex
CREATE UNIQUE INDEX "model_calls_gateway_id_event_id_key" ON "model_calls"("gateway_id", "event_id");

-- CreateIndex
CREATE INDEX "model_usage_daily_day_agent_key_idx" ON "model_usage_daily"("day", "agent_key");

-- CreateIndex
CREATE UNIQUE INDEX "model_prices_provider_model_key" ON "model_prices"("provider", "model");

-- CreateIndex
CREATE UNIQUE INDEX "model_rules_scope_pattern_key" ON "model_rules"("scope", "pattern");

-- Hand-written: default prices (USD per million tokens) for common models, so calls a gateway
-- reports without a cost are priced from the first day. List prices from the providers' public
-- pricing pages, as read in November 2025: https://openai.com/api/pricing/ ,
-- https://docs.anthropic.com/en/docs/about-claude/pricing (cache write = 5-minute cache) and
-- https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens). Prices change:
-- admins edit them in the console (Spend → Model prices); every change is audited.
-- A null cache price means cache tokens are priced like input tokens.
INSERT INTO "model_prices" ("id", "provider", "model", "input_usd_per_mtok", "output_usd_per_mtok", "cache_read_usd_per_mtok", "cache_write_usd_per_mtok", "source", "updated_at") VALUES
  (gen_random_uuid(), 'openai', 'gpt-5', 1.25, 10.00, 0.125, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'gpt-5-mini', 0.25, 2.00, 0.025, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'gpt-5-nano', 0.05, 0.40, 0.005, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'gpt-4.1', 2.00, 8.00, 0.50, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'gpt-4.1-mini', 0.40, 1.60, 0.10, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'gpt-4.1-nano', 0.10, 0.40, 0.025, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'gpt-4o', 2.50, 10.00, 1.25, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'gpt-4o-mini', 0.15, 0.60, 0.075, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'o3', 2.00, 8.00, 0.50, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'openai', 'o4-mini', 1.10, 4.40, 0.275, NULL, 'openai.com/api/pricing (2025-11)', now()),
  (gen_random_uuid(), 'anthropic', 'claude-opus-4-5', 5.00, 25.00, 0.50, 6.25, 'docs.anthropic.com pricing (2025-11)', now()),
  (gen_random_uuid(), 'anthropic', 'claude-opus-4-1', 15.00, 75.00, 1.50, 18.75, 'docs.anthropic.com pricing (2025-11)', now()),
  (gen_random_uuid(), 'anthropic', 'claude-opus-4', 15.00, 75.00, 1.50, 18.75, 'docs.anthropic.com pricing (2025-11)', now()),
  (gen_random_uuid(), 'anthropic', 'claude-sonnet-4-5', 3.00, 15.00, 0.30, 3.75, 'docs.anthropic.com pricing (2025-11)', now()),
  (gen_random_uuid(), 'anthropic', 'claude-sonnet-4', 3.00, 15.00, 0.30, 3.75, 'docs.anthropic.com pricing (2025-11)', now()),
  (gen_random_uuid(), 'anthropic', 'claude-haiku-4-5', 1.00, 5.00, 0.10, 1.25, 'docs.anthropic.com pricing (2025-11)', now()),
  (gen_random_uuid(), 'anthropic', 'claude-3-5-haiku', 0.80, 4.00, 0.08, 1.00, 'docs.anthropic.com pricing (2025-11)', now()),
  (gen_random_uuid(), 'google', 'gemini-2.5-pro', 1.25, 10.00, NULL, NULL, 'ai.google.dev/gemini-api/docs/pricing (2025-11)', now()),
  (gen_random_uuid(), 'google', 'gemini-2.5-flash', 0.30, 2.50, NULL, NULL, 'ai.google.dev/gemini-api/docs/pricing (2025-11)', now()),
  (gen_random_uuid(), 'google', 'gemini-2.5-flash-lite', 0.10, 0.40, NULL, NULL, 'ai.google.dev/gemini-api/docs/pricing (2025-11)', now())
ON CONFLICT ("provider", "model") DO NOTHING;
