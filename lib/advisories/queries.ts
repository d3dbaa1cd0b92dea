import "server-only";
import { db } from "@/lib/db";

/** Every advisory, newest first, with how many gateways have an open finding for it. */
export async function listAdvisories() {
  const [rows, counts] = await Promise.all([
    db.advisory.findMany({ orderBy: { createdAt: "desc" }, take: 500, select: { id: true, product: true, versionRange: true, severity: true, title: true, url: true, note: true, createdAt: true } }),
    db.$queryRaw<{ advisory_id: string; n: number }[]>`
      select detail->>'advisoryId' as advisory_id, count(distinct gateway_id)::int as n
        from findings where kind = 'advisory' and status in ('open', 'incident') group by 1`,
  ]);
  const affected = new Map(counts.map((c) => [c.advisory_id, c.n]));
  return rows.map((r) => ({ ...r, affectedGateways: affected.get(r.id) ?? 0 }));
}
