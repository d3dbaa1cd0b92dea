import "server-only";
import type { z } from "zod";
import { db, isUniqueViolation, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { missingOrDeleted } from "@/lib/audit/deleted";
import { seal } from "@/lib/crypto";
import { redact } from "@/lib/redact";
import type { Prisma } from "@/lib/generated/prisma/client";
import { EXPLICIT_ONLY_EVENTS, type NotifyEvent } from "./events";
import { checkOutboundUrl } from "./ssrf";
import { generateWebhookSecret } from "./sign";
import { wakeWebhookDispatcher } from "./dispatcher";
import type { ZDeliveryRef, ZWebhookCreate, ZWebhookRef, ZWebhookUpdate } from "./schema";

/** The columns of an endpoint that may leave the server (never secretEnc, never the full URL). */
const ENDPOINT_SELECT = { id: true, name: true, url: true, format: true, events: true, enabled: true, createdAt: true, updatedAt: true } as const;
type EndpointRow = Prisma.WebhookEndpointGetPayload<{ select: typeof ENDPOINT_SELECT }>;

/**
 * A webhook URL for display: scheme, host and port only. Paths of incoming-webhook URLs (Slack,
 * Teams, Discord) are bearer secrets themselves, so they are never shown, exported or audited.
 */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 || u.search ? "/…" : "/"}`;
  } catch {
    return "(invalid URL)";
  }
}

/** The public shape of an endpoint (API responses, audit rows). */
export function endpointView(e: EndpointRow) {
  return {
    id: e.id,
    name: e.name,
    urlHost: new URL(e.url).host,
    urlDisplay: displayUrl(e.url),
    format: e.format,
    events: e.events,
    enabled: e.enabled,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
export type WebhookEndpointView = ReturnType<typeof endpointView>;

const auditView = (e: EndpointRow) => ({ name: e.name, url: displayUrl(e.url), format: e.format, events: e.events, enabled: e.enabled });

const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * The stored `data` of a delivery: redacted, JSON-safe (Dates → ISO, bigint → string), bounded.
 * `signed` holds artifacts Warden signed itself from public data (an audit checkpoint and its
 * line): they go out byte for byte, since redacting any part (a `sig` reads like a credential to the
 * redactor) would break their signature. Nothing a user or gateway typed may go there.
 */
export function deliveryData(summary: string, payload: Record<string, unknown>, signed: Record<string, unknown> = {}): Prisma.InputJsonObject {
  const text = JSON.stringify({ ...redact(payload), ...signed, summary: redact(summary) }, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  // A notification must never roll back the caller's mutation: an oversized payload is dropped, not refused.
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) return { summary: redact(summary), truncated: true };
  return JSON.parse(text) as Prisma.InputJsonObject;
}

/** Queue one event to every enabled endpoint subscribed to it, in the caller's transaction. */
export async function queueNotification(tx: Tx, event: NotifyEvent, summary: string, payload: Record<string, unknown>, signed: Record<string, unknown> = {}): Promise<number> {
  // Empty `events` means "all events" — except the explicit-only ones (the test event, checkpoints).
  const subscribed: Prisma.WebhookEndpointWhereInput = EXPLICIT_ONLY_EVENTS.includes(event) ? { events: { has: event } } : { OR: [{ events: { isEmpty: true } }, { events: { has: event } }] };
  const endpoints = await tx.webhookEndpoint.findMany({ where: { enabled: true, ...subscribed }, select: { id: true } });
  if (endpoints.length === 0) return 0;
  const data = deliveryData(summary, payload, signed);
  const { count } = await tx.webhookDelivery.createMany({ data: endpoints.map((e) => ({ endpointId: e.id, event, payload: data })) });
  // The caller's transaction has not committed yet: wake the dispatcher a moment later (the
  // periodic run picks the rows up anyway if this is too early).
  setTimeout(wakeWebhookDispatcher, 250).unref?.();
  return count;
}

async function assertAllowedUrl(url: string) {
  const check = await checkOutboundUrl(url);
  if (!check.ok) throw new AppError("invalid", "This webhook URL is not allowed.", { url: [check.reason] });
}

async function loadEndpoint(tx: Tx, id: string) {
  const e = await tx.webhookEndpoint.findUnique({ where: { id }, select: ENDPOINT_SELECT });
  if (!e) throw new AppError("not_found", "No such webhook endpoint.");
  return e;
}

function nameConflict(err: unknown): never {
  if (isUniqueViolation(err)) throw new AppError("conflict", "A webhook endpoint with this name already exists.", { name: ["Already in use."] });
  throw err;
}

/** Create an endpoint; its signing secret is returned once and stored sealed. */
export async function createWebhookEndpoint(actor: Actor, input: z.infer<typeof ZWebhookCreate>) {
  await assertAllowedUrl(input.url);
  const secret = generateWebhookSecret();
  try {
    const endpoint = await db.$transaction(async (tx) => {
      const e = await tx.webhookEndpoint.create({
        data: { name: input.name, url: input.url, format: input.format, events: input.events, enabled: input.enabled, secretEnc: seal(secret) },
        select: ENDPOINT_SELECT,
      });
      await recordAudit(tx, actor, { action: "webhook.create", targetType: "webhook_endpoint", targetId: e.id, after: auditView(e) });
      return e;
    });
    return { endpoint: endpointView(endpoint), secret };
  } catch (err) {
    nameConflict(err);
  }
}

/** Change an endpoint's name, URL (checked again), format, events or enabled flag. */
export async function updateWebhookEndpoint(actor: Actor, input: z.infer<typeof ZWebhookUpdate>) {
  if (input.url !== undefined) await assertAllowedUrl(input.url);
  try {
    const endpoint = await db.$transaction(async (tx) => {
      const before = await loadEndpoint(tx, input.id);
      const after = await tx.webhookEndpoint.update({
        where: { id: input.id },
        data: { name: input.name, url: input.url, format: input.format, events: input.events, enabled: input.enabled },
        select: ENDPOINT_SELECT,
      });
      await recordAudit(tx, actor, { action: "webhook.update", targetType: "webhook_endpoint", targetId: input.id, before: auditView(before), after: auditView(after) });
      return after;
    });
    // Re-enabling releases deliveries that waited while the endpoint was disabled.
    if (input.enabled) wakeWebhookDispatcher();
    return endpointView(endpoint);
  } catch (err) {
    nameConflict(err);
  }
}

/** Replace the signing secret (effective for the next attempt); the new one is returned once. */
export async function rotateWebhookSecret(actor: Actor, input: z.infer<typeof ZWebhookRef>) {
  const secret = generateWebhookSecret();
  const endpoint = await db.$transaction(async (tx) => {
    const before = await tx.webhookEndpoint.findUnique({ where: { id: input.id }, select: { secretEnc: true } });
    if (!before) throw new AppError("not_found", "No such webhook endpoint.");
    // Conditional on the secret read: of concurrent rotations exactly one replaces it (and audits).
    const claimed = await tx.webhookEndpoint.updateMany({ where: { id: input.id, secretEnc: before.secretEnc }, data: { secretEnc: seal(secret) } });
    if (claimed.count !== 1) throw new AppError("conflict", "This endpoint's secret was rotated by someone else a moment ago.");
    const e = await loadEndpoint(tx, input.id);
    await recordAudit(tx, actor, { action: "webhook.rotate_secret", targetType: "webhook_endpoint", targetId: input.id, after: { rotated: true } });
    return e;
  });
  return { endpoint: endpointView(endpoint), secret };
}

/** Delete an endpoint and its delivery log (the audit trail keeps the record). */
export async function deleteWebhookEndpoint(actor: Actor, input: z.infer<typeof ZWebhookRef>) {
  return db.$transaction(async (tx) => {
    const before = await tx.webhookEndpoint.findUnique({ where: { id: input.id }, select: ENDPOINT_SELECT });
    if (!before) throw await missingOrDeleted(tx, "webhook.delete", input.id, "webhook endpoint");
    const deliveries = await tx.webhookDelivery.count({ where: { endpointId: input.id } });
    // deleteMany, counted: of concurrent deletes exactly one removes the row (and audits), the rest 409.
    const gone = await tx.webhookEndpoint.deleteMany({ where: { id: input.id } });
    if (gone.count !== 1) throw new AppError("conflict", "This webhook endpoint was already deleted.");
    await recordAudit(tx, actor, { action: "webhook.delete", targetType: "webhook_endpoint", targetId: input.id, before: { ...auditView(before), deliveries } });
    return { id: input.id, deleted: true };
  });
}

/** Queue a `webhook.test` delivery to this endpoint only. */
export async function sendTestWebhook(actor: Actor, input: z.infer<typeof ZWebhookRef>) {
  const delivery = await db.$transaction(async (tx) => {
    const e = await loadEndpoint(tx, input.id);
    if (!e.enabled) throw new AppError("conflict", "This endpoint is disabled: enable it before sending a test.");
    const d = await tx.webhookDelivery.create({
      data: { endpointId: e.id, event: "webhook.test", payload: deliveryData(`Test notification from Warden to "${e.name}", sent by ${actor.label}.`, { endpoint: e.name, requestedBy: actor.label }) },
      select: { id: true, state: true, createdAt: true },
    });
    await recordAudit(tx, actor, { action: "webhook.test", targetType: "webhook_endpoint", targetId: e.id, after: { deliveryId: d.id } });
    return d;
  });
  wakeWebhookDispatcher();
  return { deliveryId: delivery.id, state: delivery.state };
}

/** Send a failed or dead delivery again now (one more attempt; a dead one stays dead if it fails). */
export async function retryWebhookDelivery(actor: Actor, input: z.infer<typeof ZDeliveryRef>) {
  const out = await db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ id: string; state: string; attempts: number; enabled: boolean }[]>`
      select d.id::text, d.state, d.attempts, e.enabled from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where d.id = ${input.id}::uuid for update of d`;
    if (!row) throw new AppError("not_found", "No such delivery.");
    if (row.state !== "failed" && row.state !== "dead") throw new AppError("conflict", `Only failed or dead deliveries can be retried (this one is ${row.state}).`);
    // Under the row lock, on the database's clock (which also sets the time below): a failed delivery
    // already due is queued for its next attempt (a retry a moment ago, or its backoff ran out), so
    // a second retry would change nothing.
    const [{ due }] = await tx.$queryRaw<{ due: boolean }[]>`select next_attempt_at <= clock_timestamp() as due from webhook_deliveries where id = ${input.id}::uuid`;
    if (row.state === "failed" && due) throw new AppError("conflict", "A retry of this delivery is already queued.");
    if (!row.enabled) throw new AppError("conflict", "The endpoint is disabled: enable it before retrying.");
    await tx.$executeRaw`update webhook_deliveries set state = 'failed', next_attempt_at = clock_timestamp() where id = ${input.id}::uuid`;
    const d = await tx.webhookDelivery.findUniqueOrThrow({ where: { id: input.id }, select: { id: true, state: true, attempts: true, nextAttemptAt: true } });
    await recordAudit(tx, actor, { action: "webhook.retry", targetType: "webhook_delivery", targetId: input.id, before: { state: row.state, attempts: row.attempts }, after: { state: d.state } });
    return d;
  });
  wakeWebhookDispatcher();
  return out;
}
