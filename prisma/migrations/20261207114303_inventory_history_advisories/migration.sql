-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "FindingKind" ADD VALUE 'unapproved_item';
ALTER TYPE "FindingKind" ADD VALUE 'unregistered_agent';
ALTER TYPE "FindingKind" ADD VALUE 'posture_drift';
ALTER TYPE "FindingKind" ADD VALUE 'advisory';

-- AlterEnum
ALTER TYPE "FindingStatus" ADD VALUE 'resolved';

-- CreateTable
CREATE TABLE "gateway_inventory_snapshots" (
    "id" UUID NOT NULL,
    "gateway_id" UUID NOT NULL,
    "content_hash" TEXT NOT NULL,
    "inventory" JSONB NOT NULL,
    "diff" JSONB,
    "first_reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reports" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "gateway_inventory_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "advisories" (
    "id" UUID NOT NULL,
    "product" TEXT NOT NULL,
    "version_range" TEXT NOT NULL,
    "severity" "Severity" NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "note" TEXT,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "advisories_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "gateway_inventory_snapshots_gateway_id_first_reported_at_idx" ON "gateway_inventory_snapshots"("gateway_id", "first_reported_at");

-- CreateIndex
CREATE INDEX "advisories_product_idx" ON "advisories"("product");

-- AddForeignKey
ALTER TABLE "gateway_inventory_snapshots" ADD CONSTRAINT "gateway_inventory_snapshots_gateway_id_fkey" FOREIGN KEY ("gateway_id") REFERENCES "gateways"("id") ON DELETE CASCADE ON UPDATE CASCADE;
