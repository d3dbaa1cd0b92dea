import "server-only";
import { checkHostForUse } from "@/lib/net/address-policy";
import { settings } from "@/lib/env";

/**
 * The outbound-request guard (SSRF) for webhooks: Warden sends webhooks to admin-entered URLs, so
 * a URL must not reach Warden's own host, the internal network or a cloud metadata service.
 *
 * - https only; `WARDEN_WEBHOOK_ALLOW_HTTP=1` permits plain http.
 * - The address policy (`lib/net/address-policy.ts`, use "webhook"): public addresses only.
 *   `WARDEN_WEBHOOK_ALLOW_PRIVATE=1` also permits loopback, private (RFC 1918), carrier-grade NAT
 *   and unique-local v6 (an internal receiver, or tests/dev with a local receiver on 127.0.0.1,
 *   which needs both flags since it is plain http). Link-local, metadata, multicast, unspecified,
 *   broadcast and every other IANA special-purpose range stay refused.
 * - No credentials in the URL. Every address a name resolves to must pass; the caller connects to
 *   the returned address (not a second lookup), so DNS rebinding cannot swap it.
 */
export type OutboundCheck = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };

/**
 * Check a webhook target before saving it and again right before each send: returns the
 * resolved, allowed address to connect to, or why the URL is refused (safe to show to the user).
 */
export async function checkOutboundUrl(url: string): Promise<OutboundCheck> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, reason: "Not a valid URL." };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return { ok: false, reason: "Only https URLs are allowed." };
  if (u.protocol === "http:" && !settings.webhookAllowHttp()) return { ok: false, reason: "Use https: plain http is not allowed for webhooks." };
  if (u.username || u.password) return { ok: false, reason: "The URL must not contain a user name or password." };
  const decision = await checkHostForUse(u.hostname, "webhook");
  return decision.ok ? decision : { ok: false, reason: decision.reason };
}
