-- AlterTable
ALTER TABLE "integrations" ADD COLUMN     "fallback_active_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "incidents" ADD COLUMN     "dedupe_key" TEXT;

-- AlterTable
ALTER TABLE "containment_actions" ADD COLUMN     "affected" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "options" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "released_by_id" UUID,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'manual';

-- AlterTable
ALTER TABLE "containment_deliveries" ADD COLUMN     "ws_at" TIMESTAMPTZ(3),
ADD COLUMN     "ws_error" TEXT,
ADD COLUMN     "ws_state" TEXT;

-- CreateTable
CREATE TABLE "budgets" (
    "id" UUID NOT NULL,
    "agent_id" UUID,
    "daily_usd" DECIMAL(12,2) NOT NULL,
    "on_limit" TEXT NOT NULL DEFAULT 'suspend_agent',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "budget_alerts" (
    "id" UUID NOT NULL,
    "budget_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "threshold" INTEGER NOT NULL,
    "spent_usd" DECIMAL(12,6) NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "containment_action_id" UUID,

    CONSTRAINT "budget_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'standard',
    "events" TEXT[],
    "secret_enc" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "budgets_agent_id_key" ON "budgets"("agent_id");

-- CreateIndex
CREATE UNIQUE INDEX "budget_alerts_budget_id_day_threshold_key" ON "budget_alerts"("budget_id", "day", "threshold");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_endpoints_name_key" ON "webhook_endpoints"("name");

-- CreateIndex
CREATE INDEX "webhook_deliveries_state_next_attempt_at_idx" ON "webhook_deliveries"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_created_at_idx" ON "webhook_deliveries"("endpoint_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "incidents_dedupe_key_key" ON "incidents"("dedupe_key");

-- CreateIndex
CREATE INDEX "containment_deliveries_state_created_at_idx" ON "containment_deliveries"("state", "created_at");

-- AddForeignKey
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budget_alerts" ADD CONSTRAINT "budget_alerts_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: at most one fleet-wide budget (agent_id null).
CREATE UNIQUE INDEX "budgets_fleet_key" ON "budgets" ((agent_id IS NULL)) WHERE agent_id IS NULL;
