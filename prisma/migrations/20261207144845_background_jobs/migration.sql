-- CreateTable
CREATE TABLE "background_jobs" (
    "name" TEXT NOT NULL,
    "every_ms" INTEGER NOT NULL,
    "timeout_ms" INTEGER NOT NULL,
    "next_run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "runs" BIGINT NOT NULL DEFAULT 0,
    "last_started_at" TIMESTAMPTZ(3),
    "last_finished_at" TIMESTAMPTZ(3),
    "last_ok" BOOLEAN,
    "last_error" TEXT,
    "last_replica" TEXT,

    CONSTRAINT "background_jobs_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "background_job_runs" (
    "id" BIGSERIAL NOT NULL,
    "job" TEXT NOT NULL,
    "replica" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "ok" BOOLEAN,
    "error" TEXT,

    CONSTRAINT "background_job_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "background_job_runs_job_id_idx" ON "background_job_runs"("job", "id");
