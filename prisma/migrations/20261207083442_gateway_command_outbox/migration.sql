-- The containment delivery outbox becomes the outbox for every gateway command (containment,
-- policy refresh, approval decisions). A rename keeps every existing delivery and its history.
ALTER TABLE "containment_deliveries" RENAME TO "gateway_commands";
ALTER TABLE "gateway_commands" RENAME CONSTRAINT "containment_deliveries_pkey" TO "gateway_commands_pkey";
ALTER TABLE "gateway_commands" RENAME CONSTRAINT "containment_deliveries_action_id_fkey" TO "gateway_commands_action_id_fkey";
ALTER TABLE "gateway_commands" RENAME CONSTRAINT "containment_deliveries_gateway_id_fkey" TO "gateway_commands_gateway_id_fkey";
ALTER INDEX "containment_deliveries_gateway_id_state_idx" RENAME TO "gateway_commands_gateway_id_state_idx";
ALTER INDEX "containment_deliveries_state_created_at_idx" RENAME TO "gateway_commands_state_created_at_idx";

ALTER TABLE "gateway_commands" ADD COLUMN "type" TEXT NOT NULL DEFAULT 'containment';
ALTER TABLE "gateway_commands" ADD COLUMN "payload" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "gateway_commands" ALTER COLUMN "action_id" DROP NOT NULL;

CREATE INDEX "gateway_commands_type_created_at_idx" ON "gateway_commands"("type", "created_at");
