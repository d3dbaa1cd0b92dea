import { z } from "zod";
import { NOTIFY_EVENTS, type NotifyEvent } from "./events";

/** Events an endpoint can subscribe to; `webhook.test` only goes to the endpoint it was sent to. */
export const SUBSCRIBABLE_EVENTS = NOTIFY_EVENTS.filter((e): e is Exclude<NotifyEvent, "webhook.test"> => e !== "webhook.test");

export const WEBHOOK_FORMATS = ["standard", "slack"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
export const WEBHOOK_FORMAT_LABELS: Record<WebhookFormat, string> = {
  standard: "Standard Webhooks (JSON)",
  slack: "Slack-compatible ({ text, blocks })",
};

export const DELIVERY_STATES = ["pending", "delivered", "failed", "dead"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const ZId = z.uuid("Not a valid id.");
const ZName = z.string().trim().min(1, "Required.").max(80, "At most 80 characters.");
// Syntax only here (shared with the form); the SSRF guard runs in the service, after DNS.
const ZUrl = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(2048, "At most 2048 characters.")
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), "Enter an absolute https:// URL.");
const ZEvents = z
  .array(z.enum(SUBSCRIBABLE_EVENTS, { message: `Events must be among: ${SUBSCRIBABLE_EVENTS.join(", ")}` }))
  .max(SUBSCRIBABLE_EVENTS.length)
  .transform((list) => [...new Set(list)]);

export const ZWebhookCreate = z.object({
  name: ZName,
  url: ZUrl,
  format: z.enum(WEBHOOK_FORMATS, { message: "Choose standard or slack." }).default("standard"),
  /** Empty = every event. */
  events: ZEvents.default([]),
  enabled: z.boolean().default(true),
});
export type TWebhookCreate = z.infer<typeof ZWebhookCreate>;

export const ZWebhookUpdate = z
  .object({
    id: ZId,
    name: ZName.optional(),
    url: ZUrl.optional(),
    format: z.enum(WEBHOOK_FORMATS, { message: "Choose standard or slack." }).optional(),
    events: ZEvents.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => v.name !== undefined || v.url !== undefined || v.format !== undefined || v.events !== undefined || v.enabled !== undefined, {
    message: "Nothing to change: send name, url, format, events or enabled.",
    path: ["_"],
  });
export type TWebhookUpdate = z.infer<typeof ZWebhookUpdate>;

export const ZWebhookRef = z.object({ id: ZId });
export const ZDeliveryRef = z.object({ id: ZId });

/** What each event means, for the subscription checkboxes. */
export const NOTIFY_EVENT_LABELS: Record<NotifyEvent, string> = {
  "containment.applied": "Kill switch applied",
  "containment.released": "Kill switch released",
  "containment.escalated": "A gateway did not acknowledge a command in time",
  "containment.failed": "A gateway failed to apply a command",
  "budget.threshold": "Daily budget at 50 / 75 / 90 / 100 %",
  "incident.opened": "Incident opened",
  "tool_request.created": "New tool request",
  "approval.requested": "A tool call waits for a person's approval",
  "review.overdue": "Re-review or vendor audit overdue",
  "audit.checkpoint": "Signed audit-chain checkpoint (only when chosen; keep them outside Warden)",
  "webhook.test": "Test message",
};
