import "server-only";
import { db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { diffInventories, inventoryContentHash, type InventoryDiff } from "./inventory-diff";

/** Distinct inventories kept per gateway: older snapshots are deleted when a new one is stored. */
export const INVENTORY_HISTORY_KEEP = 50;

/**
 * Record a push in the gateway's inventory history (in the push's transaction, under its lock): a
 * new snapshot with the diff against the previous one when the content changed, otherwise only the
 * latest snapshot's lastReportedAt and report count move. Keeps the newest INVENTORY_HISTORY_KEEP.
 */
export async function recordInventorySnapshot(tx: Tx, gatewayId: string, inventory: Prisma.InputJsonValue, now: Date): Promise<{ changed: boolean; snapshotId: string; diff: InventoryDiff | null }> {
  const contentHash = inventoryContentHash(inventory);
  const latest = await tx.gatewayInventorySnapshot.findFirst({
    where: { gatewayId },
    orderBy: [{ firstReportedAt: "desc" }, { id: "desc" }],
    select: { id: true, contentHash: true, inventory: true, firstReportedAt: true },
  });
  if (latest && latest.contentHash === contentHash) {
    await tx.gatewayInventorySnapshot.update({ where: { id: latest.id }, data: { lastReportedAt: now, reports: { increment: 1 } } });
    return { changed: false, snapshotId: latest.id, diff: null };
  }
  const diff = latest ? diffInventories(latest.inventory, inventory) : null;
  // Never earlier than the previous snapshot, so the order by time is the order of reports.
  const at = latest && latest.firstReportedAt >= now ? new Date(latest.firstReportedAt.getTime() + 1) : now;
  const row = await tx.gatewayInventorySnapshot.create({
    data: { gatewayId, contentHash, inventory, diff: diff ? (diff as unknown as Prisma.InputJsonValue) : undefined, firstReportedAt: at, lastReportedAt: at },
    select: { id: true },
  });
  await tx.$executeRaw`
    delete from gateway_inventory_snapshots
     where gateway_id = ${gatewayId}::uuid
       and id not in (select id from gateway_inventory_snapshots where gateway_id = ${gatewayId}::uuid
                      order by first_reported_at desc, id desc limit ${INVENTORY_HISTORY_KEEP})`;
  return { changed: true, snapshotId: row.id, diff };
}

export type InventoryHistoryRow = { id: string; firstReportedAt: Date; lastReportedAt: Date; reports: number; contentHash: string; diff: InventoryDiff | null };

/** A gateway's inventory history, newest first (no inventories, only what changed). */
export async function listInventoryHistory(gatewayId: string, take = 20): Promise<InventoryHistoryRow[]> {
  const rows = await db.gatewayInventorySnapshot.findMany({
    where: { gatewayId },
    orderBy: [{ firstReportedAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, firstReportedAt: true, lastReportedAt: true, reports: true, contentHash: true, diff: true },
  });
  return rows.map((r) => ({ ...r, diff: (r.diff as InventoryDiff | null) ?? null }));
}
