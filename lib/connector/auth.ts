import "server-only";
import { NextResponse } from "next/server";
import { db, isUniqueViolation } from "@/lib/db";
import { unseal } from "@/lib/crypto";
import type { Actor } from "@/lib/auth/actor";
import { MAX_SKEW_SECONDS, verifySignature } from "./signature";

export const GATEWAY_HEADER = "x-warden-gateway";

export type ConnectorError = "missing_gateway" | "unknown_gateway" | "missing_headers" | "bad_timestamp" | "stale_timestamp" | "bad_signature" | "replayed" | "too_large" | "rate_limited" | "invalid";

const STATUS: Record<ConnectorError, number> = {
  missing_gateway: 401, unknown_gateway: 401, missing_headers: 401, bad_timestamp: 400, stale_timestamp: 401, bad_signature: 401, replayed: 409, too_large: 413, rate_limited: 429, invalid: 400,
};
const MESSAGES: Record<ConnectorError, string> = {
  missing_gateway: `Send the gateway id in the ${GATEWAY_HEADER} header.`,
  unknown_gateway: "Unknown gateway, or it has no signing secret.",
  missing_headers: "Send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks).",
  bad_timestamp: "webhook-timestamp must be Unix seconds.",
  stale_timestamp: `webhook-timestamp is more than ${MAX_SKEW_SECONDS / 60} minutes from Warden's clock.`,
  bad_signature: "The signature does not match the body (or the secret was rotated).",
  replayed: "This webhook-id was already received.",
  too_large: "The body is too large.",
  rate_limited: "Too many requests from this gateway; slow down.",
  invalid: "The body is not valid.",
};

/** A precise 4xx for a connector failure; the code is machine-readable. */
export function connectorError(code: ConnectorError, extra: Record<string, unknown> = {}, status = STATUS[code]) {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (code === "rate_limited") headers["retry-after"] = "1";
  return NextResponse.json({ error: { code, message: MESSAGES[code], ...extra } }, { status, headers });
}

// Per-gateway token bucket (per server process): a steady rate with a burst.
const RATE_PER_SEC = Number(process.env.WARDEN_CONNECTOR_RATE ?? 50);
const BURST = RATE_PER_SEC * 3;
const buckets = new Map<string, { tokens: number; at: number }>();
/** Take one request from the gateway's rate budget (shared by every connector entry point). */
export function takeToken(gatewayId: string): boolean {
  const now = Date.now();
  const b = buckets.get(gatewayId) ?? { tokens: BURST, at: now };
  b.tokens = Math.min(BURST, b.tokens + ((now - b.at) / 1000) * RATE_PER_SEC);
  b.at = now;
  if (b.tokens < 1) {
    buckets.set(gatewayId, b);
    return false;
  }
  b.tokens -= 1;
  buckets.set(gatewayId, b);
  return true;
}

const lastSeenWritten = new Map<string, number>();
let lastPrune = 0;

export type GatewayRequest = { gateway: { id: string; name: string; kind: string }; body: string; actor: Actor };

/**
 * Authenticate a gateway→Warden request: gateway id, size limit, per-gateway rate limit,
 * Standard Webhooks signature (timing-safe, 5-minute skew, current or grace-period secret) and
 * replay refusal by webhook-id. Returns the raw body on success, or a precise 4xx response.
 */
export async function authenticateGateway(req: Request, opts: { maxBytes: number }): Promise<{ ok: true; value: GatewayRequest } | { ok: false; response: Response }> {
  const gatewayId = req.headers.get(GATEWAY_HEADER);
  if (!gatewayId || !/^[0-9a-f-]{36}$/i.test(gatewayId)) return { ok: false, response: connectorError("missing_gateway") };
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > opts.maxBytes) return { ok: false, response: connectorError("too_large", { maxBytes: opts.maxBytes }) };
  const gateway = await db.gateway.findUnique({ where: { id: gatewayId }, select: { id: true, name: true, kind: true, signingSecretEnc: true, previousSecretEnc: true, previousSecretUntil: true } });
  if (!gateway?.signingSecretEnc) return { ok: false, response: connectorError("unknown_gateway") };
  if (!takeToken(gateway.id)) return { ok: false, response: connectorError("rate_limited") };
  const body = await req.text();
  if (Buffer.byteLength(body) > opts.maxBytes) return { ok: false, response: connectorError("too_large", { maxBytes: opts.maxBytes }) };

  const secrets = [unseal(gateway.signingSecretEnc)];
  if (gateway.previousSecretEnc && gateway.previousSecretUntil && gateway.previousSecretUntil > new Date()) secrets.push(unseal(gateway.previousSecretEnc));
  const check = verifySignature(secrets, { id: req.headers.get("webhook-id"), timestamp: req.headers.get("webhook-timestamp"), signature: req.headers.get("webhook-signature") }, body);
  if (!check.ok) return { ok: false, response: connectorError(check.reason) };

  try {
    await db.connectorReplay.create({ data: { gatewayId: gateway.id, webhookId: req.headers.get("webhook-id")!.slice(0, 200) } });
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, response: connectorError("replayed") };
    throw err;
  }
  const now = Date.now();
  if (now - lastPrune > 60_000) {
    lastPrune = now;
    // Ids older than twice the skew window can never verify again: forget them.
    await db.connectorReplay.deleteMany({ where: { seenAt: { lt: new Date(now - 2 * MAX_SKEW_SECONDS * 1000) } } });
  }
  if (now - (lastSeenWritten.get(gateway.id) ?? 0) > 10_000) {
    lastSeenWritten.set(gateway.id, now);
    await db.gateway.update({ where: { id: gateway.id }, data: { lastSeenAt: new Date(now) } });
  }
  const actor: Actor = { kind: "gateway", gatewayId: gateway.id, label: `gateway:${gateway.name}`, role: null, ip: null, userAgent: req.headers.get("user-agent")?.slice(0, 200) ?? null };
  return { ok: true, value: { gateway: { id: gateway.id, name: gateway.name, kind: gateway.kind }, body, actor } };
}
