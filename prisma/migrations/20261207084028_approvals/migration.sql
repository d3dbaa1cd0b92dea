-- CreateEnum
CREATE TYPE "ApprovalRuleScope" AS ENUM ('tool', 'agent_tool');

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('pending', 'allowed', 'denied', 'expired');

-- CreateTable
CREATE TABLE "approval_rules" (
    "id" UUID NOT NULL,
    "scope" "ApprovalRuleScope" NOT NULL,
    "tool_name" TEXT NOT NULL,
    "agent_id" UUID,
    "match_path" TEXT,
    "match_pattern" TEXT,
    "egress_not_approved" BOOLEAN NOT NULL DEFAULT false,
    "timeout_seconds" INTEGER NOT NULL DEFAULT 120,
    "reason" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "approval_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_requests" (
    "id" UUID NOT NULL,
    "gateway_id" UUID NOT NULL,
    "request_id" TEXT NOT NULL,
    "tool_call_id" TEXT NOT NULL,
    "agent_id" UUID,
    "agent_ref" TEXT NOT NULL,
    "session_key" TEXT,
    "run_id" TEXT,
    "tool_name" TEXT NOT NULL,
    "tool_version" TEXT,
    "params" JSONB,
    "params_hash" TEXT NOT NULL,
    "rule_ref" TEXT,
    "rule_id" UUID,
    "reason" TEXT NOT NULL,
    "timeout_ms" INTEGER NOT NULL,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decision" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decided_by_id" UUID,
    "decided_by_label" TEXT,
    "decision_reason" TEXT,
    "grant_until" TIMESTAMPTZ(3),
    "command_id" UUID,
    "outcome" TEXT,
    "waited_ms" INTEGER,
    "outcome_detail" TEXT,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "approval_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "approval_rules_tool_name_idx" ON "approval_rules"("tool_name");

-- CreateIndex
CREATE INDEX "approval_requests_status_expires_at_idx" ON "approval_requests"("status", "expires_at");

-- CreateIndex
CREATE INDEX "approval_requests_gateway_id_tool_call_id_idx" ON "approval_requests"("gateway_id", "tool_call_id");

-- CreateIndex
CREATE INDEX "approval_requests_agent_id_tool_name_grant_until_idx" ON "approval_requests"("agent_id", "tool_name", "grant_until");

-- CreateIndex
CREATE INDEX "approval_requests_created_at_idx" ON "approval_requests"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "approval_requests_gateway_id_request_id_key" ON "approval_requests"("gateway_id", "request_id");

-- AddForeignKey
ALTER TABLE "approval_rules" ADD CONSTRAINT "approval_rules_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_rules" ADD CONSTRAINT "approval_rules_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_gateway_id_fkey" FOREIGN KEY ("gateway_id") REFERENCES "gateways"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "approval_rules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
