-- CreateTable
CREATE TABLE "tool_call_fleet_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "decision" "CallDecision" NOT NULL,
    "calls" INTEGER NOT NULL,

    CONSTRAINT "tool_call_fleet_hourly_pkey" PRIMARY KEY ("hour","decision")
);

-- CreateTable
CREATE TABLE "tool_call_agent_daily" (
    "day" DATE NOT NULL,
    "agent_key" UUID NOT NULL,
    "agent_name" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "blocked" INTEGER NOT NULL DEFAULT 0,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,

    CONSTRAINT "tool_call_agent_daily_pkey" PRIMARY KEY ("day","agent_key")
);

-- CreateIndex
CREATE INDEX "incidents_status_opened_at_idx" ON "incidents"("status", "opened_at");

-- CreateIndex
CREATE INDEX "containment_actions_incident_id_idx" ON "containment_actions"("incident_id");

-- Hand-written: backfill both coarse rollups from the hourly one.
INSERT INTO "tool_call_fleet_hourly" (hour, decision, calls)
SELECT hour, decision, sum(calls) FROM "tool_call_hourly" GROUP BY 1, 2;
INSERT INTO "tool_call_agent_daily" (day, agent_key, agent_name, calls, blocked, tokens_in, tokens_out, cost_usd)
SELECT (hour AT TIME ZONE 'UTC')::date, agent_key, max(agent_name), sum(calls), coalesce(sum(calls) FILTER (WHERE decision = 'blocked'), 0), sum(tokens_in), sum(tokens_out), sum(cost_usd)
FROM "tool_call_hourly" GROUP BY 1, 2;

-- The insert trigger now maintains all three rollups (each an aggregate of the batch's transition table).
CREATE OR REPLACE FUNCTION warden_tool_call_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Rows are locked in key order, so concurrent batches cannot deadlock.
  INSERT INTO tool_call_hourly AS r (hour, gateway_id, agent_key, agent_name, tool_name, decision, calls, tokens_in, tokens_out, cost_usd)
  SELECT date_trunc('hour', occurred_at, 'UTC'), gateway_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), max(agent_name), tool_name, decision,
         count(*), coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0), coalesce(sum(cost_usd), 0)
  FROM new_rows GROUP BY 1, 2, 3, 5, 6 ORDER BY 1, 2, 3, 5, 6
  ON CONFLICT (hour, gateway_id, agent_key, tool_name, decision) DO UPDATE
    SET calls = r.calls + excluded.calls, tokens_in = r.tokens_in + excluded.tokens_in,
        tokens_out = r.tokens_out + excluded.tokens_out, cost_usd = r.cost_usd + excluded.cost_usd, agent_name = excluded.agent_name;

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
