-- Hand-written (no schema change): the rollup trigger reads the inserted rows once instead of
-- three times. It groups them by hour, gateway, agent, tool and decision into a materialized CTE;
-- the daily-agent and fleet rollups are then sums over those groups (a few hundred rows, not
-- thousands). Hours are cut with date_bin from a UTC origin: date_trunc('hour', t, 'UTC') decoded
-- the zone name for every row, about a sixth of the trigger's time. Measured with perf on a
-- 5,000-row COPY: the trigger went from about 10% to about 4% of the backend's CPU.
-- Rows are still written in key order within each table, and every run takes the tables in the
-- same order, so concurrent batches cannot deadlock. The fleet rows (two per hour, shared by every
-- writer) are still written last, in their own statement, so a concurrent batch waits on them only
-- for the commit: the first statement hands their sums over in arrays instead of writing them
-- (as that statement's main query they could be written before its CTEs' inserts: PostgreSQL
-- does not order the parts of one statement).
CREATE OR REPLACE FUNCTION warden_tool_call_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fleet_hours timestamptz[];
  fleet_decisions "CallDecision"[];
  fleet_calls int[];
BEGIN
  WITH g AS MATERIALIZED (
    SELECT date_bin('1 hour', occurred_at, timestamptz '2000-01-01 00:00:00+00') AS hour, gateway_id,
           coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid) AS agent_key, max(agent_name) AS agent_name, tool_name, decision,
           count(*) AS calls, coalesce(sum(tokens_in), 0) AS tokens_in, coalesce(sum(tokens_out), 0) AS tokens_out,
           coalesce(sum(cost_usd), 0) AS cost_usd, max(occurred_at) AS last_at
      FROM new_rows GROUP BY 1, 2, 3, 5, 6
  ), hourly AS (
    INSERT INTO tool_call_hourly AS r (hour, gateway_id, agent_key, agent_name, tool_name, decision, calls, tokens_in, tokens_out, cost_usd, last_at)
    SELECT hour, gateway_id, agent_key, agent_name, tool_name, decision, calls, tokens_in, tokens_out, cost_usd, last_at
      FROM g ORDER BY 1, 2, 3, 5, 6
    ON CONFLICT (hour, gateway_id, agent_key, tool_name, decision) DO UPDATE
      SET calls = r.calls + excluded.calls, tokens_in = r.tokens_in + excluded.tokens_in,
          tokens_out = r.tokens_out + excluded.tokens_out, cost_usd = r.cost_usd + excluded.cost_usd, agent_name = excluded.agent_name,
          last_at = greatest(r.last_at, excluded.last_at)
  ), daily AS (
    INSERT INTO tool_call_agent_daily AS d (day, agent_key, agent_name, calls, blocked, tokens_in, tokens_out, cost_usd)
    SELECT (hour AT TIME ZONE 'UTC')::date, agent_key, max(agent_name), sum(calls)::int, coalesce(sum(calls) FILTER (WHERE decision = 'blocked'), 0)::int,
           sum(tokens_in)::bigint, sum(tokens_out)::bigint, sum(cost_usd)
      FROM g GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (day, agent_key) DO UPDATE
      SET calls = d.calls + excluded.calls, blocked = d.blocked + excluded.blocked, tokens_in = d.tokens_in + excluded.tokens_in,
          tokens_out = d.tokens_out + excluded.tokens_out, cost_usd = d.cost_usd + excluded.cost_usd, agent_name = excluded.agent_name
  )
  SELECT array_agg(hour ORDER BY hour, decision), array_agg(decision ORDER BY hour, decision), array_agg(calls ORDER BY hour, decision)
    INTO fleet_hours, fleet_decisions, fleet_calls
    FROM (SELECT hour, decision, sum(calls)::int AS calls FROM g GROUP BY 1, 2) s;

  INSERT INTO tool_call_fleet_hourly AS f (hour, decision, calls)
  SELECT * FROM unnest(fleet_hours, fleet_decisions, fleet_calls)
  ON CONFLICT (hour, decision) DO UPDATE SET calls = f.calls + excluded.calls;
  RETURN NULL;
END $$;
