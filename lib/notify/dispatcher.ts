import "server-only";
import http from "node:http";
import https from "node:https";
import { db } from "@/lib/db";
import { unseal } from "@/lib/crypto";
import { redactString } from "@/lib/redact";
import { jobsStarted, kickJob } from "@/lib/jobs/registry";
import { runInBackground } from "@/lib/background";
import { checkOutboundUrl } from "./ssrf";
import { pinnedLookup } from "@/lib/net/address-policy";
import { buildBody, webhookHeaders } from "./sign";
import { settings } from "@/lib/env";

/** Attempts before a delivery is given up ("dead"). */
export const MAX_ATTEMPTS = 8;
/** Wait after the n-th failed attempt (then the last value again). */
export const BACKOFF_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 3_600_000];
export const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_LIMIT = 20;
/** The job that sends due webhook deliveries, every 2 s (lib/jobs/catalog.ts). */
export const WEBHOOK_DISPATCH_JOB = "webhook-dispatch";
const MAX_ERROR = 300;

/** The wait before the next attempt after `attempts` failed ones. */
export function backoffMs(attempts: number): number {
  return BACKOFF_MS[Math.min(Math.max(attempts, 1), BACKOFF_MS.length) - 1];
}

type Claimed = { id: string; endpoint_id: string; event: string; payload: unknown; attempts: number; created_at: Date; url: string; format: string; secret_enc: string };
type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export type DispatchResult = { claimed: number; delivered: number; failed: number; dead: number };

/**
 * Send the deliveries that are due (pending or failed, nextAttemptAt <= now, endpoint enabled).
 * Rows are claimed with FOR UPDATE SKIP LOCKED and leased (nextAttemptAt pushed past the send
 * timeout), so several processes never send the same delivery twice at once and a crash mid-send
 * only delays it. 2xx = delivered; anything else (3xx included: redirects are not followed)
 * = failed with backoff, dead after MAX_ATTEMPTS.
 */
export async function dispatchDueWebhooks(opts: { now?: Date; limit?: number; timeoutMs?: number } = {}): Promise<DispatchResult> {
  const now = opts.now ?? new Date();
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lease = new Date(now.getTime() + timeoutMs + 60_000);
  const rows = await db.$queryRaw<Claimed[]>`
    with due as (
      select d.id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where d.state in ('pending', 'failed') and d.next_attempt_at <= ${now}::timestamptz and e.enabled
      order by d.next_attempt_at, d.created_at
      limit ${limit}
      for update of d skip locked
    )
    update webhook_deliveries w set attempts = w.attempts + 1, next_attempt_at = ${lease}::timestamptz
    from due, webhook_endpoints e
    where w.id = due.id and e.id = w.endpoint_id
    returning w.id::text, w.endpoint_id::text, w.event, w.payload, w.attempts, w.created_at, e.url, e.format, e.secret_enc`;

  const result: DispatchResult = { claimed: rows.length, delivered: 0, failed: 0, dead: 0 };
  await Promise.all(
    rows.map(async (row) => {
      const res = await attempt(row, timeoutMs);
      const done = new Date();
      if (res.ok) {
        result.delivered++;
        // updateMany: the endpoint (and so this row) may have been deleted during the send.
        await db.webhookDelivery.updateMany({ where: { id: row.id }, data: { state: "delivered", deliveredAt: done, lastStatus: res.status, lastError: null } });
        return;
      }
      const dead = row.attempts >= MAX_ATTEMPTS;
      if (dead) result.dead++;
      else result.failed++;
      await db.webhookDelivery.updateMany({
        where: { id: row.id },
        data: {
          state: dead ? "dead" : "failed",
          lastStatus: res.status,
          lastError: res.error.slice(0, MAX_ERROR),
          nextAttemptAt: new Date(Math.max(now.getTime(), done.getTime()) + backoffMs(row.attempts)),
        },
      });
    }),
  );
  return result;
}

async function attempt(row: Claimed, timeoutMs: number): Promise<SendResult> {
  let secret: string;
  try {
    secret = unseal(row.secret_enc);
  } catch {
    return { ok: false, status: null, error: "The signing secret cannot be decrypted (was WARDEN_SECRET changed?): rotate the secret." };
  }
  // Checked again at send time: DNS may now point somewhere else, or the env flags changed.
  const check = await checkOutboundUrl(row.url);
  if (!check.ok) return { ok: false, status: null, error: `Refused: ${check.reason}` };
  const data = row.payload && typeof row.payload === "object" && !Array.isArray(row.payload) ? (row.payload as Record<string, unknown>) : {};
  const body = buildBody(row.format, { id: row.id, event: row.event, createdAt: new Date(row.created_at), data });
  return post(row.url, check.address, check.family, webhookHeaders(secret, row.id, body), body, timeoutMs);
}

/**
 * POST to the URL over a connection to `address` (the checked one, never a second DNS answer);
 * TLS still verifies the certificate against the URL's host name.
 */
function post(url: string, address: string, family: 4 | 6, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult> {
  const u = new URL(url);
  const client = u.protocol === "https:" ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = client.request(
      {
        protocol: u.protocol,
        hostname: u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname,
        port: u.port || undefined,
        path: `${u.pathname}${u.search}`,
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(address, family),
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          finish({ ok: true, status });
          res.destroy(); // the body is not needed
          return;
        }
        // Keep a short, redacted excerpt of an error answer (Slack says why it refused, e.g. "invalid_payload").
        let text = "";
        const done = () => {
          const snippet = redactString(text.slice(0, 200).replace(/\s+/g, " ").trim());
          const what = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
          finish({ ok: false, status, error: snippet ? `${what}: ${snippet}` : what });
          res.destroy();
        };
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
          if (text.length >= 200) done();
        });
        res.on("end", done);
        res.on("error", done);
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `Timed out after ${timeoutMs} ms.` });
      req.destroy();
    }, timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) => finish({ ok: false, status: null, error: connectError(err) }));
    req.end(body);
  });
}

/** A connection error in a few words (no URL, so no path secrets). */
function connectError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return "Connection refused.";
    case "ECONNRESET":
      return "Connection reset by the receiver.";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "The host is unreachable.";
    default:
      return err.code ? `Connection failed (${err.code}).` : `Connection failed: ${redactString(err.message).slice(0, 200)}`;
  }
}

/**
 * The "webhook-dispatch" job (lib/jobs/catalog.ts): send what is due, and keep going while batches
 * come back full (more may be due) instead of waiting for the next period.
 */
export async function dispatchAllDueWebhooks(): Promise<void> {
  for (;;) {
    const r = await dispatchDueWebhooks();
    if (r.claimed < DEFAULT_LIMIT) return;
  }
}

/**
 * Make the dispatch job due now (after a notification commits): the next tick of whichever replica
 * runs the scheduler sends it — this one at once when it does. Best effort: the job's period
 * picks the rows up anyway.
 */
export function wakeWebhookDispatcher(): void {
  // A process that neither runs the jobs nor leaves them to other replicas (a test, a CLI) has no one to wake.
  if (!jobsStarted() && settings.schedulerEnabled()) return;
  runInBackground(kickJob(WEBHOOK_DISPATCH_JOB).catch((err) => console.error(`warden: waking the webhook dispatcher failed: ${redactString((err as Error).message)}`)));
}
