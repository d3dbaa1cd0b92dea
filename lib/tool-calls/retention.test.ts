import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { rid } from "@/test/factories";
import { ensureToolCallPartitions } from "./partitions";
import { applyRetention, retentionDays } from "./retention";

const DAY = 86_400_000;

describe("tool-call retention", () => {
  it("reads the setting with a safe default", () => {
    expect(retentionDays({})).toBe(90);
    expect(retentionDays({ WARDEN_TOOL_CALL_RETENTION_DAYS: "30" })).toBe(30);
    expect(retentionDays({ WARDEN_TOOL_CALL_RETENTION_DAYS: "0" })).toBe(90);
  });

  it("drops day partitions and default-partition rows older than the window, keeps the rest", async () => {
    const now = new Date();
    await ensureToolCallPartitions(40, 1, now); // day partitions for the last 40 days
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "t" } });
    const mk = (daysAgo: number) => ({ occurredAt: new Date(now.getTime() - daysAgo * DAY), gatewayId: gw.id, eventId: rid(), agentName: "a", toolName: "t", decision: "allowed" as const });
    await db.toolCall.createMany({ data: [mk(35), mk(20), mk(2), mk(400)] }); // 400 days ago lands in the default partition
    const res = await applyRetention(30, now);
    expect(res.droppedPartitions.length).toBeGreaterThanOrEqual(9);
    expect(res.droppedPartitions.every((p) => /^tool_calls_\d{8}$/.test(p))).toBe(true);
    expect(res.deletedDefaultRows).toBe(1);
    const left = await db.toolCall.findMany({ where: { gatewayId: gw.id }, select: { occurredAt: true } });
    expect(left.map((r) => Math.round((now.getTime() - r.occurredAt.getTime()) / DAY)).sort((a, b) => a - b)).toEqual([2, 20]);
    // Idempotent.
    expect(await applyRetention(30, now)).toEqual({ droppedPartitions: [], deletedDefaultRows: 0 });
  });
});
