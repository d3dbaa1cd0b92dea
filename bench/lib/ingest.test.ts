import { describe, expect, it } from "vitest";
import { onConnections } from "./ingest";

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
