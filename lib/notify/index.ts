import "server-only";
import type { Tx } from "@/lib/db";
import type { NotifyEvent } from "./events";
import { queueNotification } from "./service";

export { NOTIFY_EVENTS, type NotifyEvent } from "./events";

/**
 * Queue a notification in the caller's transaction: one webhook_deliveries row per enabled
 * endpoint subscribed to `event`. The dispatcher sends them (signed, with timeout and retries).
 * `payload` must not contain secrets (it is redacted anyway); `summary` is the one-line human text
 * (Slack format uses it). `signed`: artifacts Warden signed from public data, sent unredacted.
 */
export async function notify(tx: Tx, event: NotifyEvent, summary: string, payload: Record<string, unknown>, signed: Record<string, unknown> = {}): Promise<number> {
  return queueNotification(tx, event, summary, payload, signed);
}
