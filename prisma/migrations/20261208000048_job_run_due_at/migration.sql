-- AlterTable
ALTER TABLE "background_job_runs" ADD COLUMN     "due_at" TIMESTAMPTZ(3);
