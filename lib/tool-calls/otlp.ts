import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { NextResponse } from "next/server";
import { unseal } from "@/lib/crypto";
import { connectorError, gatewayCredentials, parseGatewayJson, takeToken, touchLastSeen } from "@/lib/connector/auth";
import { ingestEvents, MAX_EVENTS_PER_BATCH } from "./ingest";

/**
 * OpenTelemetry ingestion: OTLP/HTTP JSON trace exports (ExportTraceServiceRequest) whose
 * `execute_tool` spans follow the OTel GenAI semantic conventions become Warden tool-call events,
 * stored through the same path as the signed connector API (validation, redaction, idempotency).
 */

export const OTLP_MAX_BYTES = 4 * 1024 * 1024;
const INT4_MAX = 2_147_483_647;
// OTLP AnyValue can nest (arrays, key-value lists); deeper than this is cut off rather than recursed.
const MAX_VALUE_DEPTH = 32;
const MAX_ERROR_DETAILS = 5;
const UUID = /^[0-9a-f-]{36}$/i;

// ---------------------------------------------------------------------------------------------
// Authentication: `Authorization: Bearer <gatewayId>.<signing secret>`
// ---------------------------------------------------------------------------------------------

/** A 401 for a missing, malformed or wrong bearer token (OTel exporters only read the status). */
function unauthenticated(message: string) {
  return NextResponse.json({ error: { code: "unauthenticated", message } }, { status: 401, headers: { "cache-control": "no-store", "www-authenticate": 'Bearer realm="warden-otlp"' } });
}

function unsupportedMediaType(message: string) {
  return NextResponse.json({ error: { code: "unsupported_media_type", message } }, { status: 415, headers: { "cache-control": "no-store" } });
}

// Compared as SHA-256 digests so that the lengths match and the comparison is constant-time.
const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export type OtlpRequest = { gateway: { id: string; name: string }; body: string };

/**
 * Authenticate an OTLP/HTTP request by its bearer token (the gateway id and its current or
 * grace-period signing secret), check the media type (JSON only) and the size limit, and return
 * the (decompressed) body, or a precise 4xx response.
 */
export async function authenticateOtlpRequest(req: Request, opts: { maxBytes: number } = { maxBytes: OTLP_MAX_BYTES }): Promise<{ ok: true; value: OtlpRequest } | { ok: false; response: Response }> {
  const match = /^Bearer\s+([^\s]+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  if (!match) return { ok: false, response: unauthenticated("Send Authorization: Bearer <gateway id>.<signing secret>.") };
  const dot = match[1].indexOf(".");
  const gatewayId = dot > 0 ? match[1].slice(0, dot) : "";
  const offered = dot > 0 ? match[1].slice(dot + 1) : "";
  if (!UUID.test(gatewayId) || !offered) return { ok: false, response: unauthenticated("The bearer token must be <gateway id>.<signing secret>.") };

  const gateway = await gatewayCredentials(gatewayId);
  if (!gateway?.signingSecretEnc) return { ok: false, response: connectorError("unknown_gateway") };
  const secrets = [unseal(gateway.signingSecretEnc)];
  if (gateway.previousSecretEnc && gateway.previousSecretUntil && gateway.previousSecretUntil > new Date()) secrets.push(unseal(gateway.previousSecretEnc));
  const offeredDigest = digest(offered);
  // Every secret is compared (no early exit), so timing does not tell which one matched.
  let matched = false;
  for (const secret of secrets) matched = timingSafeEqual(digest(secret), offeredDigest) || matched;
  if (!matched) return { ok: false, response: unauthenticated("The signing secret does not match this gateway's (or it was rotated).") };
  if (!takeToken(gateway.id)) return { ok: false, response: connectorError("rate_limited") };

  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    return {
      ok: false,
      response: unsupportedMediaType("Only OTLP/HTTP JSON is accepted (Content-Type: application/json); OTLP protobuf is not supported. Set OTEL_EXPORTER_OTLP_PROTOCOL=http/json."),
    };
  }
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") return { ok: false, response: unsupportedMediaType("Content-Encoding must be gzip or none.") };
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > opts.maxBytes) return { ok: false, response: connectorError("too_large", { maxBytes: opts.maxBytes }) };

  const raw = Buffer.from(await req.arrayBuffer());
  if (raw.byteLength > opts.maxBytes) return { ok: false, response: connectorError("too_large", { maxBytes: opts.maxBytes }) };
  let bytes = raw;
  if (encoding === "gzip") {
    try {
      // The limit applies to the decompressed body too: a small gzip bomb is refused, not inflated.
      bytes = gunzipSync(raw, { maxOutputLength: opts.maxBytes });
    } catch (err) {
      if (err instanceof RangeError) return { ok: false, response: connectorError("too_large", { maxBytes: opts.maxBytes }) };
      return { ok: false, response: connectorError("invalid", { message: "The body is not valid gzip." }) };
    }
  }

  await touchLastSeen(gateway.id);
  return { ok: true, value: { gateway: { id: gateway.id, name: gateway.name }, body: bytes.toString("utf8") } };
}

// ---------------------------------------------------------------------------------------------
// OTLP JSON → Warden events
// ---------------------------------------------------------------------------------------------

type Attributes = Map<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** An OTLP AnyValue ({stringValue} | {intValue} | …) as a plain JSON value. */
function anyValue(v: unknown, depth = 0): unknown {
  if (!isObject(v) || depth > MAX_VALUE_DEPTH) return undefined;
  if ("stringValue" in v) return v.stringValue;
  if ("boolValue" in v) return v.boolValue;
  if ("intValue" in v) {
    // int64 travels as a JSON string (proto3 JSON mapping); a number is accepted too.
    const n = typeof v.intValue === "string" && /^-?\d+$/.test(v.intValue) ? Number(v.intValue) : v.intValue;
    return typeof n === "number" && Number.isSafeInteger(n) ? n : v.intValue;
  }
  if ("doubleValue" in v) return typeof v.doubleValue === "string" ? Number(v.doubleValue) : v.doubleValue;
  if ("arrayValue" in v) return listOf(isObject(v.arrayValue) ? v.arrayValue.values : undefined).map((x) => anyValue(x, depth + 1) ?? null);
  if ("kvlistValue" in v) return Object.fromEntries(attributes(isObject(v.kvlistValue) ? v.kvlistValue.values : undefined, depth + 1));
  if ("bytesValue" in v) return v.bytesValue;
  return undefined;
}

/** OTLP attributes ([{key, value}]) as a map; the first occurrence of a key wins. */
function attributes(list: unknown, depth = 0): Attributes {
  const out: Attributes = new Map();
  for (const kv of listOf(list)) {
    if (!isObject(kv) || typeof kv.key !== "string" || out.has(kv.key)) continue;
    const value = anyValue(kv.value, depth);
    if (value !== undefined) out.set(kv.key, value);
  }
  return out;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined);
const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= INT4_MAX ? v : undefined);

/** Nanoseconds since the epoch (a decimal string or a number) as BigInt; 0 means unset in OTLP. */
function nanos(v: unknown): bigint | undefined {
  if (typeof v === "string" && /^\d{1,20}$/.test(v)) return BigInt(v) || undefined;
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return BigInt(v);
  return undefined;
}

function isoOf(ns: bigint | undefined): string | undefined {
  if (ns === undefined) return undefined;
  const ms = Number(ns / 1_000_000n);
  return ms <= 8.64e15 ? new Date(ms).toISOString() : undefined;
}

/** Tool arguments and results usually travel as JSON text: parsed when they are, kept as sent otherwise. */
function jsonOrRaw(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return parseGatewayJson(v);
  } catch {
    return v;
  }
}

// Status codes: 0 UNSET, 1 OK, 2 ERROR (some encoders send the enum name instead).
const isErrorStatus = (code: unknown) => code === 2 || code === "2" || code === "STATUS_CODE_ERROR";

/** Whether a span is an OTel GenAI tool execution. */
function isToolSpan(span: Record<string, unknown>, attrs: Attributes): boolean {
  return attrs.get("gen_ai.operation.name") === "execute_tool" || (typeof span.name === "string" && span.name.startsWith("execute_tool"));
}

export type ToolSpan = { spanId?: string; event: Record<string, unknown> };

/**
 * Select the `execute_tool` spans of an ExportTraceServiceRequest and map each to a Warden
 * tool-call event (not yet validated: ingestEvents validates, redacts and stores). Other spans
 * are ignored.
 */
export function toolSpansOf(request: unknown): ToolSpan[] {
  const out: ToolSpan[] = [];
  for (const rs of listOf(isObject(request) ? request.resourceSpans : undefined)) {
    if (!isObject(rs)) continue;
    const resource = attributes(isObject(rs.resource) ? rs.resource.attributes : undefined);
    for (const ss of listOf(rs.scopeSpans)) {
      if (!isObject(ss)) continue;
      for (const span of listOf(ss.spans)) {
        if (!isObject(span)) continue;
        const attrs = attributes(span.attributes);
        if (!isToolSpan(span, attrs)) continue;
        out.push({ spanId: text(span.spanId), event: eventOf(span, attrs, resource) });
      }
    }
  }
  return out;
}

function eventOf(span: Record<string, unknown>, attrs: Attributes, resource: Attributes): Record<string, unknown> {
  // Agent identity may sit on the span or on the resource; the service name is the last resort.
  const pick = (key: string) => text(attrs.get(key)) ?? text(resource.get(key));
  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  const duration = start !== undefined && end !== undefined && end >= start ? Number((end - start) / 1_000_000n) : undefined;
  const status = isObject(span.status) ? span.status : {};
  const notRun = attrs.get("warden.decision") === "not_run";
  const blocked = attrs.get("warden.decision") === "blocked";
  const policy = attrs.get("warden.policy_decision");
  const policyDecision = notRun && (policy === "allowed" || policy === "blocked") ? policy : undefined;
  const agentId = pick("gen_ai.agent.id");

  const event: Record<string, unknown> = {
    eventId: text(attrs.get("gen_ai.tool.call.id")) ?? text(span.spanId),
    occurredAt: isoOf(start),
    agentId,
    agentName: pick("gen_ai.agent.name") ?? text(resource.get("service.name")) ?? agentId,
    sessionKey: pick("gen_ai.conversation.id"),
    toolName: text(attrs.get("gen_ai.tool.name")),
    params: attrs.has("gen_ai.tool.call.arguments") ? jsonOrRaw(attrs.get("gen_ai.tool.call.arguments")) : undefined,
    result: attrs.has("gen_ai.tool.call.result") ? jsonOrRaw(attrs.get("gen_ai.tool.call.result")) : undefined,
    decision: notRun ? "not_run" : blocked ? "blocked" : "allowed",
    policyDecision,
    blockReason: blocked || policyDecision === "blocked" ? text(attrs.get("warden.block_reason")) : undefined,
    durationMs: count(duration),
    error: isErrorStatus(status.code) ? (text(status.message) ?? text(attrs.get("error.type")) ?? "error") : undefined,
    tokensIn: count(attrs.get("gen_ai.usage.input_tokens")),
    tokensOut: count(attrs.get("gen_ai.usage.output_tokens")),
  };
  // Absent fields are left out rather than sent as undefined/null.
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return event;
}

export type OtlpIngestResult = { toolSpans: number; accepted: number; duplicates: number; rejectedSpans: number; errorMessage?: string };

/**
 * Ingest an OTLP/HTTP JSON trace export for an authenticated gateway: its `execute_tool` spans
 * are stored as tool calls (in batches of at most MAX_EVENTS_PER_BATCH); invalid ones are counted
 * and described for the OTLP partial-success answer.
 */
export async function ingestOtlpTraces(gateway: { id: string }, rawBody: string): Promise<{ ok: true; value: OtlpIngestResult } | { ok: false; response: Response }> {
  let body: unknown;
  try {
    body = parseGatewayJson(rawBody);
  } catch {
    return { ok: false, response: connectorError("invalid", { message: "The body is not valid JSON." }) };
  }
  if (!isObject(body) || (body.resourceSpans !== undefined && !Array.isArray(body.resourceSpans))) {
    return { ok: false, response: connectorError("invalid", { message: 'Expected an OTLP ExportTraceServiceRequest: { "resourceSpans": [ … ] }.' }) };
  }

  const spans = toolSpansOf(body);
  const result: OtlpIngestResult = { toolSpans: spans.length, accepted: 0, duplicates: 0, rejectedSpans: 0 };
  const details: string[] = [];
  for (let offset = 0; offset < spans.length; offset += MAX_EVENTS_PER_BATCH) {
    const chunk = spans.slice(offset, offset + MAX_EVENTS_PER_BATCH);
    const res = await ingestEvents(gateway, JSON.stringify({ events: chunk.map((s) => s.event) }));
    if (!res.ok) return res;
    result.accepted += res.value.accepted;
    result.duplicates += res.value.duplicates;
    result.rejectedSpans += res.value.rejected.length;
    for (const r of res.value.rejected) {
      if (details.length >= MAX_ERROR_DETAILS) break;
      const fields = Object.entries(r.errors)
        .map(([field, messages]) => `${field}: ${messages.join(" ")}`)
        .join("; ");
      details.push(`span ${chunk[r.index].spanId ?? `#${offset + r.index}`}: ${fields}`);
    }
  }
  if (result.rejectedSpans) {
    const more = result.rejectedSpans > details.length ? ` (and ${result.rejectedSpans - details.length} more)` : "";
    result.errorMessage = `${result.rejectedSpans} execute_tool span(s) rejected: ${details.join(" | ")}${more}`;
  }
  return { ok: true, value: result };
}
