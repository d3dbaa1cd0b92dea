-- CreateEnum
CREATE TYPE "EvidenceExportState" AS ENUM ('queued', 'running', 'done', 'failed');

-- CreateTable
CREATE TABLE "evidence_exports" (
    "id" UUID NOT NULL,
    "state" "EvidenceExportState" NOT NULL DEFAULT 'queued',
    "step" TEXT NOT NULL DEFAULT 'queued',
    "progress" INTEGER NOT NULL DEFAULT 0,
    "total_estimate" INTEGER NOT NULL DEFAULT 0,
    "requested_by_id" UUID,
    "requested_by" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "file_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "error" TEXT,
    "size_bytes" BIGINT,
    "sha256" TEXT,
    "manifest_sha256" TEXT,
    "files" INTEGER,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "evidence_exports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evidence_export_chunks" (
    "export_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "evidence_export_chunks_pkey" PRIMARY KEY ("export_id","attempt","seq")
);

-- CreateIndex
CREATE INDEX "evidence_exports_state_lease_until_idx" ON "evidence_exports"("state", "lease_until");

-- CreateIndex
CREATE INDEX "evidence_exports_created_at_idx" ON "evidence_exports"("created_at");

-- AddForeignKey
ALTER TABLE "evidence_export_chunks" ADD CONSTRAINT "evidence_export_chunks_export_id_fkey" FOREIGN KEY ("export_id") REFERENCES "evidence_exports"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The chunks are gzip output: stored out of line without TOAST's compression (it would only spend CPU).
ALTER TABLE "evidence_export_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
