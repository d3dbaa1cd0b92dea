import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeGateway, rid } from "@/test/factories";
import { parseToolCallQuery, TAIL_MAX_ROWS, TAIL_OVERLAP_MS, tailToolCalls } from "./queries";

describe("the explorer's live tail", () => {
  it("returns the view's calls stored since the cursor (less the overlap), newest stored first, with the next cursor", async () => {
    const gw = await makeGateway();
    const other = await makeGateway();
    const tool = `tail-${rid()}`;
    const now = new Date();
    const at = (ms: number) => new Date(now.getTime() - ms);
    const since = at(30_000);
    const seed = (name: string, ingestedAt: Date, occurredAt = ingestedAt, gatewayId = gw.id, decision: "allowed" | "blocked" = "allowed") =>
      db.toolCall.create({ data: { occurredAt, ingestedAt, gatewayId, eventId: `ev-${rid()}`, agentName: name, toolName: tool, decision, egressHosts: [] }, select: { id: true } });
    await seed("long-ago", at(60_000)); // stored before the cursor's overlap: not new
    await seed("in-overlap", at(35_000)); // committed late, inside the overlap: repeated (the browser drops known ids)
    await seed("new", at(5_000));
    await seed("late-event", at(4_000), at(50 * 60_000)); // dated 50 min ago, stored now: new in a 1h view
    await seed("too-old-for-view", at(3_000), at(2 * 3_600_000)); // outside the 1h window
    await seed("other-gateway", at(2_000), at(2_000), other.id);
    await seed("blocked", at(1_000), at(1_000), gw.id, "blocked");

    const q = parseToolCallQuery({ tool, gateway: gw.id, range: "1h" }, now).query;
    const tail = await tailToolCalls(q, since, now);
    expect(tail.rows.map((r) => r.agentName)).toEqual(["blocked", "late-event", "new", "in-overlap"]);
    expect(tail.cursor).toBe(at(1_000).toISOString());
    expect(tail.more).toBe(false);
    expect(TAIL_OVERLAP_MS).toBe(10_000);

    // Filters of the view apply; a cursor past everything answers nothing and keeps the cursor.
    const blocked = await tailToolCalls(parseToolCallQuery({ tool, decision: "blocked", range: "1h" }, now).query, since, now);
    expect(blocked.rows.map((r) => r.agentName)).toEqual(["blocked"]);
    const none = await tailToolCalls(q, new Date(now.getTime() + 60_000), new Date(now.getTime() + 60_000));
    expect(none.rows).toEqual([]);
    expect(none.cursor).toBe(new Date(now.getTime() + 60_000).toISOString());
  });

  it("caps one answer at TAIL_MAX_ROWS (the newest) and says more were left out", async () => {
    const gw = await makeGateway();
    const tool = `burst-${rid()}`;
    const now = new Date();
    await db.toolCall.createMany({
      data: Array.from({ length: TAIL_MAX_ROWS + 5 }, (_, i) => ({
        occurredAt: new Date(now.getTime() - i),
        ingestedAt: new Date(now.getTime() - i),
        gatewayId: gw.id,
        eventId: `ev-${rid()}`,
        agentName: `a${i}`,
        toolName: tool,
        decision: "allowed" as const,
        egressHosts: [],
      })),
    });
    const tail = await tailToolCalls(parseToolCallQuery({ tool, range: "1h" }, now).query, new Date(now.getTime() - 5_000), now);
    expect(tail.rows).toHaveLength(TAIL_MAX_ROWS);
    expect(tail.more).toBe(true);
    expect(tail.rows[0].agentName).toBe("a0");
  });
});
