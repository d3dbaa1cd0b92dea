import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { notify } from "./index";
import { createWebhookAction, retryWebhookDeliveryAction, testWebhookAction, updateWebhookAction } from "./actions";
import { BACKOFF_MS, MAX_ATTEMPTS, dispatchDueWebhooks } from "./dispatcher";

type Received = { headers: http.IncomingHttpHeaders; body: string; url: string };
type Reply = (res: http.ServerResponse) => void;

/** A local receiver on 127.0.0.1 that records requests and answers with `reply` (changeable). */
async function receiver(initial: Reply = (res) => res.writeHead(200).end("ok")) {
  const received: Received[] = [];
  let reply = initial;
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body, url: req.url ?? "" });
      reply(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks/warden?k=1`, received, setReply: (r: Reply) => (reply = r) };
}
const servers: http.Server[] = [];

/** Verify a Standard Webhooks signature independently of Warden's helpers. */
function verify(secret: string, r: Received): boolean {
  const id = String(r.headers["webhook-id"]);
  const ts = String(r.headers["webhook-timestamp"]);
  const sig = String(r.headers["webhook-signature"]);
  if (!sig.startsWith("v1,")) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${r.body}`).digest();
  const offered = Buffer.from(sig.slice(3), "base64");
  return offered.length === expected.length && timingSafeEqual(offered, expected);
}

const FLAGS = { WARDEN_WEBHOOK_ALLOW_HTTP: "1", WARDEN_WEBHOOK_ALLOW_PRIVATE: "1" };
const saved: Record<string, string | undefined> = {};
let actor: Awaited<ReturnType<typeof makeUser>>["actor"];

beforeAll(async () => {
  // Test/dev only: both flags let the dispatcher deliver to a plain-http receiver on loopback.
  for (const [k, v] of Object.entries(FLAGS)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  actor = (await makeUser("admin")).actor;
});
afterAll(async () => {
  for (const k of Object.keys(FLAGS)) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});
beforeEach(async () => {
  // One database per file: each test starts with no endpoints, so a dispatch sees only its rows.
  await db.webhookEndpoint.deleteMany({});
});
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function endpoint(url: string, input: Record<string, unknown> = {}) {
  const res = await execute(actor, createWebhookAction, { name: `hook-${rid()}`, url, ...input });
  if (!res.ok) throw new Error(`create failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
  return res.data;
}
const deliveryOf = async (endpointId: string) => db.webhookDelivery.findFirstOrThrow({ where: { endpointId } });

describe("webhook dispatcher", () => {
  it("delivers a signed Standard Webhooks request that the receiver can verify, exactly once", async () => {
    const rx = await receiver();
    const { endpoint: ep, secret } = await endpoint(rx.url);
    const before = Math.floor(Date.now() / 1000);
    expect(await db.$transaction((tx) => notify(tx, "containment.applied", "Agent x contained", { containmentId: "c-9", scope: "agent", target: "x" }))).toBe(1);

    expect(await dispatchDueWebhooks()).toEqual({ claimed: 1, delivered: 1, failed: 0, dead: 0 });
    expect(rx.received).toHaveLength(1);
    const r = rx.received[0];
    const d = await deliveryOf(ep.id);
    expect(r.url).toBe("/hooks/warden?k=1");
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["webhook-id"]).toBe(d.id);
    expect(Number(r.headers["webhook-timestamp"])).toBeGreaterThanOrEqual(before);
    expect(verify(secret, r)).toBe(true);
    expect(verify(`whsec_${Buffer.alloc(32, 1).toString("base64")}`, r)).toBe(false); // another key
    expect(verify(secret, { ...r, body: r.body.replace("Agent x", "Agent y") })).toBe(false);
    expect(JSON.parse(r.body)).toEqual({
      type: "containment.applied",
      timestamp: d.createdAt.toISOString(),
      data: { summary: "Agent x contained", containmentId: "c-9", scope: "agent", target: "x" },
    });
    expect(d).toMatchObject({ state: "delivered", attempts: 1, lastStatus: 200, lastError: null, deliveredAt: expect.any(Date) });

    expect(await dispatchDueWebhooks()).toMatchObject({ claimed: 0 });
    expect(rx.received).toHaveLength(1);
  });

  it("retries a failing receiver with growing backoff, then delivers with the same webhook-id", async () => {
    const rx = await receiver((res) => res.writeHead(500, { "content-type": "text/plain" }).end("database down"));
    const { endpoint: ep, secret } = await endpoint(rx.url);
    await db.$transaction((tx) => notify(tx, "incident.opened", "Incident opened", { incidentId: "i-1" }));

    const t0 = new Date();
    expect(await dispatchDueWebhooks({ now: t0 })).toMatchObject({ claimed: 1, failed: 1 });
    const first = await deliveryOf(ep.id);
    expect(first).toMatchObject({ state: "failed", attempts: 1, lastStatus: 500, lastError: "HTTP 500: database down", deliveredAt: null });
    const gap1 = first.nextAttemptAt.getTime() - t0.getTime();
    expect(gap1).toBeGreaterThanOrEqual(BACKOFF_MS[0]);
    expect(gap1).toBeLessThan(BACKOFF_MS[0] + 5_000);

    // Not due yet: nothing is sent.
    expect(await dispatchDueWebhooks({ now: new Date(first.nextAttemptAt.getTime() - 1000) })).toMatchObject({ claimed: 0 });
    expect(rx.received).toHaveLength(1);

    const t1 = new Date(first.nextAttemptAt.getTime() + 1);
    expect(await dispatchDueWebhooks({ now: t1 })).toMatchObject({ claimed: 1, failed: 1 });
    const second = await deliveryOf(ep.id);
    expect(second).toMatchObject({ state: "failed", attempts: 2 });
    const gap2 = second.nextAttemptAt.getTime() - t1.getTime();
    expect(gap2).toBeGreaterThanOrEqual(BACKOFF_MS[1]);
    expect(gap2).toBeGreaterThan(gap1);

    rx.setReply((res) => res.writeHead(204).end());
    expect(await dispatchDueWebhooks({ now: new Date(second.nextAttemptAt.getTime() + 1) })).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await deliveryOf(ep.id)).toMatchObject({ state: "delivered", attempts: 3, lastStatus: 204, lastError: null });
    expect(rx.received).toHaveLength(3);
    expect(new Set(rx.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([first.id]));
    for (const r of rx.received) expect(verify(secret, r)).toBe(true);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts ("dead"); "Retry now" sends once more`, async () => {
    const rx = await receiver((res) => res.writeHead(503).end());
    const { endpoint: ep } = await endpoint(rx.url);
    await db.$transaction((tx) => notify(tx, "review.overdue", "3 reviews overdue", { count: 3 }));
    const d = await deliveryOf(ep.id);
    await db.webhookDelivery.update({ where: { id: d.id }, data: { state: "failed", attempts: MAX_ATTEMPTS - 1 } });

    expect(await dispatchDueWebhooks()).toMatchObject({ claimed: 1, dead: 1 });
    expect(await deliveryOf(ep.id)).toMatchObject({ state: "dead", attempts: MAX_ATTEMPTS, lastStatus: 503 });
    // Dead rows are not picked up again, however late it is.
    expect(await dispatchDueWebhooks({ now: new Date(Date.now() + 86_400_000) })).toMatchObject({ claimed: 0 });

    rx.setReply((res) => res.writeHead(200).end());
    expect(await execute(actor, retryWebhookDeliveryAction, { id: d.id })).toMatchObject({ ok: true });
    expect(await dispatchDueWebhooks()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await deliveryOf(ep.id)).toMatchObject({ state: "delivered", attempts: MAX_ATTEMPTS + 1 });
  });

  it("marks a receiver that never answers as failed within the timeout", async () => {
    const rx = await receiver(() => {}); // holds the request open
    const { endpoint: ep } = await endpoint(rx.url);
    await db.$transaction((tx) => notify(tx, "budget.threshold", "Budget at 75 %", { percent: 75 }));
    const started = Date.now();
    expect(await dispatchDueWebhooks({ timeoutMs: 300 })).toMatchObject({ claimed: 1, failed: 1 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await deliveryOf(ep.id)).toMatchObject({ state: "failed", attempts: 1, lastStatus: null, lastError: "Timed out after 300 ms." });
  });

  it("does not follow redirects (3xx is a failure) and reports refused connections", async () => {
    const rx = await receiver((res) => res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end());
    const { endpoint: ep } = await endpoint(rx.url);
    const closed = await receiver();
    const { endpoint: gone } = await endpoint(closed.url);
    await new Promise((r) => servers.pop()!.close(r)); // nothing listens there any more
    await db.$transaction((tx) => notify(tx, "containment.failed", "Gateway g failed", {}));

    expect(await dispatchDueWebhooks()).toMatchObject({ claimed: 2, failed: 2 });
    expect(await deliveryOf(ep.id)).toMatchObject({ state: "failed", lastStatus: 302, lastError: "HTTP 302 (redirects are not followed)" });
    expect(rx.received).toHaveLength(1);
    expect(await deliveryOf(gone.id)).toMatchObject({ state: "failed", lastStatus: null, lastError: "Connection refused." });
  });

  it("sends a Slack-compatible body, still signed", async () => {
    const rx = await receiver();
    const { endpoint: ep, secret } = await endpoint(rx.url, { format: "slack", events: ["tool_request.created"] });
    await db.$transaction((tx) => notify(tx, "tool_request.created", "alice asked for <tool> & more", { tool: "web_fetch", agents: ["a1", "a2"], nested: { skip: true } }));
    expect(await dispatchDueWebhooks()).toMatchObject({ delivered: 1 });
    const r = rx.received[0];
    expect(verify(secret, r)).toBe(true);
    expect(r.headers["webhook-id"]).toBe((await deliveryOf(ep.id)).id);
    const body = JSON.parse(r.body);
    expect(body.text).toBe("alice asked for <tool> & more");
    expect(body.blocks[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: "*tool_request.created*\nalice asked for &lt;tool&gt; &amp; more" } });
    expect(body.blocks[1]).toEqual({
      type: "section",
      fields: [
        { type: "mrkdwn", text: "*tool*\nweb_fetch" },
        { type: "mrkdwn", text: "*agents*\na1, a2" },
      ],
    });
    expect(body.blocks[2]).toMatchObject({ type: "context", elements: [{ type: "mrkdwn", text: expect.stringContaining("Warden") }] });
    expect(body).not.toHaveProperty("type");
  });

  it("checks the URL again at send time and skips disabled endpoints", async () => {
    const rx = await receiver();
    const { endpoint: ep } = await endpoint(rx.url);
    const other = await receiver();
    const { endpoint: paused } = await endpoint(other.url);
    expect(await execute(actor, testWebhookAction, { id: ep.id })).toMatchObject({ ok: true });
    expect(await execute(actor, testWebhookAction, { id: paused.id })).toMatchObject({ ok: true });
    expect(await execute(actor, updateWebhookAction, { id: paused.id, enabled: false })).toMatchObject({ ok: true });

    delete process.env.WARDEN_WEBHOOK_ALLOW_PRIVATE;
    try {
      expect(await dispatchDueWebhooks()).toMatchObject({ claimed: 1, failed: 1 });
    } finally {
      process.env.WARDEN_WEBHOOK_ALLOW_PRIVATE = "1";
    }
    expect(rx.received).toHaveLength(0);
    expect(await deliveryOf(ep.id)).toMatchObject({ state: "failed", lastError: expect.stringMatching(/^Refused: 127\.0\.0\.1 is a loopback address/) });
    // The disabled endpoint's test waits (not sent, not failed) until it is enabled again.
    expect(await deliveryOf(paused.id)).toMatchObject({ state: "pending", attempts: 0 });
    expect(other.received).toHaveLength(0);
    expect(await execute(actor, updateWebhookAction, { id: paused.id, enabled: true })).toMatchObject({ ok: true });
    expect(await dispatchDueWebhooks()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(JSON.parse(other.received[0].body)).toMatchObject({ type: "webhook.test", data: { endpoint: paused.name } });
  });

  it("two dispatchers running at once never send the same delivery twice", async () => {
    const rx = await receiver((res) => setTimeout(() => res.writeHead(200).end(), 50));
    await endpoint(rx.url);
    await endpoint(rx.url);
    for (let i = 0; i < 5; i++) await db.$transaction((tx) => notify(tx, "incident.opened", `incident ${i}`, { i }));
    const results = await Promise.all([dispatchDueWebhooks({ limit: 6 }), dispatchDueWebhooks({ limit: 6 }), dispatchDueWebhooks({ limit: 6 })]);
    const delivered = results.reduce((n, r) => n + r.delivered, 0);
    expect(delivered).toBe(10);
    expect(rx.received).toHaveLength(10);
    expect(new Set(rx.received.map((r) => r.headers["webhook-id"])).size).toBe(10);
    expect(await db.webhookDelivery.count({ where: { state: "delivered", attempts: 1 } })).toBe(10);
  });
});
