import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { connectorPool } from "@/lib/db-raw";
import { fieldErrorsOf, sanitizeJsonText } from "@/lib/validation";
import { grouped } from "@/lib/db-group";
import { unseal } from "@/lib/crypto";
import { isShuttingDown } from "@/lib/shutdown";
import type { Actor } from "@/lib/auth/actor";
import { MAX_SKEW_SECONDS, verifySignature } from "./signature";
import { settings } from "@/lib/env";

export const GATEWAY_HEADER = "x-warden-gateway";

export type ConnectorError = "missing_gateway" | "unknown_gateway" | "missing_headers" | "bad_timestamp" | "stale_timestamp" | "bad_signature" | "replayed" | "too_large" | "rate_limited" | "invalid";

const STATUS: Record<ConnectorError, number> = {
  missing_gateway: 401,
  unknown_gateway: 401,
  missing_headers: 401,
  bad_timestamp: 400,
  stale_timestamp: 401,
  bad_signature: 401,
  replayed: 409,
  too_large: 413,
  rate_limited: 429,
  invalid: 400,
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

/**
 * Cache-Control for connector answers: never cached, and never gzip-compressed by the server
 * (no-transform): they are small machine-to-machine JSON, and compressing every long-poll and ack
 * cost more CPU than anything else in a fan-out to hundreds of gateways.
 */
export const CONNECTOR_NO_STORE = "no-store, no-transform";

/**
 * Headers of every connector answer: never cached or compressed; while this process shuts down,
 * `Connection: close` too, so the gateway's next request opens a new connection (lib/shutdown.ts).
 */
export function connectorHeaders(): Record<string, string> {
  return { "cache-control": CONNECTOR_NO_STORE, ...connectionHeader() };
}

/** `Connection: close` while this process shuts down (for connector answers with their own caching headers). */
export function connectionHeader(): Record<string, string> {
  return isShuttingDown() ? { connection: "close" } : {};
}

/** A precise 4xx for a connector failure; the code is machine-readable. */
export function connectorError(code: ConnectorError, extra: Record<string, unknown> = {}, status = STATUS[code]) {
  const headers = connectorHeaders();
  if (code === "rate_limited") headers["retry-after"] = "1";
  return NextResponse.json({ error: { code, message: MESSAGES[code], ...extra } }, { status, headers });
}

// Per-gateway token bucket (per server process): a steady rate with a burst.
const RATE_PER_SEC = settings.connectorRatePerSecond();
const BURST = RATE_PER_SEC * 3;
// On globalThis: the direct gateway endpoint (lib/connector/direct.ts, loaded from the server hook)
// and the Next routes may hold separate copies of this module, and they share one budget.
const buckets: Map<string, { tokens: number; at: number }> = ((globalThis as { __wardenConnectorBuckets?: Map<string, { tokens: number; at: number }> }).__wardenConnectorBuckets ??= new Map());
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

/** Parse an authenticated connector body as JSON against `schema`, or a precise 400 with field errors. */
/**
 * JSON.parse for gateway-signed bodies (after the signature check, which covers the bytes as sent).
 * A NUL or a lone surrogate in a gateway's free text (a tool's output, a file name) becomes U+FFFD
 * instead of failing the request: Postgres cannot store either, and one odd event must not cost the
 * batch it came in. Throws SyntaxError for text that is not JSON, like JSON.parse.
 */
export function parseGatewayJson(text: string): unknown {
  return JSON.parse(sanitizeJsonText(text));
}

export function parseConnectorBody<S extends z.ZodType>(body: string, schema: S): { ok: true; data: z.infer<S> } | { ok: false; response: Response } {
  let json: unknown;
  try {
    json = parseGatewayJson(body || "{}");
  } catch {
    return { ok: false, response: connectorError("invalid") };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, response: connectorError("invalid", { fieldErrors: fieldErrorsOf(parsed.error) }) };
}

export type GatewayCredentials = { id: string; name: string; kind: string; signingSecretEnc: string | null; previousSecretEnc: string | null; previousSecretUntil: Date | null };

/**
 * Gateway credentials are kept in process for CREDENTIALS_TTL_MS: every connector request needs
 * them, and with hundreds of gateways long-polling and acknowledging, the lookup was a third of the
 * connector's database round trips. A rotation in this process forgets them at once; one made by
 * another Warden process takes effect here within the TTL. Unknown gateways are never cached.
 */
const CREDENTIALS_TTL_MS = 5_000;
// On globalThis: Next may load this module once per route bundle, and a rotation (a server action)
// must clear the cache the connector routes read.
const credentials: Map<string, { value: GatewayCredentials; until: number }> = ((
  globalThis as { __wardenGatewayCredentials?: Map<string, { value: GatewayCredentials; until: number }> }
).__wardenGatewayCredentials ??= new Map());

const loadCredentials = grouped(async (ids: string[]) => {
  const { rows } = await connectorPool().query<GatewayCredentials>(
    `select id::text as id, name, kind::text as kind, signing_secret_enc as "signingSecretEnc", previous_secret_enc as "previousSecretEnc", previous_secret_until as "previousSecretUntil"
       from gateways where id = any($1::uuid[])`,
    [[...new Set(ids)]],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
});

/** Drop the cached credentials of a gateway (after its secret changes). */
export function forgetGatewayCredentials(gatewayId: string) {
  credentials.delete(gatewayId);
}

/** A gateway's sealed signing secrets (one small statement on the connector pool, cached briefly). */
export async function gatewayCredentials(gatewayId: string): Promise<GatewayCredentials | null> {
  const now = Date.now();
  const hit = credentials.get(gatewayId);
  if (hit && hit.until > now) return hit.value;
  const value = await loadCredentials(gatewayId);
  if (value) {
    if (credentials.size > 10_000) credentials.clear();
    credentials.set(gatewayId, { value, until: now + CREDENTIALS_TTL_MS });
  } else credentials.delete(gatewayId);
  return value;
}

const writeLastSeen = grouped(async (ids: string[]) => {
  await connectorPool().query(`update gateways set last_seen_at = now() where id = any($1::uuid[])`, [[...new Set(ids)]]);
  return ids.map(() => undefined);
});

/** Record that the gateway was heard from (at most every 10 s per gateway and process). */
export async function touchLastSeen(gatewayId: string, now = Date.now()) {
  if (now - (lastSeenWritten.get(gatewayId) ?? 0) <= 10_000) return;
  lastSeenWritten.set(gatewayId, now);
  await writeLastSeen(gatewayId);
}

const reported = new Map<string, string>();
const writeReportedPolicy = grouped(async (items: { gatewayId: string; version: string; expires: Date | null }[]) => {
  await connectorPool().query(
    `update gateways g set policy_version_applied = v.version, policy_expires_reported = v.expires
       from unnest($1::uuid[], $2::text[], $3::timestamptz[]) as v(id, version, expires)
      where g.id = v.id and (g.policy_version_applied is distinct from v.version or g.policy_expires_reported is distinct from v.expires)`,
    [items.map((i) => i.gatewayId), items.map((i) => i.version), items.map((i) => i.expires)],
  );
  return items.map(() => undefined);
});

/**
 * Record the policy the gateway says it enforces (x-warden-policy-version and -expires on every
 * connector request), so the console lists gateways on an old or expired policy. Written only when
 * it changes. A report, not a control: it is shown, never trusted for enforcement.
 */
export async function recordReportedPolicy(gatewayId: string, headers: Headers) {
  const version = headers.get(POLICY_VERSION_HEADER);
  if (!version || !/^[0-9a-f]{1,64}$/i.test(version)) return;
  const rawExpires = headers.get(POLICY_EXPIRES_HEADER);
  const t = rawExpires && rawExpires.length <= 40 ? Date.parse(rawExpires) : NaN;
  const expires = Number.isFinite(t) ? new Date(t) : null;
  const key = `${version} ${expires?.toISOString() ?? ""}`;
  if (reported.get(gatewayId) === key) return;
  if (reported.size > 10_000) reported.clear();
  reported.set(gatewayId, key);
  await writeReportedPolicy({ gatewayId, version: version.toLowerCase(), expires });
}
export const POLICY_VERSION_HEADER = "x-warden-policy-version";
export const POLICY_EXPIRES_HEADER = "x-warden-policy-expires";

/**
 * Remember a request's webhook-id; false when this gateway already sent it (a replay). Requests
 * arriving together are remembered in one statement; within one group only the first of two
 * identical ids counts as new.
 */
const rememberWebhookId = grouped(async (items: { gatewayId: string; webhookId: string }[]) => {
  const { rows } = await connectorPool().query<{ gateway_id: string; webhook_id: string }>(
    `insert into connector_replays (gateway_id, webhook_id) select * from unnest($1::uuid[], $2::text[])
     on conflict do nothing returning gateway_id::text, webhook_id`,
    [items.map((i) => i.gatewayId), items.map((i) => i.webhookId)],
  );
  const fresh = new Set(rows.map((r) => `${r.gateway_id} ${r.webhook_id}`));
  return items.map((i) => fresh.delete(`${i.gatewayId} ${i.webhookId}`));
});

/**
 * What authentication reads of a request: its headers and its body. A web `Request` (the Next
 * routes) is one; the direct gateway endpoint (lib/connector/direct.ts) passes a reader of the
 * node request whose `text()` stops at the size limit and answers null when the body exceeds it.
 */
/** What authenticating a gateway request needs: a web Request, or the direct endpoint's view of a node:http one. */
export type GatewayHttpRequest = { headers: Headers; text(): Promise<string | null>; url?: string; signal?: AbortSignal };

export type GatewayRequest = { gateway: { id: string; name: string; kind: string }; body: string; actor: Actor };

/**
 * Authenticate a gateway→Warden request: gateway id, size limit, per-gateway rate limit,
 * Standard Webhooks signature (timing-safe, 5-minute skew, current or grace-period secret) and
 * replay refusal by webhook-id. Returns the raw body on success, or a precise 4xx response.
 */
export async function authenticateGateway(req: GatewayHttpRequest, opts: { maxBytes: number }): Promise<{ ok: true; value: GatewayRequest } | { ok: false; response: Response }> {
  const gatewayId = req.headers.get(GATEWAY_HEADER);
  if (!gatewayId || !/^[0-9a-f-]{36}$/i.test(gatewayId)) return { ok: false, response: connectorError("missing_gateway") };
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > opts.maxBytes) return { ok: false, response: connectorError("too_large", { maxBytes: opts.maxBytes }) };
  const gateway = await gatewayCredentials(gatewayId);
  if (!gateway?.signingSecretEnc) return { ok: false, response: connectorError("unknown_gateway") };
  if (!takeToken(gateway.id)) return { ok: false, response: connectorError("rate_limited") };
  const body = await req.text();
  if (body === null || Buffer.byteLength(body) > opts.maxBytes) return { ok: false, response: connectorError("too_large", { maxBytes: opts.maxBytes }) };

  const secrets = [unseal(gateway.signingSecretEnc)];
  if (gateway.previousSecretEnc && gateway.previousSecretUntil && gateway.previousSecretUntil > new Date()) secrets.push(unseal(gateway.previousSecretEnc));
  const check = verifySignature(secrets, { id: req.headers.get("webhook-id"), timestamp: req.headers.get("webhook-timestamp"), signature: req.headers.get("webhook-signature") }, body);
  if (!check.ok) return { ok: false, response: connectorError(check.reason) };

  if (!(await rememberWebhookId({ gatewayId: gateway.id, webhookId: req.headers.get("webhook-id")!.slice(0, 200) }))) return { ok: false, response: connectorError("replayed") };
  const now = Date.now();
  if (now - lastPrune > 60_000) {
    lastPrune = now;
    // Ids older than twice the skew window can never verify again: forget them.
    await connectorPool().query(`delete from connector_replays where seen_at < $1`, [new Date(now - 2 * MAX_SKEW_SECONDS * 1000)]);
  }
  await touchLastSeen(gateway.id, now);
  await recordReportedPolicy(gateway.id, req.headers);
  const actor: Actor = { kind: "gateway", gatewayId: gateway.id, label: `gateway:${gateway.name}`, role: null, ip: null, userAgent: req.headers.get("user-agent")?.slice(0, 200) ?? null };
  return { ok: true, value: { gateway: { id: gateway.id, name: gateway.name, kind: gateway.kind }, body, actor } };
}
