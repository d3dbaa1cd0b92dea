/**
 * Background work of the Warden server process: the jobs of lib/jobs/catalog.ts (tool-call
 * partitions and retention, findings, webhooks, containment escalation, approval expiry, the spend
 * breaker, playbook triggers, audit checkpoints, evidence exports), scheduled through the background_jobs table so
 * that each period runs on exactly one of the replicas sharing the database. WARDEN_SCHEDULER=off:
 * this replica takes no part in them (the others still run them).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Before Next sees a request: the client address from the socket (X-Forwarded-For only behind the
  // proxies in WARDEN_TRUST_PROXY), and cross-site signed-in state changes refused (lib/http/server-hook.ts).
  await import("@/lib/http/server-hook").then((m) => m.installServerHookOrExit());
  // A bad OIDC_* setting (a role map naming a non-role, …) stops the server with a clear message.
  await import("@/lib/auth/oidc").then((m) => m.exitOnOidcSettingsProblem());
  // Exit promptly on SIGTERM: long-polls end and keep-alive connections close (lib/shutdown.ts).
  await import("@/lib/shutdown").then((m) => m.installShutdownHandlers());
  if (!(await import("@/lib/env")).settings.schedulerEnabled()) return;
  // This replica takes part in the background jobs (lib/jobs/catalog.ts); each period runs on one replica.
  const { defineWardenJobs } = await import("@/lib/jobs/catalog");
  const { startJobs } = await import("@/lib/jobs/registry");
  defineWardenJobs();
  startJobs();
  // The live demo fleet (simulated gateways for the demo seed's gateways), once across replicas as
  // the demo-fleet job; off with WARDEN_DEMO_FLEET=off or when the demo was not seeded.
  void import("@/lib/demo-fleet/job")
    .then((m) => m.defineDemoFleetJob())
    .catch((err) => console.error(`warden: the live demo fleet did not start: ${err instanceof Error ? err.message : String(err)}`));
}
