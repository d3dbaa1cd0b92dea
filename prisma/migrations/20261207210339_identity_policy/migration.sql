-- AlterTable
ALTER TABLE "approval_requests" ADD COLUMN     "chain" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "requester" JSONB,
ADD COLUMN     "tier" TEXT;

-- AlterTable
ALTER TABLE "identity_rules" ADD COLUMN     "timeout_seconds" INTEGER;

-- One rule per subject × agent × tool (and one limit per subject × agent × tool × tier): a second
-- one would make "most specific wins" ambiguous. NULL means "any", so the key coalesces it.
CREATE UNIQUE INDEX "identity_rules_subject_key" ON "identity_rules" (
  "subject", coalesce("person_id", '00000000-0000-0000-0000-000000000000'::uuid), coalesce("group_id", '00000000-0000-0000-0000-000000000000'::uuid),
  coalesce("agent_id", '00000000-0000-0000-0000-000000000000'::uuid), coalesce("tool_name", ''));
CREATE UNIQUE INDEX "rate_limit_rules_subject_key" ON "rate_limit_rules" (
  "subject", coalesce("person_id", '00000000-0000-0000-0000-000000000000'::uuid), coalesce("group_id", '00000000-0000-0000-0000-000000000000'::uuid),
  coalesce("agent_id", '00000000-0000-0000-0000-000000000000'::uuid), coalesce("tool_name", ''), coalesce("tier", ''));
-- A subject names exactly what it needs: a person, a group, or nothing.
ALTER TABLE "identity_rules" ADD CONSTRAINT "identity_rules_subject_check" CHECK (
  ("subject" = 'person' AND "person_id" IS NOT NULL AND "group_id" IS NULL) OR ("subject" = 'group' AND "group_id" IS NOT NULL AND "person_id" IS NULL)
  OR ("subject" IN ('unidentified', 'anyone') AND "person_id" IS NULL AND "group_id" IS NULL));
ALTER TABLE "rate_limit_rules" ADD CONSTRAINT "rate_limit_rules_subject_check" CHECK (
  ("subject" = 'person' AND "person_id" IS NOT NULL AND "group_id" IS NULL) OR ("subject" = 'group' AND "group_id" IS NOT NULL AND "person_id" IS NULL)
  OR ("subject" IN ('unidentified', 'anyone') AND "person_id" IS NULL AND "group_id" IS NULL));
ALTER TABLE "rate_limit_rules" ADD CONSTRAINT "rate_limit_rules_per_minute_check" CHECK ("per_minute" BETWEEN 1 AND 100000);

-- The gateways whose signed policy carries an `identity` section: every gateway when a rule or
-- limit names no agent, else the gateways of the agents the rules and limits name.
CREATE FUNCTION warden_identity_gateways() RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM identity_rules WHERE agent_id IS NULL) OR EXISTS (SELECT 1 FROM rate_limit_rules WHERE agent_id IS NULL)
      THEN (SELECT coalesce(array_agg(id), '{}') FROM gateways)
    ELSE warden_gateways_of_agents(array(SELECT agent_id FROM identity_rules UNION SELECT agent_id FROM rate_limit_rules))
  END
$$;

-- Identity rules and rate limits: a change refreshes the agent's gateway, or every gateway for a
-- rule that names no agent. A trigger (as for grants and data flows) so no path can forget it,
-- including rows removed by a cascade (a person, group or agent deleted).
CREATE FUNCTION warden_policy_identity_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  any_agent boolean;
  agent_ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT bool_or(agent_id IS NULL), array_agg(agent_id) INTO any_agent, agent_ids FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT bool_or(agent_id IS NULL), array_agg(agent_id) INTO any_agent, agent_ids FROM old_rows;
  ELSE
    SELECT bool_or(agent_id IS NULL), array_agg(agent_id) INTO any_agent, agent_ids FROM (SELECT agent_id FROM old_rows UNION ALL SELECT agent_id FROM new_rows) r;
  END IF;
  IF any_agent THEN
    PERFORM warden_policy_touch(array(SELECT id FROM gateways));
  ELSIF agent_ids IS NOT NULL THEN
    PERFORM warden_policy_touch(warden_gateways_of_agents(agent_ids));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER identity_rules_policy_ins AFTER INSERT ON identity_rules REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_rows();
CREATE TRIGGER identity_rules_policy_upd AFTER UPDATE ON identity_rules REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_rows();
CREATE TRIGGER identity_rules_policy_del AFTER DELETE ON identity_rules REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_rows();
CREATE TRIGGER rate_limit_rules_policy_ins AFTER INSERT ON rate_limit_rules REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_rows();
CREATE TRIGGER rate_limit_rules_policy_upd AFTER UPDATE ON rate_limit_rules REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_rows();
CREATE TRIGGER rate_limit_rules_policy_del AFTER DELETE ON rate_limit_rules REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_rows();

-- The directory feeds the `identity` section's people map (enabled people's identity keys and
-- groups): a change there refreshes every gateway whose policy carries that section.
CREATE FUNCTION warden_policy_identity_directory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_policy_touch(warden_identity_gateways());
  RETURN NULL;
END $$;
CREATE TRIGGER people_identity_policy AFTER UPDATE OF disabled_at OR DELETE ON people FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_directory();
CREATE TRIGGER person_identities_identity_policy AFTER INSERT OR UPDATE OR DELETE ON person_identities FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_directory();
CREATE TRIGGER person_group_members_identity_policy AFTER INSERT OR UPDATE OR DELETE ON person_group_members FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_identity_directory();
