import "server-only";
import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import type { Actor } from "./actor";

/** How long a console session lasts without use (sliding; the JWT cookie has the same max age). */
export const SESSION_HOURS = 12;
const SESSION_MS = SESSION_HOURS * 3_600_000;
/** Use is recorded (last_seen_at, and the expiry moved forward) at most this often per session. */
const TOUCH_MS = 60_000;

export type SessionEndReason = "signed_out" | "user_disabled" | "password_reset";

/** Open a server-side session for a sign-in; its id goes into the session cookie's JWT. */
export async function startSession(tx: Tx, userId: string, info: { ip: string | null; userAgent: string | null }): Promise<string> {
  const row = await tx.userSession.create({
    data: { userId, expiresAt: new Date(Date.now() + SESSION_MS), ip: info.ip, userAgent: info.userAgent },
    select: { id: true },
  });
  return row.id;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The live session `sid` of user `uid`, with its user; null when the session has no row (a cookie
 * from before sessions were recorded, or a forged id), belongs to someone else, has ended, or has
 * expired. Records use at most once a minute, sliding the expiry.
 */
export async function liveSession(sid: string | undefined, uid: string) {
  if (!sid || !UUID.test(sid)) return null;
  const s = await db.userSession.findUnique({
    where: { id: sid },
    select: { id: true, userId: true, endedAt: true, expiresAt: true, lastSeenAt: true, user: { select: { id: true, email: true, role: true, teamId: true, disabledAt: true, sessionEpoch: true } } },
  });
  const now = Date.now();
  if (!s || s.userId !== uid || s.endedAt || s.expiresAt.getTime() <= now) return null;
  if (now - s.lastSeenAt.getTime() > TOUCH_MS) {
    // Conditional: a sign-out committed meanwhile is never undone by this touch.
    await db.userSession.updateMany({ where: { id: s.id, endedAt: null }, data: { lastSeenAt: new Date(now), expiresAt: new Date(now + SESSION_MS) } });
  }
  return s;
}

/**
 * End one session (sign-out), audited as auth.logout in the same transaction. Conditional on the
 * session being open, so a repeated or concurrent sign-out ends it once and writes one audit row.
 * Returns whether this call ended it.
 */
export async function endSession(sid: string | undefined, actor: Actor, reason: SessionEndReason = "signed_out"): Promise<boolean> {
  if (!sid || !UUID.test(sid)) return false;
  return db.$transaction(async (tx) => {
    const ended = await tx.userSession.updateMany({ where: { id: sid, endedAt: null }, data: { endedAt: new Date(), endReason: reason } });
    if (ended.count !== 1) return false;
    await recordAudit(tx, actor, { action: "auth.logout", targetType: "user_session", targetId: sid, after: { reason } });
    return true;
  });
}

/** End every open session of a user (disabled, password reset), inside the caller's transaction. */
export async function endUserSessions(tx: Tx, userId: string, reason: SessionEndReason): Promise<number> {
  const res = await tx.userSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: new Date(), endReason: reason } });
  return res.count;
}
