import "server-only";
import { db } from "@/lib/db";

/** The user's own tokens, metadata only (the hash never leaves the server). */
export async function listOwnTokens(userId: string, now = new Date()) {
  const rows = await db.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, expiresAt: true, lastUsedAt: true, revokedAt: true, createdAt: true },
  });
  return rows.map((t) => ({ ...t, expired: t.expiresAt <= now }));
}
