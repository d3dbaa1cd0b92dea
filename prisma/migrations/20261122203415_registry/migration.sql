-- AlterTable
ALTER TABLE "grants" ADD COLUMN     "revoke_reason" TEXT;

-- CreateTable
CREATE TABLE "agent_integrations" (
    "agent_id" UUID NOT NULL,
    "integration_id" UUID NOT NULL,

    CONSTRAINT "agent_integrations_pkey" PRIMARY KEY ("agent_id","integration_id")
);

-- AddForeignKey
ALTER TABLE "agent_integrations" ADD CONSTRAINT "agent_integrations_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_integrations" ADD CONSTRAINT "agent_integrations_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
