-- AlterTable
ALTER TABLE "tool_call_hourly" ADD COLUMN     "last_at" TIMESTAMPTZ(3);

-- Hand-written: backfill the time of the last call of each rollup row from the calls still kept
-- (rows whose calls retention already dropped keep null; readers fall back to the hour).
UPDATE "tool_call_hourly" h SET last_at = s.last_at
  FROM (SELECT date_trunc('hour', occurred_at, 'UTC') AS hour, gateway_id,
               coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid) AS agent_key,
               tool_name, decision, max(occurred_at) AS last_at
          FROM "tool_calls" GROUP BY 1, 2, 3, 4, 5) s
 WHERE h.hour = s.hour AND h.gateway_id = s.gateway_id AND h.agent_key = s.agent_key
   AND h.tool_name = s.tool_name AND h.decision = s.decision;

-- The insert trigger also keeps last_at (the latest call of the row), so "when did this agent last
-- call this tool" is answered from the rollup without touching tool_calls.
CREATE OR REPLACE FUNCTION warden_tool_call_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Rows are locked in key order, so concurrent batches cannot deadlock.
  INSERT INTO tool_call_hourly AS r (hour, gateway_id, agent_key, agent_name, tool_name, decision, calls, tokens_in, tokens_out, cost_usd, last_at)
  SELECT date_trunc('hour', occurred_at, 'UTC'), gateway_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), max(agent_name), tool_name, decision,
         count(*), coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0), coalesce(sum(cost_usd), 0), max(occurred_at)
  FROM new_rows GROUP BY 1, 2, 3, 5, 6 ORDER BY 1, 2, 3, 5, 6
  ON CONFLICT (hour, gateway_id, agent_key, tool_name, decision) DO UPDATE
    SET calls = r.calls + excluded.calls, tokens_in = r.tokens_in + excluded.tokens_in,
        tokens_out = r.tokens_out + excluded.tokens_out, cost_usd = r.cost_usd + excluded.cost_usd, agent_name = excluded.agent_name,
        last_at = greatest(r.last_at, excluded.last_at);

  INSERT INTO tool_call_agent_daily AS d (day, agent_key, agent_name, calls, blocked, tokens_in, tokens_out, cost_usd)
  SELECT (occurred_at AT TIME ZONE 'UTC')::date, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), max(agent_name),
         count(*), count(*) FILTER (WHERE decision = 'blocked'), coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0), coalesce(sum(cost_usd), 0)
  FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (day, agent_key) DO UPDATE
    SET calls = d.calls + excluded.calls, blocked = d.blocked + excluded.blocked, tokens_in = d.tokens_in + excluded.tokens_in,
        tokens_out = d.tokens_out + excluded.tokens_out, cost_usd = d.cost_usd + excluded.cost_usd, agent_name = excluded.agent_name;

  -- The fleet rows are the hottest: touched last, held only until commit.
  INSERT INTO tool_call_fleet_hourly AS f (hour, decision, calls)
  SELECT date_trunc('hour', occurred_at, 'UTC'), decision, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (hour, decision) DO UPDATE SET calls = f.calls + excluded.calls;
  RETURN NULL;
END $$;

-- "Which agents call this tool" reads only this index (an index-only scan): the columns it needs
-- ride along. Prisma's schema cannot express INCLUDE, so the index keeps its schema name and columns.
DROP INDEX "tool_call_hourly_tool_name_hour_idx";
CREATE INDEX "tool_call_hourly_tool_name_hour_idx" ON "tool_call_hourly" ("tool_name", "hour") INCLUDE ("agent_key", "decision", "calls", "last_at", "agent_name");
