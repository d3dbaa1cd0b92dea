-- AlterEnum
ALTER TYPE "CallDecision" ADD VALUE 'not_run';

-- AlterTable
ALTER TABLE "tool_calls" ADD COLUMN     "policy_decision" "CallDecision";

-- CreateTable
CREATE TABLE "tool_call_open_calls" (
    "gateway_id" UUID NOT NULL,
    "call_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "event_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tool_call_open_calls_pkey" PRIMARY KEY ("gateway_id","call_id")
);

-- CreateIndex
CREATE INDEX "tool_call_open_calls_created_at_idx" ON "tool_call_open_calls"("created_at");

-- Hand-written: one tool call reported in two events (decision, then result) is one row. When
-- ingestion merges the second event into a row stored earlier and the merged row differs in what
-- the rollups count (decision, hour, agent, tool, tokens, cost), it deletes the stored row through
-- this function, which also takes it out of the rollups, then inserts the merged row (counted by
-- the insert trigger). Runs as the caller (the app role may delete tool_calls rows).
CREATE OR REPLACE FUNCTION warden_tool_call_forget(gw uuid[], at timestamptz[], ev text[]) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  n int;
BEGIN
  WITH del AS (
    DELETE FROM tool_calls t USING unnest(gw, at, ev) AS d(gateway_id, occurred_at, event_id)
     WHERE t.gateway_id = d.gateway_id AND t.occurred_at = d.occurred_at AND t.event_id = d.event_id
    RETURNING t.occurred_at, t.gateway_id, t.agent_id, t.tool_name, t.decision, t.tokens_in, t.tokens_out, t.cost_usd
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
  )
  SELECT coalesce(sum(calls), 0)::int INTO n FROM g;
  RETURN n;
END $$;
