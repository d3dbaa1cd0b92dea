import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { db } from "@/lib/db";
import { hashToken, TOKEN_PREFIX } from "@/lib/tokens/token";
import { recordAuditStandalone } from "@/lib/audit/record";
import type { ReadTarget } from "@/lib/audit/actions";
import type { Actor } from "./actor";
import { authOptions } from "./options";
import { can, type Scope } from "./roles";
import { requestInfo } from "./request-info";
import { liveSession } from "./sessions";
import { teamScopeOf } from "@/lib/teams/scope";

/**
 * The one choke point that turns a request into an Actor. It re-reads the user on every request,
 * so disabling a user, resetting their password or changing their role or team takes effect at once,
 * open sessions included. Accepts a next-auth session cookie or `Authorization: Bearer <token>`.
 * A cookie counts only while its server-side session (user_sessions) is open: sign-out ends it,
 * and a cookie without a session id (issued before sessions were recorded) is anonymous.
 */
export const getActor = cache(async (): Promise<Actor | null> => {
  const h = await headers();
  const info = requestInfo(h);
  const auth = h.get("authorization");
  if (auth?.startsWith("Bearer ")) return actorFromToken(auth.slice(7).trim(), info);

  const session = await getServerSession(authOptions);
  const uid = session?.user?.id;
  if (!uid) return null;
  const live = await liveSession(session.user.sid, uid);
  const user = live?.user;
  if (!user || user.disabledAt || user.sessionEpoch !== session.user.epoch) return null;
  return { kind: "user", userId: user.id, sessionId: live.id, label: user.email, role: user.role, teamId: user.teamId, ...info };
});

async function actorFromToken(token: string, info: { ip: string | null; userAgent: string | null }): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, expiresAt: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, email: true, role: true, teamId: true, disabledAt: true } } },
  });
  if (!row || row.revokedAt || row.expiresAt <= new Date() || row.user.disabledAt) return null;
  // Touch lastUsedAt at most once a minute to keep reads cheap.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { kind: "api_token", userId: row.user.id, tokenId: row.id, label: `${row.user.email} (token)`, role: row.user.role, teamId: row.user.teamId, ...info };
}

/** For pages: the signed-in actor, or a redirect to the sign-in page. */
export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  return actor;
}

/**
 * For pages: require a scope. A denial is audited and renders the 403 page (app/forbidden.tsx).
 * `fleetWide`: a fleet-wide view (posture, spend, the audit log) that a team-scoped user may not
 * read (lib/teams/scope.ts), whatever their role's scopes.
 */
export async function requireScope(scope: Scope, what: ReadTarget = scope, opts: { fleetWide?: boolean } = {}): Promise<Actor> {
  const actor = await requireActor();
  if (!can(actor.role, scope) || (opts.fleetWide && teamScopeOf(actor))) {
    await recordAuditStandalone(actor, { action: `read:${what}`, outcome: "denied", targetType: "scope", targetId: scope });
    forbidden();
  }
  return actor;
}
