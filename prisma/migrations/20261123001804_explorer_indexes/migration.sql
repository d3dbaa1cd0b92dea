-- CreateIndex
CREATE INDEX "tool_calls_agent_name_occurred_at_idx" ON "tool_calls"("agent_name", "occurred_at");

-- CreateIndex
CREATE INDEX "tool_calls_gateway_id_occurred_at_idx" ON "tool_calls"("gateway_id", "occurred_at");
