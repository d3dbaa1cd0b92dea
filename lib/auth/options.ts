import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "@/lib/db";
import { env, oidcConfigured } from "@/lib/env";
import { recordAudit, recordAuditStandalone } from "@/lib/audit/record";
import type { Actor } from "./actor";
import { verifyPassword } from "./password";
import { checkLoginAllowed } from "./throttle";
import { oidcSettingsProblem } from "./oidc";
import { auditOidcCallbackError, signInWithOidc } from "./oidc-signin";
import { requestInfo } from "./request-info";
import { endSession, SESSION_HOURS, startSession } from "./sessions";
import { safeNextPath } from "@/lib/http/next-path";
import { settings } from "@/lib/env";

function oidcProvider(): NextAuthOptions["providers"] {
  if (!oidcConfigured()) return [];
  // A bad OIDC_* setting stops the server at start-up (instrumentation.ts); here it only disables SSO.
  const problem = oidcSettingsProblem();
  if (problem) {
    console.error(`warden: single sign-on is off: ${problem}`);
    return [];
  }
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
      // The profile is the ID token's claims, checked by openid-client (signature, iss, aud, exp, nonce).
      idToken: true,
      checks: ["pkce", "state", "nonce"],
      // Never throws and never trusts a type: the claims are validated in the signIn callback.
      profile(profile: Record<string, unknown>) {
        return { id: typeof profile.sub === "string" ? profile.sub : "", email: null, name: null };
      },
    },
  ];
}

/** What the SSO sign-in decided, carried on next-auth's user object from signIn to jwt. */
type OidcOutcome = { wardenUserId?: string; wardenEpoch?: number; wardenSid?: string };

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
  const email = String(creds?.email ?? "")
    .trim()
    .toLowerCase()
    .slice(0, 254)
    .replaceAll("\u0000", "\ufffd")
    .toWellFormed();
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
  secret: settings.authSecret(),
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
      // SSO: the linking rule, the role and the audit are in lib/auth/oidc-signin.ts.
      const h = await import("next/headers").then((m) => m.headers()).catch(() => null);
      const info = h ? requestInfo(h) : { ip: null, userAgent: null };
      const res = await signInWithOidc(profile, info).catch((err: unknown) => {
        console.error("warden: SSO sign-in failed", err);
        return { ok: false as const, error: "sso_failed" };
      });
      if (!res.ok) return `/login?error=${res.error}`;
      Object.assign(user as OidcOutcome, { wardenUserId: res.userId, wardenEpoch: res.epoch, wardenSid: res.sid });
      return true;
    },
    async jwt({ token, user, account }) {
      if (user) {
        if (account?.provider === "oidc") {
          // Set by the signIn callback on this same object: the user and session it signed in.
          const o = user as OidcOutcome;
          token.uid = o.wardenUserId;
          token.epoch = o.wardenEpoch ?? 0;
          token.sid = o.wardenSid;
          // next-auth's defaults are the IdP's: the session shows Warden's user (getActor re-reads it).
          token.sub = o.wardenUserId;
          token.email = undefined;
          token.name = undefined;
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
  logger: {
    error(code, metadata) {
      console.error(`[next-auth][error][${code}]`, metadata);
      // An SSO callback that failed its checks (state, PKCE, ID token) is a refused sign-in: audited.
      if (code === "OAUTH_CALLBACK_ERROR") auditOidcCallbackError(metadata).catch((err: unknown) => console.error("warden: auditing a refused SSO sign-in failed", err));
    },
  },
  cookies: undefined, // next-auth defaults: httpOnly, sameSite=lax, secure + __Secure- prefix when NEXTAUTH_URL is https
};
