// The OpenClaw plugin's retry schedule and its policy-expiry enforcement (connectors/openclaw),
// tested here because the plugin is plain ESM with no test runner of its own.
import { describe, expect, it } from "vitest";
import { backoffDelay, createBackoffGroup, MAX_BACKOFF_MS } from "../../connectors/openclaw/lib/backoff.js";
import { decide, type DecidePolicy } from "../../connectors/openclaw/lib/decide.js";
import { Spool } from "../../connectors/openclaw/lib/spool.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

describe("plugin backoff", () => {
  it("grows, is jittered within the upper half, and never exceeds 10 s however long the outage", () => {
    const low = (n: number) => backoffDelay(n, { random: () => 0 });
    const high = (n: number) => backoffDelay(n, { random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(high)).toEqual([500, 1000, 2000, 4000, 8000, 10_000]);
    expect([1, 2, 3, 4, 5, 6].map(low)).toEqual([250, 500, 1000, 2000, 4000, 5000]);
    for (const n of [7, 20, 100, 10_000]) {
      expect(high(n)).toBe(MAX_BACKOFF_MS);
      expect(low(n)).toBe(MAX_BACKOFF_MS / 2);
    }
    expect(MAX_BACKOFF_MS).toBeLessThanOrEqual(10_000);
    // An outage of 10 minutes: the sum of waits never leaves a gap longer than 10 s between tries.
    let total = 0;
    for (let n = 1; total < 600_000; n++) {
      const w = backoffDelay(n);
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(10_000);
      total += w;
    }
    // Retry-After is honoured, but bounded too.
    expect(backoffDelay(1, { random: () => 0, retryAfterSeconds: 3 })).toBe(3000);
    expect(backoffDelay(1, { random: () => 0, retryAfterSeconds: 300 })).toBe(10_000);
    expect(backoffDelay(0)).toBe(0);
  });

  it("a successful policy fetch resets every loop's failures and wakes their backoff sleeps at once", async () => {
    const g = createBackoffGroup();
    for (let i = 0; i < 12; i++) g.failed("command poll");
    g.failed("event flush");
    expect(g.failures("command poll")).toBe(12);
    const started = Date.now();
    const sleeping = g.sleep(10_000);
    setTimeout(() => g.recovered(), 50);
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(g.failures("command poll")).toBe(0);
    expect(g.failures("event flush")).toBe(0);
    expect(backoffDelay(g.failed("command poll"), { random: () => 1 })).toBe(500);
  });
});

describe("plugin telemetry spool backoff", () => {
  it("never waits more than 10 s between pushes however long Warden is down, and retries at once once Warden is back", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-spool-"));
    try {
      let up = false;
      const sent: unknown[][] = [];
      const spool = new Spool(dir, {
        logger: { warn: () => {}, error: () => {} },
        send: async (events) => {
          if (!up) throw new Error("Warden unreachable");
          sent.push(events);
          return { accepted: events.length };
        },
      });
      spool.append({ eventId: "e1", toolName: "read" });
      for (let i = 0; i < 30; i++) {
        await spool.flush({ force: true });
        expect(spool.nextAttemptAt - Date.now()).toBeLessThanOrEqual(10_000);
      }
      expect(spool.failures).toBe(30);
      // Within the backoff a plain flush does nothing; after a successful policy fetch it pushes at once.
      up = true;
      await spool.flush();
      expect(sent).toHaveLength(0);
      spool.resetBackoff();
      await spool.flush();
      expect(sent).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("plugin policy expiry", () => {
  const base = (extra: Partial<DecidePolicy> = {}): DecidePolicy => ({
    agents: [{ id: "main", name: "Main", status: "active", tools: [{ name: "read" }] }],
    expiresAt: "2030-01-01T00:00:00.000Z",
    ...extra,
  });
  const at = (iso: string) => Date.parse(iso);
  it("allows until the expiry, then fails closed by the gateway's clock", () => {
    expect(decide(base(), null, { agentId: "main", toolName: "read" }, at("2029-12-31T23:59:59Z")).allow).toBe(true);
    const d = decide(base(), null, { agentId: "main", toolName: "read" }, at("2030-01-01T00:00:00Z"));
    expect(d).toMatchObject({ allow: false, code: "policy_expired" });
    expect(decide(base({ onExpiry: "deny" }), null, { agentId: "main", toolName: "read" }, at("2031-01-01T00:00:00Z")).allow).toBe(false);
  });
  it("keeps enforcing the last policy past its expiry only in the keep_last mode a security lead chose", () => {
    expect(decide(base({ onExpiry: "keep_last" }), null, { agentId: "main", toolName: "read" }, at("2031-01-01T00:00:00Z")).allow).toBe(true);
    expect(decide(base({ onExpiry: "keep_last" }), null, { agentId: "main", toolName: "exec" }, at("2031-01-01T00:00:00Z")).allow).toBe(false);
    // An unknown mode is not keep_last.
    expect(decide(base({ onExpiry: "allow_all" }), null, { agentId: "main", toolName: "read" }, at("2031-01-01T00:00:00Z")).allow).toBe(false);
  });
  it("old policies without an expiry keep working (older Warden)", () => {
    const { expiresAt: _e, ...old } = base();
    void _e;
    expect(decide(old as DecidePolicy, null, { agentId: "main", toolName: "read" }, at("2099-01-01T00:00:00Z")).allow).toBe(true);
  });
});
