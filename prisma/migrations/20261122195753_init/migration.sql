-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'security_lead', 'operator', 'auditor', 'manager');

-- CreateEnum
CREATE TYPE "GatewayKind" AS ENUM ('openclaw', 'generic');

-- CreateEnum
CREATE TYPE "AgentStatus" AS ENUM ('active', 'suspended', 'quarantined');

-- CreateEnum
CREATE TYPE "AgentScope" AS ENUM ('internal', 'external');

-- CreateEnum
CREATE TYPE "ToolKind" AS ENUM ('tool', 'skill', 'mcp_server', 'plugin');

-- CreateEnum
CREATE TYPE "ToolSource" AS ENUM ('builtin', 'clawhub', 'npm', 'vendor', 'internal');

-- CreateEnum
CREATE TYPE "RequestStatus" AS ENUM ('pending', 'approved', 'approved_with_conditions', 'rejected', 'withdrawn');

-- CreateEnum
CREATE TYPE "DecisionOutcome" AS ENUM ('approve', 'approve_with_conditions', 'reject');

-- CreateEnum
CREATE TYPE "GrantKind" AS ENUM ('grant', 'exception');

-- CreateEnum
CREATE TYPE "DataClassification" AS ENUM ('public', 'internal', 'confidential', 'restricted');

-- CreateEnum
CREATE TYPE "FlowStatus" AS ENUM ('proposed', 'approved', 'rejected');

-- CreateEnum
CREATE TYPE "PlaybookTrigger" AS ENUM ('manual', 'vendor_advisory', 'spend_threshold', 'unapproved_burst', 'hash_drift');

-- CreateEnum
CREATE TYPE "PlaybookPhase" AS ENUM ('detection', 'containment', 'investigation', 'recovery', 'post_mortem');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateEnum
CREATE TYPE "IncidentStatus" AS ENUM ('open', 'contained', 'resolved', 'closed');

-- CreateEnum
CREATE TYPE "ContainmentScope" AS ENUM ('tool', 'agent', 'gateway', 'fleet');

-- CreateEnum
CREATE TYPE "ContainmentStatus" AS ENUM ('active', 'released');

-- CreateEnum
CREATE TYPE "DeliveryState" AS ENUM ('pending', 'delivered', 'applied', 'failed', 'timed_out');

-- CreateEnum
CREATE TYPE "FindingKind" AS ENUM ('unapproved_tool', 'hash_drift', 'undocumented_egress', 'spike', 'posture');

-- CreateEnum
CREATE TYPE "FindingStatus" AS ENUM ('open', 'dismissed', 'incident');

-- CreateEnum
CREATE TYPE "CallDecision" AS ENUM ('allowed', 'blocked');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('user', 'api_token', 'gateway', 'system');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('success', 'denied', 'failure');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "password_hash" TEXT,
    "oidc_subject" TEXT,
    "session_epoch" INTEGER NOT NULL DEFAULT 0,
    "disabled_at" TIMESTAMPTZ(3),
    "last_login_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "gateways" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "GatewayKind" NOT NULL,
    "environment" TEXT NOT NULL,
    "admin_ws_url" TEXT,
    "admin_token_enc" TEXT,
    "signing_secret_enc" TEXT,
    "signing_secret_rotated_at" TIMESTAMPTZ(3),
    "last_seen_at" TIMESTAMPTZ(3),
    "policy_version_applied" TEXT,
    "inventory" JSONB,
    "security_audit" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "gateways_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agents" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "external_id" TEXT,
    "gateway_id" UUID,
    "owner" TEXT NOT NULL,
    "team" TEXT,
    "purpose" TEXT NOT NULL,
    "status" "AgentStatus" NOT NULL DEFAULT 'active',
    "scope" "AgentScope" NOT NULL DEFAULT 'internal',
    "channels" TEXT[],
    "model" TEXT,
    "fallback_models" TEXT[],
    "credential_refs" TEXT[],
    "posture" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tools" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ToolKind" NOT NULL,
    "source" "ToolSource" NOT NULL,
    "publisher" TEXT NOT NULL,
    "publisher_verified" BOOLEAN NOT NULL DEFAULT false,
    "description" TEXT NOT NULL DEFAULT '',
    "advisory_flagged_at" TIMESTAMPTZ(3),
    "advisory_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tool_versions" (
    "id" UUID NOT NULL,
    "tool_id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "permissions" JSONB NOT NULL DEFAULT '{}',
    "dependencies" JSONB NOT NULL DEFAULT '[]',
    "dependency_audit" TEXT,
    "vulnerabilities" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tool_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tool_requests" (
    "id" UUID NOT NULL,
    "tool_version_id" UUID NOT NULL,
    "requester_id" UUID NOT NULL,
    "justification" TEXT NOT NULL,
    "requested_permissions" JSONB NOT NULL DEFAULT '{}',
    "agent_ids" UUID[],
    "bundle_ids" UUID[],
    "status" "RequestStatus" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tool_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trust_decisions" (
    "id" UUID NOT NULL,
    "request_id" UUID,
    "tool_version_id" UUID,
    "integration_id" UUID,
    "decider_id" UUID NOT NULL,
    "outcome" "DecisionOutcome" NOT NULL,
    "checklist" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "conditions" JSONB,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "re_review_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_id" UUID,
    "revoke_reason" TEXT,

    CONSTRAINT "trust_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "capability_bundles" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "capability_bundles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bundle_tools" (
    "bundle_id" UUID NOT NULL,
    "tool_id" UUID NOT NULL,

    CONSTRAINT "bundle_tools_pkey" PRIMARY KEY ("bundle_id","tool_id")
);

-- CreateTable
CREATE TABLE "agent_bundles" (
    "agent_id" UUID NOT NULL,
    "bundle_id" UUID NOT NULL,

    CONSTRAINT "agent_bundles_pkey" PRIMARY KEY ("agent_id","bundle_id")
);

-- CreateTable
CREATE TABLE "grants" (
    "id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "tool_id" UUID NOT NULL,
    "kind" "GrantKind" NOT NULL,
    "reason" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "granted_by_id" UUID NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integrations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_verified" BOOLEAN NOT NULL DEFAULT false,
    "reason" TEXT NOT NULL,
    "permissions" TEXT[],
    "audit_date" DATE,
    "audit_result" TEXT,
    "dependency_status" TEXT,
    "security_contact_name" TEXT,
    "security_contact_email" TEXT,
    "security_contact_phone" TEXT,
    "disclosure_process" TEXT,
    "ir_partner" TEXT,
    "degradation" JSONB,
    "next_review_at" TIMESTAMPTZ(3),
    "advisory_flagged_at" TIMESTAMPTZ(3),
    "advisory_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "integrations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_flows" (
    "id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "is_llm_provider" BOOLEAN NOT NULL DEFAULT false,
    "data_sent" TEXT NOT NULL,
    "data_received" TEXT NOT NULL,
    "classification" "DataClassification" NOT NULL,
    "status" "FlowStatus" NOT NULL DEFAULT 'proposed',
    "approver_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "data_flows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "playbooks" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "trigger" "PlaybookTrigger" NOT NULL,
    "trigger_config" JSONB NOT NULL DEFAULT '{}',
    "contacts" JSONB NOT NULL DEFAULT '[]',
    "break_glass" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "playbooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "playbook_steps" (
    "id" UUID NOT NULL,
    "playbook_id" UUID NOT NULL,
    "phase" "PlaybookPhase" NOT NULL,
    "position" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '',
    "action" JSONB,

    CONSTRAINT "playbook_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "drills" (
    "id" UUID NOT NULL,
    "playbook_id" UUID NOT NULL,
    "run_by_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "time_to_contain_ms" INTEGER,
    "step_results" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "drills_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incidents" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "severity" "Severity" NOT NULL,
    "status" "IncidentStatus" NOT NULL DEFAULT 'open',
    "owner_id" UUID,
    "playbook_id" UUID,
    "finding_id" UUID,
    "summary" TEXT NOT NULL DEFAULT '',
    "post_mortem" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "incidents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident_events" (
    "id" BIGSERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "body" JSONB NOT NULL,

    CONSTRAINT "incident_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "containment_actions" (
    "id" UUID NOT NULL,
    "scope" "ContainmentScope" NOT NULL,
    "target" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "ContainmentStatus" NOT NULL DEFAULT 'active',
    "requested_by_id" UUID,
    "incident_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "released_at" TIMESTAMPTZ(3),
    "release_reason" TEXT,

    CONSTRAINT "containment_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "containment_deliveries" (
    "id" UUID NOT NULL,
    "action_id" UUID NOT NULL,
    "gateway_id" UUID NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'apply',
    "state" "DeliveryState" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "acked_at" TIMESTAMPTZ(3),
    "escalated_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "containment_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "findings" (
    "id" UUID NOT NULL,
    "kind" "FindingKind" NOT NULL,
    "severity" "Severity" NOT NULL,
    "status" "FindingStatus" NOT NULL DEFAULT 'open',
    "gateway_id" UUID,
    "agent_id" UUID,
    "tool_name" TEXT,
    "title" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dismiss_reason" TEXT,

    CONSTRAINT "findings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tool_calls" (
    "id" BIGSERIAL NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "gateway_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "agent_id" UUID,
    "agent_name" TEXT NOT NULL,
    "session_key" TEXT,
    "tool_name" TEXT NOT NULL,
    "tool_version" TEXT,
    "tool_hash" TEXT,
    "params" JSONB,
    "result" JSONB,
    "decision" "CallDecision" NOT NULL,
    "block_reason" TEXT,
    "duration_ms" INTEGER,
    "error" TEXT,
    "egress_hosts" TEXT[],
    "tokens_in" INTEGER,
    "tokens_out" INTEGER,
    "cost_usd" DECIMAL(12,6),
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tool_calls_pkey" PRIMARY KEY ("id","occurred_at")
) PARTITION BY RANGE ("occurred_at");

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_type" "ActorType" NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT NOT NULL,
    "role" TEXT,
    "action" TEXT NOT NULL,
    "outcome" "AuditOutcome" NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "ip" TEXT,
    "user_agent" TEXT,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "users_oidc_subject_key" ON "users"("oidc_subject");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "gateways_name_key" ON "gateways"("name");

-- CreateIndex
CREATE UNIQUE INDEX "agents_name_key" ON "agents"("name");

-- CreateIndex
CREATE UNIQUE INDEX "agents_gateway_id_external_id_key" ON "agents"("gateway_id", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "tools_name_key" ON "tools"("name");

-- CreateIndex
CREATE UNIQUE INDEX "tool_versions_tool_id_version_content_hash_key" ON "tool_versions"("tool_id", "version", "content_hash");

-- CreateIndex
CREATE INDEX "tool_requests_status_created_at_idx" ON "tool_requests"("status", "created_at");

-- CreateIndex
CREATE INDEX "trust_decisions_tool_version_id_idx" ON "trust_decisions"("tool_version_id");

-- CreateIndex
CREATE INDEX "trust_decisions_integration_id_idx" ON "trust_decisions"("integration_id");

-- CreateIndex
CREATE UNIQUE INDEX "capability_bundles_name_key" ON "capability_bundles"("name");

-- CreateIndex
CREATE INDEX "grants_agent_id_idx" ON "grants"("agent_id");

-- CreateIndex
CREATE UNIQUE INDEX "integrations_name_key" ON "integrations"("name");

-- CreateIndex
CREATE UNIQUE INDEX "data_flows_agent_id_host_key" ON "data_flows"("agent_id", "host");

-- CreateIndex
CREATE UNIQUE INDEX "playbooks_name_key" ON "playbooks"("name");

-- CreateIndex
CREATE UNIQUE INDEX "playbook_steps_playbook_id_position_key" ON "playbook_steps"("playbook_id", "position");

-- CreateIndex
CREATE INDEX "drills_playbook_id_started_at_idx" ON "drills"("playbook_id", "started_at");

-- CreateIndex
CREATE INDEX "incident_events_incident_id_at_idx" ON "incident_events"("incident_id", "at");

-- CreateIndex
CREATE INDEX "containment_actions_status_created_at_idx" ON "containment_actions"("status", "created_at");

-- CreateIndex
CREATE INDEX "containment_deliveries_gateway_id_state_idx" ON "containment_deliveries"("gateway_id", "state");

-- CreateIndex
CREATE INDEX "findings_status_last_seen_at_idx" ON "findings"("status", "last_seen_at");

-- CreateIndex
CREATE INDEX "tool_calls_tool_name_occurred_at_idx" ON "tool_calls"("tool_name", "occurred_at");

-- CreateIndex
CREATE INDEX "tool_calls_agent_id_occurred_at_idx" ON "tool_calls"("agent_id", "occurred_at");

-- CreateIndex
CREATE INDEX "tool_calls_occurred_at_idx" ON "tool_calls"("occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "tool_calls_gateway_id_event_id_occurred_at_key" ON "tool_calls"("gateway_id", "event_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_hash_key" ON "audit_events"("hash");

-- CreateIndex
CREATE INDEX "audit_events_created_at_idx" ON "audit_events"("created_at");

-- CreateIndex
CREATE INDEX "audit_events_action_created_at_idx" ON "audit_events"("action", "created_at");

-- CreateIndex
CREATE INDEX "audit_events_actor_id_created_at_idx" ON "audit_events"("actor_id", "created_at");

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agents" ADD CONSTRAINT "agents_gateway_id_fkey" FOREIGN KEY ("gateway_id") REFERENCES "gateways"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_versions" ADD CONSTRAINT "tool_versions_tool_id_fkey" FOREIGN KEY ("tool_id") REFERENCES "tools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_requests" ADD CONSTRAINT "tool_requests_tool_version_id_fkey" FOREIGN KEY ("tool_version_id") REFERENCES "tool_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_requests" ADD CONSTRAINT "tool_requests_requester_id_fkey" FOREIGN KEY ("requester_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trust_decisions" ADD CONSTRAINT "trust_decisions_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "tool_requests"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trust_decisions" ADD CONSTRAINT "trust_decisions_tool_version_id_fkey" FOREIGN KEY ("tool_version_id") REFERENCES "tool_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trust_decisions" ADD CONSTRAINT "trust_decisions_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trust_decisions" ADD CONSTRAINT "trust_decisions_decider_id_fkey" FOREIGN KEY ("decider_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trust_decisions" ADD CONSTRAINT "trust_decisions_revoked_by_id_fkey" FOREIGN KEY ("revoked_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bundle_tools" ADD CONSTRAINT "bundle_tools_bundle_id_fkey" FOREIGN KEY ("bundle_id") REFERENCES "capability_bundles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bundle_tools" ADD CONSTRAINT "bundle_tools_tool_id_fkey" FOREIGN KEY ("tool_id") REFERENCES "tools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_bundles" ADD CONSTRAINT "agent_bundles_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_bundles" ADD CONSTRAINT "agent_bundles_bundle_id_fkey" FOREIGN KEY ("bundle_id") REFERENCES "capability_bundles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grants" ADD CONSTRAINT "grants_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grants" ADD CONSTRAINT "grants_tool_id_fkey" FOREIGN KEY ("tool_id") REFERENCES "tools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grants" ADD CONSTRAINT "grants_granted_by_id_fkey" FOREIGN KEY ("granted_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "data_flows" ADD CONSTRAINT "data_flows_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "data_flows" ADD CONSTRAINT "data_flows_approver_id_fkey" FOREIGN KEY ("approver_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "playbook_steps" ADD CONSTRAINT "playbook_steps_playbook_id_fkey" FOREIGN KEY ("playbook_id") REFERENCES "playbooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drills" ADD CONSTRAINT "drills_playbook_id_fkey" FOREIGN KEY ("playbook_id") REFERENCES "playbooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drills" ADD CONSTRAINT "drills_run_by_id_fkey" FOREIGN KEY ("run_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_playbook_id_fkey" FOREIGN KEY ("playbook_id") REFERENCES "playbooks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_finding_id_fkey" FOREIGN KEY ("finding_id") REFERENCES "findings"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "containment_actions" ADD CONSTRAINT "containment_actions_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "containment_actions" ADD CONSTRAINT "containment_actions_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "containment_deliveries" ADD CONSTRAINT "containment_deliveries_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "containment_actions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "containment_deliveries" ADD CONSTRAINT "containment_deliveries_gateway_id_fkey" FOREIGN KEY ("gateway_id") REFERENCES "gateways"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_gateway_id_fkey" FOREIGN KEY ("gateway_id") REFERENCES "gateways"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ─── Hand-written: tool_calls is range-partitioned by day ───
-- A default partition catches rows outside the prepared days; warden_ensure_tool_call_partitions()
-- (called at startup and daily) creates the day partitions ahead of time.
CREATE TABLE "tool_calls_default" PARTITION OF "tool_calls" DEFAULT;

CREATE OR REPLACE FUNCTION warden_ensure_tool_call_partitions(from_day date, to_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  d date := from_day;
  created integer := 0;
  part text;
BEGIN
  WHILE d <= to_day LOOP
    part := 'tool_calls_' || to_char(d, 'YYYYMMDD');
    IF to_regclass(part) IS NULL THEN
      -- Rows for this day may already sit in the default partition: move them across.
      EXECUTE format('CREATE TABLE %I (LIKE tool_calls INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
      EXECUTE format('WITH moved AS (DELETE FROM tool_calls_default WHERE occurred_at >= %L AND occurred_at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                     (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'), part);
      EXECUTE format('ALTER TABLE tool_calls ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                     part, (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
      created := created + 1;
    END IF;
    d := d + 1;
  END LOOP;
  RETURN created;
END $$;

-- ─── Hand-written: the audit trail is append-only ───
-- Hash-chained in the application (lib/audit); the database refuses any change to a written row.
CREATE OR REPLACE FUNCTION warden_audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION warden_audit_events_immutable();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_events_immutable();
