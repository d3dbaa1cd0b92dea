import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { generateToken } from "./token";
import type { ZTokenCreate, ZTokenRevoke } from "./schema";

/** Create a personal API token for `userId` (default: the actor). The token is returned once. */
export async function createApiToken(actor: Actor, input: z.infer<typeof ZTokenCreate>, userId = actor.userId) {
  if (!userId) throw new AppError("forbidden", "Only users own API tokens.");
  if (actor.kind === "api_token") throw new AppError("forbidden", "An API token cannot mint further tokens; sign in to the console.");
  const { token, tokenHash, prefix } = generateToken();
  const expiresAt = new Date(Date.now() + input.expiresInDays * 86_400_000);
  const row = await db.$transaction(async (tx) => {
    const t = await tx.apiToken.create({ data: { userId, name: input.name, prefix, tokenHash, expiresAt }, select: { id: true, name: true, prefix: true, expiresAt: true, createdAt: true } });
    await recordAudit(tx, actor, { action: "token.create", targetType: "api_token", targetId: t.id, after: { name: t.name, prefix, expiresAt, owner: userId } });
    return t;
  });
  return { ...row, token };
}

/**
 * Revoke one of the actor's own tokens (ownership is part of the query). Revoking is a transition:
 * of concurrent or repeated revocations exactly one succeeds (and is audited), the rest are 409.
 */
export async function revokeApiToken(actor: Actor, input: z.infer<typeof ZTokenRevoke>) {
  return db.$transaction(async (tx) => {
    const t = await tx.apiToken.findFirst({ where: { id: input.id, userId: actor.userId ?? "-" }, select: { id: true, revokedAt: true, name: true } });
    if (!t) throw new AppError("not_found", "No such token.");
    if (t.revokedAt) throw new AppError("conflict", "This token is already revoked.");
    const revokedAt = new Date();
    const claimed = await tx.apiToken.updateMany({ where: { id: t.id, revokedAt: null }, data: { revokedAt } });
    if (claimed.count !== 1) throw new AppError("conflict", "This token is already revoked.");
    const r = { id: t.id, revokedAt };
    await recordAudit(tx, actor, { action: "token.revoke", targetType: "api_token", targetId: t.id, after: { name: t.name } });
    return r;
  });
}
