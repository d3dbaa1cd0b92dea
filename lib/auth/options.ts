import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "@/lib/db";
import { env, oidcConfigured } from "@/lib/env";
import { recordAudit, recordAuditStandalone } from "@/lib/audit/record";
import type { Actor } from "./actor";
import { verifyPassword } from "./password";
import { checkLoginAllowed } from "./throttle";
import { mapOidcRole } from "./oidc";
import { requestInfo } from "./request-info";
import { endSession, SESSION_HOURS, startSession } from "./sessions";
import { safeNextPath } from "@/lib/http/next-path";

function oidcProvider(): NextAuthOptions["providers"] {
  if (!oidcConfigured()) return [];
  const e = env();
  return [
    {
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER!.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: Record<string, unknown>) {
        return { id: String(profile.sub), email: String(profile.email ?? ""), name: String(profile.name ?? profile.email ?? profile.sub) };
      },
    },
  ];
}

type Creds = Record<"email" | "password", string> | undefined;
type ReqLike = { headers?: Record<string, string | string[] | undefined> };

function infoFromReq(req: ReqLike) {
  const h = req.headers ?? {};
  const get = (n: string) => {
    const v = h[n];
    return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
  };
  return requestInfo({ get });
}

/** Verify email + password with throttling; every attempt, good or bad, is audited. */
export async function authorizeCredentials(creds: Creds, req: ReqLike) {
  // A NUL or a lone surrogate cannot be in a stored email (nor in the audit row of the attempt):
  // made visible as U+FFFD, it can only fail like any unknown account.
  const email = String(creds?.email ?? "").trim().toLowerCase().slice(0, 254).replaceAll("\u0000", "\ufffd").toWellFormed();
  const password = String(creds?.password ?? "").slice(0, 1024);
  const info = infoFromReq(req);
  const anon: Actor = { kind: "user", label: email || "(blank)", role: null, ...info };
  if (!email || !password) return null;

  const allowed = await checkLoginAllowed(email, info.ip);
  if (!allowed) {
    await recordAuditStandalone(anon, { action: "auth.login", outcome: "denied", targetType: "account", targetId: email, after: { reason: "rate_limited" } });
    // The same message as any failure: it tells nothing about the account.
    throw new Error("Too many sign-in attempts. Wait 15 minutes and try again.");
  }
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, role: true, passwordHash: true, disabledAt: true, sessionEpoch: true } });
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok || user.disabledAt) {
    await recordAuditStandalone(anon, { action: "auth.login", outcome: "failure", targetType: "account", targetId: email });
    return null;
  }
  const sid = await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    const sid = await startSession(tx, user.id, info);
    await recordAudit(tx, { kind: "user", userId: user.id, label: user.email, role: user.role, ...info }, { action: "auth.login", targetType: "user", targetId: user.id, after: { sessionId: sid } });
    return sid;
  });
  return { id: user.id, email: user.email, name: user.name, epoch: user.sessionEpoch, sid };
}

export const authOptions: NextAuthOptions = {
  secret: process.env.WARDEN_SECRET ?? process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: SESSION_HOURS * 3600 },
  pages: { signIn: "/login", error: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (creds, req) => authorizeCredentials(creds, req as ReqLike),
    }),
    ...oidcProvider(),
  ],
  callbacks: {
    // Every redirect next-auth decides (callbackUrl after sign-in or sign-out): a path on this Warden only.
    redirect({ url, baseUrl }) {
      return `${baseUrl}${safeNextPath(url, baseUrl)}`;
    },
    async signIn({ user, account, profile }) {
      if (account?.provider !== "oidc") return true;
      // SSO: find or create the user; the role comes from the mapped claim or the default role.
      const email = String(user.email ?? "").toLowerCase();
      const role = mapOidcRole(profile as Record<string, unknown> | undefined);
      if (!email) return "/login?error=sso_no_email";
      const existing = await db.user.findUnique({ where: { email } });
      if (existing?.disabledAt) return "/login?error=disabled";
      if (!existing && !role) return "/login?error=sso_no_role";
      await db.$transaction(async (tx) => {
        const u = existing
          ? await tx.user.update({ where: { id: existing.id }, data: { oidcSubject: account.providerAccountId, lastLoginAt: new Date(), ...(role ? { role } : {}) } })
          : await tx.user.create({ data: { email, name: user.name ?? email, role: role!, oidcSubject: account.providerAccountId, lastLoginAt: new Date() } });
        await recordAudit(tx, { kind: "user", userId: u.id, label: u.email, role: u.role, ip: null, userAgent: null }, { action: existing ? "auth.login" : "auth.sso_provision", targetType: "user", targetId: u.id, after: { via: "oidc", role: u.role } });
      });
      return true;
    },
    async jwt({ token, user, account }) {
      if (user) {
        if (account?.provider === "oidc") {
          const u = await db.user.findUnique({ where: { email: String(user.email).toLowerCase() }, select: { id: true, sessionEpoch: true } });
          token.uid = u?.id;
          token.epoch = u?.sessionEpoch ?? 0;
          token.sid = u ? await db.$transaction((tx) => startSession(tx, u.id, { ip: null, userAgent: null })) : undefined;
        } else {
          token.uid = user.id;
          token.epoch = (user as { epoch?: number }).epoch ?? 0;
          // The server-side session this cookie stands for (lib/auth/sessions.ts); getActor checks it.
          token.sid = (user as { sid?: string }).sid;
        }
      }
      return token;
    },
    async session({ session, token }) {
      session.user = { ...session.user, id: String(token.uid ?? ""), epoch: Number(token.epoch ?? 0), sid: typeof token.sid === "string" ? token.sid : undefined };
      return session;
    },
  },
  events: {
    /** Sign-out ends the session on the server: the cookie, if kept or copied, no longer works. */
    async signOut({ token }) {
      const sid = typeof token?.sid === "string" ? token.sid : undefined;
      const uid = typeof token?.uid === "string" ? token.uid : undefined;
      const user = uid ? await db.user.findUnique({ where: { id: uid }, select: { id: true, email: true, role: true } }) : null;
      if (!user) return;
      const h = await import("next/headers").then((m) => m.headers()).catch(() => null);
      const info = h ? requestInfo(h) : { ip: null, userAgent: null };
      await endSession(sid, { kind: "user", userId: user.id, label: user.email, role: user.role, ...info }, "signed_out");
    },
  },
  cookies: undefined, // next-auth defaults: httpOnly, sameSite=lax, secure + __Secure- prefix when NEXTAUTH_URL is https
};
