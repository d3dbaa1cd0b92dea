import "server-only";
import { db } from "@/lib/db";
import { GENESIS_HASH, chainHash } from "./canonical";

export type VerifyResult = { ok: boolean; checked: number; firstBrokenId: string | null; reason?: string };

/** Walk the chain in id order (in pages, never all rows in memory) and report the first broken link. */
export async function verifyAuditChain(batchSize = 2000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let checked = 0;
  let cursor: bigint | null = null;
  for (;;) {
    const rows: Awaited<ReturnType<typeof db.auditEvent.findMany>> = await db.auditEvent.findMany({
      where: cursor === null ? {} : { id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) break;
    for (const r of rows) {
      const id = r.id.toString();
      if (r.prevHash !== prev) return { ok: false, checked, firstBrokenId: id, reason: "previous hash does not match (a row before it was removed or altered)" };
      const expected = chainHash(prev, {
        id,
        createdAt: r.createdAt,
        actorType: r.actorType,
        actorId: r.actorId,
        actorLabel: r.actorLabel,
        role: r.role,
        action: r.action,
        outcome: r.outcome,
        targetType: r.targetType,
        targetId: r.targetId,
        before: r.before ?? null,
        after: r.after ?? null,
        ip: r.ip,
        userAgent: r.userAgent,
      });
      if (expected !== r.hash) return { ok: false, checked, firstBrokenId: id, reason: "content does not match its hash (the row was altered)" };
      prev = r.hash;
      checked++;
    }
    cursor = rows[rows.length - 1].id;
  }
  return { ok: true, checked, firstBrokenId: null };
}
