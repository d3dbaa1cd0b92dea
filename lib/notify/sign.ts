import { generateSigningSecret, sign } from "@/lib/connector/signature";
import type { WebhookFormat } from "./schema";

/**
 * Outbound bodies and Standard Webhooks signatures (the same helpers as inbound connector
 * traffic). The receiver verifies `webhook-signature` = "v1,<base64 HMAC-SHA256 of
 * `${webhook-id}.${webhook-timestamp}.${body}`>" keyed by the base64 bytes after "whsec_".
 */
export { generateSigningSecret as generateWebhookSecret };

/** What one delivery carries: its id (stable across retries), event, creation time and data. */
export type OutboundMessage = { id: string; event: string; createdAt: Date; data: Record<string, unknown> };

/** The request body for an endpoint's format. */
export function buildBody(format: WebhookFormat | string, msg: OutboundMessage): string {
  if (format === "slack") return JSON.stringify(slackBody(msg));
  return JSON.stringify({ type: msg.event, timestamp: msg.createdAt.toISOString(), data: msg.data });
}

/** Signature headers for one attempt (the timestamp is the send time, the id is the delivery's). */
export function webhookHeaders(secret: string, id: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "Warden-Webhooks/1",
    "webhook-id": id,
    "webhook-timestamp": String(nowSeconds),
    "webhook-signature": sign(secret, id, nowSeconds, body),
  };
}

// Slack mrkdwn: &, < and > must be escaped or they become links/mentions.
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const MAX_FIELDS = 10;

function scalar(v: unknown): string | null {
  if (typeof v === "string") return v.length > 200 ? `${v.slice(0, 199)}…` : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) {
    const s = v.join(", ");
    return s.length > 200 ? `${s.slice(0, 199)}…` : s;
  }
  return null;
}

/** Slack incoming-webhook JSON: `text` is the fallback, blocks show the event, summary and key facts. */
function slackBody(msg: OutboundMessage) {
  const raw = typeof msg.data.summary === "string" ? msg.data.summary : msg.event;
  const summary = raw.length > 2800 ? `${raw.slice(0, 2799)}…` : raw; // a section's text is capped at 3000
  const fields = Object.entries(msg.data)
    .filter(([k]) => k !== "summary" && k !== "link")
    .map(([k, v]) => [k, scalar(v)] as const)
    .filter((e): e is readonly [string, string] => e[1] !== null && e[1] !== "")
    .slice(0, MAX_FIELDS)
    .map(([k, v]) => ({ type: "mrkdwn", text: `*${esc(k)}*\n${esc(v)}` }));
  const blocks: Record<string, unknown>[] = [{ type: "section", text: { type: "mrkdwn", text: `*${esc(msg.event)}*\n${esc(summary)}` } }];
  if (fields.length) blocks.push({ type: "section", fields });
  // A link to the record in the console (e.g. the approval to decide): only an http(s) URL.
  const link = typeof msg.data.link === "string" && /^https?:\/\/[^\s<>|]+$/.test(msg.data.link) ? msg.data.link : null;
  if (link) blocks.push({ type: "section", text: { type: "mrkdwn", text: `<${link.replace(/&/g, "&amp;")}|Open in Warden>` } });
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `Warden · ${msg.createdAt.toISOString()} · delivery ${msg.id}` }] });
  return { text: summary, blocks };
}
