-- CreateTable
CREATE TABLE "tool_call_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "gateway_id" UUID NOT NULL,
    "agent_key" UUID NOT NULL,
    "agent_name" TEXT NOT NULL,
    "tool_name" TEXT NOT NULL,
    "decision" "CallDecision" NOT NULL,
    "calls" INTEGER NOT NULL,
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,

    CONSTRAINT "tool_call_hourly_pkey" PRIMARY KEY ("hour","gateway_id","agent_key","tool_name","decision")
);

-- CreateIndex
CREATE INDEX "tool_call_hourly_tool_name_hour_idx" ON "tool_call_hourly"("tool_name", "hour");

-- CreateIndex
CREATE INDEX "tool_call_hourly_agent_key_hour_idx" ON "tool_call_hourly"("agent_key", "hour");

-- Hand-written: backfill the rollup from tool calls already stored.
INSERT INTO "tool_call_hourly" (hour, gateway_id, agent_key, agent_name, tool_name, decision, calls, tokens_in, tokens_out, cost_usd)
SELECT date_trunc('hour', occurred_at), gateway_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), max(agent_name), tool_name, decision,
       count(*), coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0), coalesce(sum(cost_usd), 0)
FROM "tool_calls"
GROUP BY 1, 2, 3, 5, 6;

-- Hand-written: every insert into tool_calls (ingestion, seed, imports) maintains the rollup in the
-- same transaction, through one statement-level trigger with a transition table (one aggregate per
-- batch, rows locked in key order so concurrent batches cannot deadlock).
CREATE OR REPLACE FUNCTION warden_tool_call_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tool_call_hourly AS r (hour, gateway_id, agent_key, agent_name, tool_name, decision, calls, tokens_in, tokens_out, cost_usd)
  SELECT date_trunc('hour', occurred_at), gateway_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), max(agent_name), tool_name, decision,
         count(*), coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0), coalesce(sum(cost_usd), 0)
  FROM new_rows
  GROUP BY 1, 2, 3, 5, 6
  ORDER BY 1, 2, 3, 5, 6
  ON CONFLICT (hour, gateway_id, agent_key, tool_name, decision) DO UPDATE
    SET calls = r.calls + excluded.calls,
        tokens_in = r.tokens_in + excluded.tokens_in,
        tokens_out = r.tokens_out + excluded.tokens_out,
        cost_usd = r.cost_usd + excluded.cost_usd,
        agent_name = excluded.agent_name;
  RETURN NULL;
END $$;

CREATE TRIGGER tool_calls_rollup AFTER INSERT ON tool_calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_tool_call_rollup();
