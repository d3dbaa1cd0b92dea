-- AlterTable
ALTER TABLE "gateways" ADD COLUMN     "previous_secret_enc" TEXT,
ADD COLUMN     "previous_secret_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "connector_replays" (
    "gateway_id" UUID NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connector_replays_pkey" PRIMARY KEY ("gateway_id","webhook_id")
);

-- CreateIndex
CREATE INDEX "connector_replays_seen_at_idx" ON "connector_replays"("seen_at");

-- AddForeignKey
ALTER TABLE "connector_replays" ADD CONSTRAINT "connector_replays_gateway_id_fkey" FOREIGN KEY ("gateway_id") REFERENCES "gateways"("id") ON DELETE CASCADE ON UPDATE CASCADE;
