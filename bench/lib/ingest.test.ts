import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { verifySignature } from "@/lib/connector/signature";
import { fleetOptions } from "../generate";
import { buildFleet } from "./fleet";
import { bodyOf, makeTemplates, onConnections, runSenders } from "./ingest";

describe("bench: onConnections", () => {
  it("counts every row written when several connections finish out of order", async () => {
    // Each item writes i rows after a random pause, so the connections' awaits interleave; an
    // `events += await work()` would add to a stale total and lose most of them.
    const items = Array.from({ length: 40 }, (_, i) => i + 1);
    const res = await onConnections(process.env.DATABASE_URL!, 4, items, async (c, n) => {
      const { rows } = await c.query<{ n: number }>("select $1::int as n from pg_sleep(random() * 0.02)", [n]);
      return rows[0].n;
    });
    expect(res.events).toBe((40 * 41) / 2);
    expect(res.eventsPerS).toBeCloseTo(res.events / res.seconds, 6);
  });
});

describe("bench: runSenders", () => {
  it("posts signed batches with unique event ids and counts what the server answered", async () => {
    const fleet = buildFleet(fleetOptions(1_000));
    const secrets = new Map(fleet.gateways.map((g) => [g.id, g.secret]));
    const seen = new Set<string>();
    let requests = 0;
    let badRequests = 0;
    // A stand-in for the connector endpoint: checks what a gateway must send, answers like Warden
    // (one event of each batch reported as a duplicate), and rate-limits every 4th request.
    const server = http.createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        const n = ++requests;
        const h = (k: string) => (req.headers[k] as string | undefined) ?? null;
        const secret = secrets.get(h("x-warden-gateway") ?? "");
        const signed = secret ? verifySignature([secret], { id: h("webhook-id"), timestamp: h("webhook-timestamp"), signature: h("webhook-signature") }, body).ok : false;
        if (req.url !== "/api/v1/connector/events" || req.method !== "POST" || !signed || Number(h("content-length")) !== Buffer.byteLength(body)) badRequests++;
        const events = (JSON.parse(body) as { events: { eventId: string; occurredAt: string }[] }).events;
        for (const e of events) {
          const age = Date.now() - Date.parse(e.occurredAt);
          if (e.eventId.includes("~ID~") || seen.has(e.eventId) || !(age >= 0 && age < 65_000)) badRequests++;
          seen.add(e.eventId);
        }
        res.setHeader("content-type", "application/json");
        if (n % 4 === 0) {
          res.statusCode = 429;
          res.end(JSON.stringify({ error: { code: "rate_limited" } }));
        } else {
          res.statusCode = 202;
          res.end(JSON.stringify({ accepted: events.length - 1, duplicates: 1, rejected: [] }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const run = await runSenders(`http://127.0.0.1:${port}`, fleet, makeTemplates(fleet, 7, 3, 20), { senders: 3, seconds: 0.5 });
      const limited = Math.floor(requests / 4);
      expect(requests).toBeGreaterThan(4);
      expect(badRequests).toBe(0);
      expect(run.requests).toBe(requests);
      expect(run.errors).toEqual({ "429 rate_limited": limited });
      expect(run.events).toBe((requests - limited) * 19);
      expect(run.duplicates).toBe(requests - limited);
      expect(run.eventsPerS).toBeCloseTo(run.events / run.seconds, 6);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe("bodyOf", () => {
  it("fills a template with the send's token and each event's time before the send, every time afresh", () => {
    const fleet = buildFleet(fleetOptions(10_000));
    const [tpl] = makeTemplates(fleet, 3, 1, 50);
    const at = Date.parse("2026-11-23T12:00:00.000Z");
    const parse = (b: string) => (JSON.parse(b) as { events: { eventId: string; occurredAt: string; toolName: string }[] }).events;
    const first = parse(bodyOf(tpl, "tok1", at));
    const later = parse(bodyOf(tpl, "tok2", at + 5_000));
    expect(first).toHaveLength(50);
    expect(new Set(first.map((e) => e.eventId)).size).toBe(50);
    expect(first.every((e) => e.eventId.includes("tok1"))).toBe(true);
    expect(later.every((e) => e.eventId.includes("tok2"))).toBe(true);
    const ages = first.map((e) => at - Date.parse(e.occurredAt));
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ages)).toBeLessThan(60_000);
    expect(new Set(ages).size).toBeGreaterThan(40); // each event its own time
    expect(later.map((e, i) => Date.parse(e.occurredAt) - Date.parse(first[i].occurredAt))).toEqual(first.map(() => 5_000));
    expect(later.map((e) => e.toolName)).toEqual(first.map((e) => e.toolName));
  });
});
