/**
 * Background work of the Warden server process: tool-call partitions ahead of time and retention
 * (WARDEN_TOOL_CALL_RETENTION_DAYS, default 90) every 6 hours, and
 * findings computed from telemetry every 5 minutes, outbound webhooks every 2 s, containment
 * escalation and admin-WebSocket retries every 5 s, expiry of pending approvals every 5 s, spend budgets (the circuit breaker) every 30 s, playbook triggers every minute and signed
 * audit-chain checkpoints every WARDEN_AUDIT_CHECKPOINT_MINUTES (default 15). WARDEN_SCHEDULER=off disables all of it (e.g.
 * when several app replicas run and one dedicated instance should do it).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Before Next sees a request: the client address from the socket (X-Forwarded-For only behind the
  // proxies in WARDEN_TRUST_PROXY), and cross-site signed-in state changes refused (lib/http/server-hook.ts).
  await import("@/lib/http/server-hook").then((m) => m.installServerHookOrExit());
  // Exit promptly on SIGTERM: long-polls end and keep-alive connections close (lib/shutdown.ts).
  await import("@/lib/shutdown").then((m) => m.installShutdownHandlers());
  // Every replica, scheduler or not: evidence exports are requested work, queued in the database;
  // each replica claims waiting ones (and those of replicas that died) every 5 s (lib/evidence/runner.ts).
  await import("@/lib/evidence/runner").then(async (m) => (await import("@/lib/periodic")).startPeriodic("evidence exports", 5_000, () => m.runPendingExports()));
  if (process.env.WARDEN_SCHEDULER === "off") return;
  const { startFindingsScheduler } = await import("@/lib/findings/scheduler");
  const { ensureToolCallPartitions } = await import("@/lib/tool-calls/partitions");
  const { applyRetention } = await import("@/lib/tool-calls/retention");
  const partitions = () =>
    ensureToolCallPartitions()
      .then(() => applyRetention())
      .catch((err) => console.error("warden: tool-call partition maintenance failed", err));
  void partitions();
  setInterval(partitions, 6 * 3_600_000).unref();
  startFindingsScheduler();
  const { startWebhookDispatcher } = await import("@/lib/notify/dispatcher");
  startWebhookDispatcher();
  const { startContainmentScheduler } = await import("@/lib/containment/scheduler");
  startContainmentScheduler();
  const { startBreakerScheduler } = await import("@/lib/spend/breaker");
  startBreakerScheduler();
  const { startPlaybookTriggerScheduler } = await import("@/lib/playbooks/triggers");
  startPlaybookTriggerScheduler();
  const { startAuditCheckpointScheduler } = await import("@/lib/audit/checkpoint");
  startAuditCheckpointScheduler();
  const { startApprovalScheduler } = await import("@/lib/approvals/scheduler");
  startApprovalScheduler();
}
