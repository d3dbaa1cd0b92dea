import "server-only";
import { defineJob } from "./registry";
import { WEBHOOK_DISPATCH_JOB } from "@/lib/notify/dispatcher";
import { checkpointMinutes } from "@/lib/audit/checkpoint";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Each findings run rescans the last day, so calls that arrive late (a gateway catching up) are still judged. */
const FINDINGS_WINDOW_MS = 24 * HOUR;

/**
 * Every background job of the Warden server, in one place: what runs and how often. Each period
 * runs on exactly one replica (lib/jobs/registry.ts). A job whose run outlives its timeout may
 * overlap the next one, which each of these tolerates (conditional updates, SKIP LOCKED, advisory
 * locks, unique keys). The modules are imported when a job first runs.
 */
export function defineWardenJobs(): void {
  defineJob({
    name: "tool-call-partitions",
    everyMs: 6 * HOUR,
    timeoutMs: 30 * MINUTE,
    // Daily partitions ahead of time, then retention (WARDEN_TOOL_CALL_RETENTION_DAYS, default 90).
    run: async () => {
      await (await import("@/lib/tool-calls/partitions")).ensureToolCallPartitions();
      await (await import("@/lib/tool-calls/retention")).applyRetention();
    },
  });
  defineJob({
    name: "findings",
    everyMs: 5 * MINUTE,
    timeoutMs: 10 * MINUTE,
    run: async () => {
      const now = new Date();
      await (await import("@/lib/findings/compute")).computeFindings({ since: new Date(now.getTime() - FINDINGS_WINDOW_MS), now });
    },
  });
  defineJob({
    name: WEBHOOK_DISPATCH_JOB,
    everyMs: 2 * SECOND,
    timeoutMs: MINUTE,
    run: async () => (await import("@/lib/notify/dispatcher")).dispatchAllDueWebhooks(),
  });
  defineJob({
    name: "containment-escalation",
    everyMs: 5 * SECOND,
    timeoutMs: MINUTE,
    // Unacknowledged commands escalate; failed admin-WebSocket sends are retried.
    run: async () => {
      await (await import("@/lib/outbox/escalation")).escalateOverdue();
      await (await import("@/lib/outbox/ws-path")).retryAdminWs();
    },
  });
  defineJob({
    // Claims waiting evidence exports (and those of replicas that died) and starts their builds,
    // which run under their own export leases: the job never holds its lease for a whole build.
    name: "evidence-exports",
    everyMs: 5 * SECOND,
    timeoutMs: MINUTE,
    run: async () => (await import("@/lib/evidence/runner")).runPendingExports(),
  });
  defineJob({
    name: "approval-expiry",
    everyMs: 5 * SECOND,
    timeoutMs: MINUTE,
    run: async () => (await import("@/lib/approvals/service")).expireApprovals(),
  });
  defineJob({
    // Warden-counted (shared) rate limits: buckets older than any window are dropped.
    name: "rate-limit-counts",
    everyMs: MINUTE,
    timeoutMs: MINUTE,
    run: async () => {
      await (await import("@/lib/identity-policy/consume")).pruneRateLimitCounts();
    },
  });
  defineJob({
    name: "spend-breaker",
    everyMs: 30 * SECOND,
    timeoutMs: 2 * MINUTE,
    run: async () => (await import("@/lib/spend/breaker")).evaluateBudgets(),
  });
  defineJob({
    name: "playbook-triggers",
    everyMs: MINUTE,
    timeoutMs: 2 * MINUTE,
    run: async () => (await import("@/lib/playbooks/triggers")).evaluatePlaybookTriggers({ now: new Date() }),
  });
  const minutes = checkpointMinutes();
  if (minutes > 0) {
    defineJob({
      name: "audit-checkpoint",
      everyMs: minutes * MINUTE,
      timeoutMs: 5 * MINUTE,
      run: async () => (await import("@/lib/audit/checkpoint")).createAuditCheckpoint("interval"),
    });
  }
}
