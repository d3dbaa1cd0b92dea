-- AlterTable
ALTER TABLE "gateways" ADD COLUMN     "on_policy_expiry" TEXT NOT NULL DEFAULT 'deny',
ADD COLUMN     "policy_expires_reported" TIMESTAMPTZ(3),
ADD COLUMN     "policy_ttl_seconds" INTEGER;

-- CreateTable
CREATE TABLE "gateway_policies" (
    "gateway_id" UUID NOT NULL,
    "version" TEXT,
    "etag" TEXT,
    "signed" JSONB,
    "expires_at" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "stale" BOOLEAN NOT NULL DEFAULT true,
    "gen" BIGINT NOT NULL DEFAULT 0,
    "computed_at" TIMESTAMPTZ(3),

    CONSTRAINT "gateway_policies_pkey" PRIMARY KEY ("gateway_id")
);

-- CreateIndex (a containment's commands: the release trigger and the containment views look them up)
CREATE INDEX "gateway_commands_action_id_idx" ON "gateway_commands"("action_id");

-- AddForeignKey
ALTER TABLE "gateway_policies" ADD CONSTRAINT "gateway_policies_gateway_id_fkey" FOREIGN KEY ("gateway_id") REFERENCES "gateways"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- At most one pending policy_refresh per gateway: bulk changes coalesce into one command each.
CREATE UNIQUE INDEX "gateway_commands_one_pending_refresh" ON "gateway_commands" ("gateway_id") WHERE type = 'policy_refresh' AND state = 'pending';

-- Every change that can alter a gateway's signed policy marks its cached policy stale and enqueues
-- one pending policy_refresh for it, in the transaction of the change; the NOTIFY (sent only if the
-- transaction commits) wakes the gateway's parked long-poll on every Warden process. Triggers rather
-- than calls in each service: no mutation path (console, API, CLI, inventory, playbooks, a script)
-- can forget it. `enqueue` false only marks the cache stale (containment carries its own command).
CREATE FUNCTION warden_policy_touch(gw uuid[], enqueue boolean DEFAULT true) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
  chunk text;
  i int;
BEGIN
  SELECT coalesce(array_agg(DISTINCT g.id ORDER BY g.id), '{}') INTO ids FROM gateways g WHERE g.id = ANY(gw);
  IF cardinality(ids) = 0 THEN RETURN; END IF;
  INSERT INTO gateway_policies (gateway_id, stale, gen) SELECT g, true, 1 FROM unnest(ids) g
    ON CONFLICT (gateway_id) DO UPDATE SET stale = true, gen = gateway_policies.gen + 1;
  IF enqueue THEN
    -- ws_state: gateways with an admin WebSocket also get the refresh over it (the plugin's
    -- warden.policy.refresh gateway method); a coalesced change sends it there again.
    INSERT INTO gateway_commands (id, gateway_id, type, kind, payload, ws_state)
      SELECT gen_random_uuid(), g.id, 'policy_refresh', 'apply', '{}'::jsonb,
             CASE WHEN g.admin_ws_url IS NOT NULL AND g.admin_token_enc IS NOT NULL THEN 'pending' END
        -- A gateway that never connected fetches its policy when it starts: nothing to push.
        FROM gateways g WHERE g.id = ANY(ids) AND g.last_seen_at IS NOT NULL
      ON CONFLICT (gateway_id) WHERE type = 'policy_refresh' AND state = 'pending'
      DO UPDATE SET ws_state = CASE WHEN excluded.ws_state IS NULL THEN gateway_commands.ws_state ELSE 'pending' END;
    SELECT coalesce(array_agg(g.id ORDER BY g.id), '{}') INTO ids FROM gateways g WHERE g.id = ANY(ids) AND g.last_seen_at IS NOT NULL;
    IF cardinality(ids) = 0 THEN RETURN; END IF;
    -- NOTIFY payloads are limited to 8000 bytes: 150 ids (37 bytes each) per message.
    FOR i IN 0 .. (cardinality(ids) - 1) / 150 LOOP
      SELECT string_agg(x::text, ',') INTO chunk FROM unnest(ids[i * 150 + 1 : i * 150 + 150]) x;
      PERFORM pg_notify('warden_wake', chunk);
    END LOOP;
  END IF;
END $$;

-- Gateways whose agents hold a tool through a grant (any, revoked or not) or a bundle.
CREATE FUNCTION warden_gateways_of_tools(tools uuid[]) RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT a.gateway_id), '{}') FROM agents a
   WHERE a.gateway_id IS NOT NULL AND (
     EXISTS (SELECT 1 FROM grants g WHERE g.agent_id = a.id AND g.tool_id = ANY(tools))
     OR EXISTS (SELECT 1 FROM agent_bundles ab JOIN bundle_tools bt ON bt.bundle_id = ab.bundle_id WHERE ab.agent_id = a.id AND bt.tool_id = ANY(tools)))
$$;

CREATE FUNCTION warden_gateways_of_agents(agent_ids uuid[]) RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT a.gateway_id), '{}') FROM agents a WHERE a.id = ANY(agent_ids) AND a.gateway_id IS NOT NULL
$$;

-- agents: a new or removed agent, a move to another gateway, a status or id change.
CREATE FUNCTION warden_policy_agents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM warden_policy_touch(array(SELECT gateway_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM warden_policy_touch(array(SELECT gateway_id FROM old_rows));
  ELSE
    PERFORM warden_policy_touch(array(
      SELECT unnest(ARRAY[o.gateway_id, n.gateway_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE (o.gateway_id, o.status, o.external_id, o.name) IS DISTINCT FROM (n.gateway_id, n.status, n.external_id, n.name)));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER agents_policy_ins AFTER INSERT ON agents REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agents();
CREATE TRIGGER agents_policy_upd AFTER UPDATE ON agents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agents();
CREATE TRIGGER agents_policy_del AFTER DELETE ON agents REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agents();

-- Rows that point at an agent: grants and exceptions, bundle assignments, data flows.
CREATE FUNCTION warden_policy_agent_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM warden_policy_touch(warden_gateways_of_agents(array(SELECT agent_id FROM new_rows)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM warden_policy_touch(warden_gateways_of_agents(array(SELECT agent_id FROM old_rows)));
  ELSE
    PERFORM warden_policy_touch(warden_gateways_of_agents(array(SELECT agent_id FROM old_rows UNION SELECT agent_id FROM new_rows)));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER grants_policy_ins AFTER INSERT ON grants REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();
CREATE TRIGGER grants_policy_upd AFTER UPDATE ON grants REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();
CREATE TRIGGER grants_policy_del AFTER DELETE ON grants REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();
CREATE TRIGGER agent_bundles_policy_ins AFTER INSERT ON agent_bundles REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();
CREATE TRIGGER agent_bundles_policy_upd AFTER UPDATE ON agent_bundles REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();
CREATE TRIGGER agent_bundles_policy_del AFTER DELETE ON agent_bundles REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();
CREATE TRIGGER data_flows_policy_ins AFTER INSERT ON data_flows REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();
CREATE TRIGGER data_flows_policy_upd AFTER UPDATE ON data_flows REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();
CREATE TRIGGER data_flows_policy_del AFTER DELETE ON data_flows REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_rows();

-- Rows that point at a tool: the tools in a bundle.
CREATE FUNCTION warden_policy_tool_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM warden_policy_touch(warden_gateways_of_tools(array(SELECT tool_id FROM new_rows)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM warden_policy_touch(warden_gateways_of_tools(array(SELECT tool_id FROM old_rows)));
  ELSE
    PERFORM warden_policy_touch(warden_gateways_of_tools(array(SELECT tool_id FROM old_rows UNION SELECT tool_id FROM new_rows)));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bundle_tools_policy_ins AFTER INSERT ON bundle_tools REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_tool_rows();
CREATE TRIGGER bundle_tools_policy_upd AFTER UPDATE ON bundle_tools REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_tool_rows();
CREATE TRIGGER bundle_tools_policy_del AFTER DELETE ON bundle_tools REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_tool_rows();

-- Trust decisions (approve, reject, revoke, conditions) of tool versions, and tool renames.
CREATE FUNCTION warden_policy_decisions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM warden_policy_touch(warden_gateways_of_tools(array(SELECT tv.tool_id FROM new_rows d JOIN tool_versions tv ON tv.id = d.tool_version_id)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM warden_policy_touch(warden_gateways_of_tools(array(SELECT tv.tool_id FROM old_rows d JOIN tool_versions tv ON tv.id = d.tool_version_id)));
  ELSE
    PERFORM warden_policy_touch(warden_gateways_of_tools(array(SELECT tv.tool_id FROM (SELECT tool_version_id FROM old_rows UNION SELECT tool_version_id FROM new_rows) d JOIN tool_versions tv ON tv.id = d.tool_version_id)));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER trust_decisions_policy_ins AFTER INSERT ON trust_decisions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_decisions();
CREATE TRIGGER trust_decisions_policy_upd AFTER UPDATE ON trust_decisions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_decisions();
CREATE TRIGGER trust_decisions_policy_del AFTER DELETE ON trust_decisions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_decisions();

CREATE FUNCTION warden_policy_tools() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_policy_touch(warden_gateways_of_tools(array(
    SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.name, o.kind) IS DISTINCT FROM (n.name, n.kind))));
  RETURN NULL;
END $$;
CREATE TRIGGER tools_policy_upd AFTER UPDATE ON tools REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_tools();

CREATE FUNCTION warden_policy_tool_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_policy_touch(warden_gateways_of_tools(array(
    SELECT n.tool_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.tool_id, o.version, o.content_hash) IS DISTINCT FROM (n.tool_id, n.version, n.content_hash)
    UNION SELECT o.tool_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.tool_id IS DISTINCT FROM n.tool_id)));
  RETURN NULL;
END $$;
CREATE TRIGGER tool_versions_policy_upd AFTER UPDATE ON tool_versions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_tool_versions();

-- Containment is in the policy too (deny wins). Its own command reaches the gateway (and the
-- plugin refetches the policy when applying it), so these only mark the cache stale.
CREATE FUNCTION warden_policy_containment_commands() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_policy_touch(array(SELECT gateway_id FROM new_rows WHERE type = 'containment'), false);
  RETURN NULL;
END $$;
CREATE TRIGGER gateway_commands_policy_ins AFTER INSERT ON gateway_commands REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_containment_commands();

CREATE FUNCTION warden_policy_containment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_policy_touch(array(
    SELECT c.gateway_id FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN gateway_commands c ON c.action_id = n.id
     WHERE o.status IS DISTINCT FROM n.status), false);
  RETURN NULL;
END $$;
CREATE TRIGGER containment_actions_policy_upd AFTER UPDATE ON containment_actions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_containment();

-- The per-gateway expiry settings are signed into the policy.
CREATE FUNCTION warden_policy_gateways() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_policy_touch(ARRAY[NEW.id]);
  RETURN NULL;
END $$;
-- Row-level with a column list and WHEN: the frequent last-seen updates of gateways never run it.
CREATE TRIGGER gateways_policy_upd AFTER UPDATE OF policy_ttl_seconds, on_policy_expiry ON gateways FOR EACH ROW
  WHEN ((OLD.policy_ttl_seconds, OLD.on_policy_expiry) IS DISTINCT FROM (NEW.policy_ttl_seconds, NEW.on_policy_expiry)) EXECUTE FUNCTION warden_policy_gateways();
