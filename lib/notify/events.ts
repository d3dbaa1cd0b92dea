/** Event types Warden sends to outbound webhooks. Endpoints subscribe to a subset (empty = all). */
export const NOTIFY_EVENTS = [
  "containment.applied", // a kill switch was confirmed (before gateways ack)
  "containment.released",
  "containment.escalated", // a gateway did not acknowledge a command in time
  "containment.failed", // a gateway answered "failed"
  "budget.threshold", // 50 / 75 / 90 / 100 % of a daily budget
  "incident.opened",
  "tool_request.created",
  "approval.requested", // a tool call waits at a gateway for a person's approval
  "review.overdue", // re-reviews and vendor audits past due
  "audit.checkpoint", // a signed checkpoint of the audit chain (only to endpoints that choose it)
  "webhook.test",
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/**
 * Events sent only to endpoints that list them, never to "all events" ones: the test message, and
 * audit checkpoints (a steady stream meant for an archive or a SIEM, not a chat channel).
 */
export const EXPLICIT_ONLY_EVENTS: readonly NotifyEvent[] = ["webhook.test", "audit.checkpoint"];
