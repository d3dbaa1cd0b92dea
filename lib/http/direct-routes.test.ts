import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import nextConfig from "@/next.config";

// A small per-gateway budget (burst 3), so the shared rate limit can be exercised; read at import.
process.env.WARDEN_CONNECTOR_RATE = "1";
const { installServerHook } = await import("@/lib/http/server-hook");
const { POST } = await import("@/app/api/v1/connector/events/route");
const { API_SECURITY_HEADERS } = await import("@/lib/connector/direct");
const { enqueueCommands } = await import("@/lib/outbox/commands");

/**
 * The direct events endpoint (lib/http/direct-routes.ts) against the Next route it stands in for:
 * every case runs through both, and both must answer alike. The stand-in for Next answers 599, so
 * a request the hook did not serve shows.
 */
let server: http.Server;
let base = "";
beforeAll(async () => {
  installServerHook({});
  server = http.createServer((_req, res) => {
    res.writeHead(599, { "content-type": "application/json" });
    res.end(JSON.stringify({ reachedNext: true }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

type Transport = "direct" | "next";
type Opts = { id?: string; timestamp?: number; secret?: string; gatewayId?: string; headers?: Record<string, string>; tamper?: (body: string) => string };

async function makeGateway() {
  const secret = generateSigningSecret();
  const gateway = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  return { gateway, secret };
}
const event = () => ({ eventId: `evt-${rid()}`, occurredAt: new Date().toISOString(), agentName: "support-bot", toolName: "web_fetch", decision: "allowed", params: { url: "https://example.com" } });
const stored = (gatewayId: string) => db.toolCall.count({ where: { gatewayId } });

async function send(via: Transport, g: { gateway: { id: string }; secret: string }, payload: unknown, opts: Opts = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const headers = { ...signedHeaders(opts.secret ?? g.secret, body, opts), "x-warden-gateway": opts.gatewayId ?? g.gateway.id, "content-type": "application/json", ...opts.headers };
  const sent = opts.tamper ? opts.tamper(body) : body;
  const res =
    via === "direct"
      ? await fetch(`${base}/api/v1/connector/events`, { method: "POST", headers, body: sent })
      : await POST(new Request("http://x/api/v1/connector/events", { method: "POST", headers, body: sent }));
  return { status: res.status, headers: res.headers, json: (await res.json()) as { error?: { code: string; maxBytes?: number }; accepted?: number; reachedNext?: boolean } };
}

describe.each(["direct", "next"] as const)("POST /api/v1/connector/events through %s", (via) => {
  it("accepts a signed batch with 202 and stores it", async () => {
    const g = await makeGateway();
    const res = await send(via, g, { events: [event(), event()] });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(await stored(g.gateway.id)).toBe(2);
    if (via === "direct") for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) expect(res.headers.get(k)).toBe(v);
  });

  it.each([
    ["bad signature", () => ({ secret: generateSigningSecret() }), 401, "bad_signature"],
    ["body changed after signing", () => ({ tamper: (b: string) => b.replace("support-bot", "support-bou") }), 401, "bad_signature"],
    ["stale timestamp", () => ({ timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }), 401, "stale_timestamp"],
    ["non-numeric timestamp", () => ({ headers: { "webhook-timestamp": "yesterday" } }), 400, "bad_timestamp"],
    ["missing signature", () => ({ headers: { "webhook-signature": "" } }), 401, "missing_headers"],
    ["unknown gateway", () => ({ gatewayId: randomUUID() }), 401, "unknown_gateway"],
    ["missing gateway header", () => ({ gatewayId: "" }), 401, "missing_gateway"],
  ] as const)("refuses a %s and stores nothing", async (_label, opts, status, code) => {
    const g = await makeGateway();
    const res = await send(via, g, { events: [event()] }, opts());
    expect(res.status).toBe(status);
    expect(res.json.error?.code).toBe(code);
    expect(await stored(g.gateway.id)).toBe(0);
  });

  it("refuses a replayed webhook-id with 409", async () => {
    const g = await makeGateway();
    const body = JSON.stringify({ events: [event()] });
    const h = signedHeaders(g.secret, body);
    const same = { id: h["webhook-id"], timestamp: Number(h["webhook-timestamp"]) };
    expect((await send(via, g, body, same)).status).toBe(202);
    await db.toolCall.deleteMany({ where: { gatewayId: g.gateway.id } });
    expect(await send(via, g, body, same)).toMatchObject({ status: 409, json: { error: { code: "replayed" } } });
    expect(await stored(g.gateway.id)).toBe(0);
  });

  it("refuses invalid JSON with 400", async () => {
    const g = await makeGateway();
    expect(await send(via, g, "{events: ")).toMatchObject({ status: 400, json: { error: { code: "invalid" } } });
  });

  it("refuses a body over 4 MiB with 413", async () => {
    const g = await makeGateway();
    const body = JSON.stringify({ events: [{ ...event(), params: { blob: "x".repeat(4 * 1024 * 1024) } }] });
    expect(await send(via, g, body)).toMatchObject({ status: 413, json: { error: { code: "too_large", maxBytes: 4 * 1024 * 1024 } } });
    expect(await stored(g.gateway.id)).toBe(0);
  });
});

describe("the direct endpoint", () => {
  it("serves only the exact request line; other forms reach Next", async () => {
    const g = await makeGateway();
    const body = JSON.stringify({ events: [event()] });
    const headers = { ...signedHeaders(g.secret, body), "x-warden-gateway": g.gateway.id, "content-type": "application/json" };
    for (const path of ["/api/v1/connector/events?x=1", "/api/v1/connector/events/", "/api/v1/connector//events", "/api/v1/connector/Events"]) {
      const res = await fetch(`${base}${path}`, { method: "POST", headers, body });
      expect(res.status, path).toBe(599);
    }
    const get = await fetch(`${base}/api/v1/connector/events`, { headers });
    expect(get.status).toBe(599);
    expect(await stored(g.gateway.id)).toBe(0);
  });

  it("stops reading a chunked body at 4 MiB, answers 413 and closes the connection", async () => {
    const g = await makeGateway();
    const h = signedHeaders(g.secret, "{}");
    const sock = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
    await new Promise((r) => sock.once("connect", r));
    let answer = "";
    sock.on("data", (d) => (answer += d.toString()));
    const closed = new Promise((r) => sock.once("close", r));
    sock.write(
      `POST /api/v1/connector/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nx-warden-gateway: ${g.gateway.id}\r\n` +
        `webhook-id: ${h["webhook-id"]}\r\nwebhook-timestamp: ${h["webhook-timestamp"]}\r\nwebhook-signature: ${h["webhook-signature"]}\r\n\r\n`,
    );
    // 64 KiB chunks, far past the limit, never terminated: the answer must come anyway.
    const chunk = Buffer.alloc(64 * 1024, "x");
    let sentBytes = 0;
    while (!sock.destroyed && sentBytes < 6 * 1024 * 1024 && !answer) {
      const ok = sock.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
      sentBytes += chunk.length;
      if (!ok) await new Promise((r) => setTimeout(r, 5));
    }
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('"too_large"');
  });

  it("shares the gateway's rate budget with the Next routes", async () => {
    const g = await makeGateway();
    // Burst 3 (WARDEN_CONNECTOR_RATE=1): three through the direct endpoint, the fourth via Next is refused.
    for (let i = 0; i < 3; i++) expect((await send("direct", g, { events: [event()] })).status).toBe(202);
    expect(await send("next", g, { events: [event()] })).toMatchObject({ status: 429, json: { error: { code: "rate_limited" } } });
  });

  it("answers with next.config.ts's security headers for /api", async () => {
    const rules = (await nextConfig.headers!()).filter((r) => r.source === "/:path*" || r.source === "/api/:path*");
    const expected = Object.fromEntries(rules.flatMap((r) => r.headers).map((h) => [h.key.toLowerCase(), h.value]));
    expect(API_SECURITY_HEADERS).toEqual(expected);
  });
});

describe("POST /api/v1/connector/commands through the direct endpoint", () => {
  const poll = (g: { gateway: { id: string }; secret: string }, query: string, acks: unknown[] = [], signal?: AbortSignal) => {
    const body = JSON.stringify({ acks });
    return fetch(`${base}/api/v1/connector/commands${query}`, {
      method: "POST",
      headers: { ...signedHeaders(g.secret, body), "x-warden-gateway": g.gateway.id, "content-type": "application/json" },
      body,
      signal,
    });
  };

  it("acknowledges and long-polls: served before Next, woken at once by a command, acked on the next poll", async () => {
    const g = await makeGateway();
    const started = Date.now();
    const parked = poll(g, "?wait=20");
    await new Promise((r) => setTimeout(r, 300));
    const [id] = await db.$transaction((tx) => enqueueCommands(tx, { gatewayIds: [g.gateway.id], type: "approval_decision", target: randomUUID() }));
    const res = await parked;
    expect(res.status).toBe(200);
    for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) expect(res.headers.get(k)).toBe(v);
    const first = (await res.json()) as { commands: { id: string }[]; acks: unknown[] };
    expect(first.commands.map((c) => c.id)).toContain(id);
    expect(Date.now() - started).toBeLessThan(15_000);
    const next = await poll(g, "?wait=0", [
      { id, outcome: "applied" },
      { id: randomUUID(), outcome: "applied" },
    ]);
    const second = (await next.json()) as { commands: unknown[]; acks: { id: string; state?: string; error?: { code: string } }[] };
    expect(second.acks[0]).toEqual({ id, state: "applied" });
    expect(second.acks[1].error?.code).toBe("not_found");
    expect((await db.gatewayCommand.findUniqueOrThrow({ where: { id } })).state).toBe("applied");
  });

  it("sends other queries to Next, refuses a bad signature, and ends a parked poll when the client goes away", async () => {
    const g = await makeGateway();
    for (const q of ["?wait=abc", "?wait=1&x=2", "?x=1", "?wait=100"]) expect((await poll(g, q)).status, q).toBe(599);
    const forged = await fetch(`${base}/api/v1/connector/commands?wait=0`, {
      method: "POST",
      headers: { ...signedHeaders(generateSigningSecret(), "{}"), "x-warden-gateway": g.gateway.id },
      body: "{}",
    });
    expect(forged.status).toBe(401);
    const g2 = await makeGateway();
    const gone = new AbortController();
    const parked = poll(g2, "?wait=30", [], gone.signal).catch(() => null);
    await new Promise((r) => setTimeout(r, 300));
    gone.abort();
    await parked;
    // The poll ended with its client: a command queued now stays pending (nobody claimed it).
    await new Promise((r) => setTimeout(r, 300));
    const [id] = await db.$transaction((tx) => enqueueCommands(tx, { gatewayIds: [g2.gateway.id], type: "approval_decision", target: randomUUID() }));
    await new Promise((r) => setTimeout(r, 500));
    expect((await db.gatewayCommand.findUniqueOrThrow({ where: { id } })).state).toBe("pending");
  });
});
