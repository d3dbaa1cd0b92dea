-- DropIndex
DROP INDEX "tool_calls_gateway_id_occurred_at_idx";

-- DropIndex
DROP INDEX "tool_calls_occurred_at_idx";

-- DropIndex
DROP INDEX "tool_calls_gateway_id_event_id_occurred_at_key";

-- AlterTable
ALTER TABLE "tool_calls" DROP CONSTRAINT "tool_calls_pkey",
ADD CONSTRAINT "tool_calls_pkey" PRIMARY KEY ("occurred_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "tool_calls_gateway_id_occurred_at_event_id_key" ON "tool_calls"("gateway_id", "occurred_at", "event_id");
