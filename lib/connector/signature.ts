import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is "whsec_" +
 * base64 key bytes; the signature header is "v1,<base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`>",
 * several space-separated during a key rotation. Pure functions, shared with the OpenClaw plugin.
 */
export const SECRET_PREFIX = "whsec_";
export const MAX_SKEW_SECONDS = 5 * 60;

export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

function keyBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  return "v1," + createHmac("sha256", keyBytes(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
}

/** Headers for a signed request (what a gateway sends). */
export function signedHeaders(secret: string, body: string, opts: { id?: string; timestamp?: number } = {}) {
  const id = opts.id ?? `msg_${randomBytes(12).toString("base64url")}`;
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": sign(secret, id, timestamp, body) };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing_headers" | "bad_timestamp" | "stale_timestamp" | "bad_signature" };

/** Verify a request's signature against one or more secrets, timing-safe, with a clock-skew limit. */
export function verifySignature(
  secrets: string[],
  headers: { id: string | null; timestamp: string | null; signature: string | null },
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: "missing_headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "bad_timestamp" };
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > MAX_SKEW_SECONDS) return { ok: false, reason: "stale_timestamp" };
  const offered = signature
    .split(" ")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, id, ts, body).slice(3), "base64");
    for (const o of offered) if (o.length === expected.length && timingSafeEqual(o, expected)) return { ok: true };
  }
  return { ok: false, reason: "bad_signature" };
}
