-- AlterTable
ALTER TABLE "tool_versions" ADD COLUMN     "publisher" TEXT;
