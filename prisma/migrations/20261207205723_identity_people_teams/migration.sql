-- CreateEnum
CREATE TYPE "RequesterKind" AS ENUM ('person', 'unmapped', 'none');

-- CreateEnum
CREATE TYPE "IdentitySubject" AS ENUM ('person', 'group', 'unidentified', 'anyone');

-- CreateEnum
CREATE TYPE "IdentityEffect" AS ENUM ('allow', 'deny', 'require_approval');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "team_id" UUID;

-- AlterTable
ALTER TABLE "gateways" ADD COLUMN     "team_id" UUID;


-- AlterTable
ALTER TABLE "tool_calls" ADD COLUMN     "chain" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "person_id" UUID,
ADD COLUMN     "requester" JSONB,
ADD COLUMN     "requester_kind" "RequesterKind" NOT NULL DEFAULT 'none',
ADD COLUMN     "team_id" UUID;

-- CreateTable
CREATE TABLE "teams" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- Agents' free-text team becomes a team row (one per distinct name), then the reference.
ALTER TABLE "agents" ADD COLUMN     "team_id" UUID;
INSERT INTO "teams" ("id", "name", "updated_at")
  SELECT gen_random_uuid(), t.name, CURRENT_TIMESTAMP FROM (SELECT DISTINCT btrim("team") AS name FROM "agents" WHERE "team" IS NOT NULL AND btrim("team") <> '') t;
UPDATE "agents" a SET "team_id" = t."id" FROM "teams" t WHERE t."name" = btrim(a."team");
ALTER TABLE "agents" DROP COLUMN "team";

-- CreateTable
CREATE TABLE "people" (
    "id" UUID NOT NULL,
    "display_name" TEXT NOT NULL,
    "email" TEXT,
    "team_id" UUID,
    "user_id" UUID,
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "people_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person_identities" (
    "id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "account_id" TEXT NOT NULL DEFAULT '',
    "sender_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person_groups" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "team_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "person_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person_group_members" (
    "group_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_group_members_pkey" PRIMARY KEY ("group_id","person_id")
);

-- CreateTable
CREATE TABLE "identity_rules" (
    "id" UUID NOT NULL,
    "subject" "IdentitySubject" NOT NULL,
    "person_id" UUID,
    "group_id" UUID,
    "agent_id" UUID,
    "tool_name" TEXT,
    "effect" "IdentityEffect" NOT NULL,
    "reason" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "identity_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_rules" (
    "id" UUID NOT NULL,
    "subject" "IdentitySubject" NOT NULL,
    "person_id" UUID,
    "group_id" UUID,
    "agent_id" UUID,
    "tool_name" TEXT,
    "tier" TEXT,
    "per_minute" INTEGER NOT NULL,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "reason" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_counts" (
    "rule_id" UUID NOT NULL,
    "subject_key" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(0) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "rate_limit_counts_pkey" PRIMARY KEY ("rule_id","subject_key","bucket")
);

-- CreateIndex
CREATE UNIQUE INDEX "teams_name_key" ON "teams"("name");

-- CreateIndex
CREATE UNIQUE INDEX "people_email_key" ON "people"("email");

-- CreateIndex
CREATE UNIQUE INDEX "people_user_id_key" ON "people"("user_id");

-- CreateIndex
CREATE INDEX "people_team_id_idx" ON "people"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "person_identities_key_key" ON "person_identities"("key");

-- CreateIndex
CREATE INDEX "person_identities_person_id_idx" ON "person_identities"("person_id");

-- CreateIndex
CREATE UNIQUE INDEX "person_identities_channel_account_id_sender_id_key" ON "person_identities"("channel", "account_id", "sender_id");

-- CreateIndex
CREATE UNIQUE INDEX "person_groups_name_key" ON "person_groups"("name");

-- CreateIndex
CREATE INDEX "person_group_members_person_id_idx" ON "person_group_members"("person_id");

-- CreateIndex
CREATE INDEX "identity_rules_agent_id_idx" ON "identity_rules"("agent_id");

-- CreateIndex
CREATE INDEX "rate_limit_counts_bucket_idx" ON "rate_limit_counts"("bucket");

-- CreateIndex
CREATE INDEX "users_team_id_idx" ON "users"("team_id");

-- CreateIndex
CREATE INDEX "agents_team_id_idx" ON "agents"("team_id");

-- CreateIndex
CREATE INDEX "tool_calls_person_id_occurred_at_idx" ON "tool_calls"("person_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gateways" ADD CONSTRAINT "gateways_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agents" ADD CONSTRAINT "agents_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "people" ADD CONSTRAINT "people_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "people" ADD CONSTRAINT "people_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "person_identities" ADD CONSTRAINT "person_identities_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "person_groups" ADD CONSTRAINT "person_groups_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "person_group_members" ADD CONSTRAINT "person_group_members_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "person_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "person_group_members" ADD CONSTRAINT "person_group_members_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity_rules" ADD CONSTRAINT "identity_rules_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity_rules" ADD CONSTRAINT "identity_rules_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "person_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity_rules" ADD CONSTRAINT "identity_rules_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rate_limit_rules" ADD CONSTRAINT "rate_limit_rules_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rate_limit_rules" ADD CONSTRAINT "rate_limit_rules_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "person_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rate_limit_rules" ADD CONSTRAINT "rate_limit_rules_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
