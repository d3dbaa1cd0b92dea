-- AlterEnum
ALTER TYPE "FindingKind" ADD VALUE 'agent_link';

-- AlterTable
ALTER TABLE "tool_calls" ADD COLUMN     "target_agent_id" TEXT;

-- CreateTable
CREATE TABLE "agent_links" (
    "gateway_id" UUID NOT NULL,
    "source_key" UUID NOT NULL,
    "target_external_id" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "blocked" INTEGER NOT NULL DEFAULT 0,
    "first_at" TIMESTAMPTZ(3) NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agent_links_pkey" PRIMARY KEY ("gateway_id","source_key","target_external_id")
);

-- CreateTable
CREATE TABLE "agent_link_approvals" (
    "id" UUID NOT NULL,
    "from_agent_id" UUID NOT NULL,
    "to_agent_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "approved_by_id" UUID,
    "approved_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agent_link_approvals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "agent_links_last_at_idx" ON "agent_links"("last_at");

-- CreateIndex
CREATE INDEX "agent_link_approvals_to_agent_id_idx" ON "agent_link_approvals"("to_agent_id");

-- CreateIndex
CREATE UNIQUE INDEX "agent_link_approvals_from_agent_id_to_agent_id_key" ON "agent_link_approvals"("from_agent_id", "to_agent_id");

-- AddForeignKey
ALTER TABLE "agent_link_approvals" ADD CONSTRAINT "agent_link_approvals_from_agent_id_fkey" FOREIGN KEY ("from_agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_link_approvals" ADD CONSTRAINT "agent_link_approvals_to_agent_id_fkey" FOREIGN KEY ("to_agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written below.

-- A pair is two different agents (reaching itself is always allowed, never approved).
ALTER TABLE "agent_link_approvals" ADD CONSTRAINT "agent_link_approvals_distinct" CHECK (from_agent_id <> to_agent_id);

-- Agent → agent edges, in the same statement as the insert (like the hourly rollups): calls that
-- name a target agent other than the caller's own gateway id. The common batch has none: one pass
-- over the transition table, then nothing. Rows are written in key order (no deadlocks between
-- concurrent batches).
CREATE FUNCTION warden_agent_link_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE target_agent_id IS NOT NULL) THEN RETURN NULL; END IF;
  INSERT INTO agent_links AS l (gateway_id, source_key, target_external_id, calls, blocked, first_at, last_at)
  SELECT n.gateway_id, coalesce(n.agent_id, '00000000-0000-0000-0000-000000000000'::uuid), n.target_agent_id,
         count(*)::int, (count(*) FILTER (WHERE n.decision = 'blocked'))::int, min(n.occurred_at), max(n.occurred_at)
    FROM new_rows n LEFT JOIN agents a ON a.id = n.agent_id
   WHERE n.target_agent_id IS NOT NULL AND n.target_agent_id IS DISTINCT FROM a.external_id
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (gateway_id, source_key, target_external_id) DO UPDATE
    SET calls = l.calls + excluded.calls, blocked = l.blocked + excluded.blocked,
        first_at = least(l.first_at, excluded.first_at), last_at = greatest(l.last_at, excluded.last_at);
  RETURN NULL;
END $$;
CREATE TRIGGER tool_calls_agent_links AFTER INSERT ON tool_calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_agent_link_rollup();

-- A merged call replaces its stored row (lib/tool-calls/ingest.ts): the row it deletes is taken
-- out of the edges too (as out of the hourly rollups), so a call reported in two events counts once.
CREATE OR REPLACE FUNCTION warden_tool_call_forget(gw uuid[], at timestamptz[], ev text[]) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  n int;
BEGIN
  WITH del AS (
    DELETE FROM tool_calls t USING unnest(gw, at, ev) AS d(gateway_id, occurred_at, event_id)
     WHERE t.gateway_id = d.gateway_id AND t.occurred_at = d.occurred_at AND t.event_id = d.event_id
    RETURNING t.occurred_at, t.gateway_id, t.agent_id, t.tool_name, t.decision, t.tokens_in, t.tokens_out, t.cost_usd, t.target_agent_id
  ), g AS MATERIALIZED (
    SELECT date_bin('1 hour', occurred_at, timestamptz '2000-01-01 00:00:00+00') AS hour, gateway_id,
           coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid) AS agent_key, tool_name, decision,
           count(*)::int AS calls, coalesce(sum(tokens_in), 0) AS tokens_in, coalesce(sum(tokens_out), 0) AS tokens_out,
           coalesce(sum(cost_usd), 0) AS cost_usd
      FROM del GROUP BY 1, 2, 3, 4, 5
  ), hourly AS (
    UPDATE tool_call_hourly r SET calls = r.calls - g.calls, tokens_in = r.tokens_in - g.tokens_in,
           tokens_out = r.tokens_out - g.tokens_out, cost_usd = r.cost_usd - g.cost_usd
      FROM g WHERE r.hour = g.hour AND r.gateway_id = g.gateway_id AND r.agent_key = g.agent_key AND r.tool_name = g.tool_name AND r.decision = g.decision
  ), daily AS (
    UPDATE tool_call_agent_daily d SET calls = d.calls - s.calls, blocked = d.blocked - s.blocked, tokens_in = d.tokens_in - s.tokens_in,
           tokens_out = d.tokens_out - s.tokens_out, cost_usd = d.cost_usd - s.cost_usd
      FROM (SELECT (hour AT TIME ZONE 'UTC')::date AS day, agent_key, sum(calls)::int AS calls,
                   coalesce(sum(calls) FILTER (WHERE decision = 'blocked'), 0)::int AS blocked,
                   sum(tokens_in)::bigint AS tokens_in, sum(tokens_out)::bigint AS tokens_out, sum(cost_usd) AS cost_usd
              FROM g GROUP BY 1, 2) s
     WHERE d.day = s.day AND d.agent_key = s.agent_key
  ), fleet AS (
    UPDATE tool_call_fleet_hourly f SET calls = f.calls - s.calls
      FROM (SELECT hour, decision, sum(calls)::int AS calls FROM g GROUP BY 1, 2) s
     WHERE f.hour = s.hour AND f.decision = s.decision
  ), links AS (
    UPDATE agent_links l SET calls = l.calls - s.calls, blocked = l.blocked - s.blocked
      FROM (SELECT d.gateway_id, coalesce(d.agent_id, '00000000-0000-0000-0000-000000000000'::uuid) AS source_key, d.target_agent_id,
                   count(*)::int AS calls, (count(*) FILTER (WHERE d.decision = 'blocked'))::int AS blocked
              FROM del d LEFT JOIN agents a ON a.id = d.agent_id
             WHERE d.target_agent_id IS NOT NULL AND d.target_agent_id IS DISTINCT FROM a.external_id
             GROUP BY 1, 2, 3) s
     WHERE l.gateway_id = s.gateway_id AND l.source_key = s.source_key AND l.target_external_id = s.target_agent_id
  )
  SELECT coalesce(sum(calls), 0)::int INTO n FROM g;
  RETURN n;
END $$;

-- Approved pairs are in the caller's signed policy (agents[].peers): a change refreshes the
-- policy of the gateway of the agent that may call (in the transaction of the change).
CREATE FUNCTION warden_policy_agent_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM warden_policy_touch(warden_gateways_of_agents(array(SELECT from_agent_id FROM new_rows)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM warden_policy_touch(warden_gateways_of_agents(array(SELECT from_agent_id FROM old_rows)));
  ELSE
    PERFORM warden_policy_touch(warden_gateways_of_agents(array(SELECT from_agent_id FROM old_rows UNION SELECT from_agent_id FROM new_rows)));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER agent_link_approvals_policy_ins AFTER INSERT ON agent_link_approvals REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_links();
CREATE TRIGGER agent_link_approvals_policy_upd AFTER UPDATE ON agent_link_approvals REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_links();
CREATE TRIGGER agent_link_approvals_policy_del AFTER DELETE ON agent_link_approvals REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_policy_agent_links();
