import "server-only";
import { db, isUniqueViolation } from "@/lib/db";
import { recordAudit, recordAuditStandalone } from "@/lib/audit/record";
import type { Actor } from "./actor";
import { oidcSettings, readOidcClaims, roleForValues, type OidcSettings } from "./oidc";
import type { RoleName } from "./roles";
import { startSession } from "./sessions";

/** Why an SSO sign-in was refused; the login page has a sentence for each. */
export type OidcSignInError = "sso_no_email" | "sso_bad_claims" | "sso_no_role" | "sso_link_refused" | "sso_conflict" | "sso_disabled";

export type OidcSignInResult = { ok: true; userId: string; epoch: number; sid: string; provisioned: boolean } | { ok: false; error: OidcSignInError };

type Info = { ip: string | null; userAgent: string | null };

/** A label for the audit row of a refused attempt: the claimed email only when it is a clean string. */
function attemptLabel(claims: unknown): string {
  const e = claims && typeof claims === "object" ? (claims as Record<string, unknown>).email : undefined;
  return typeof e === "string" && e.length <= 254 && e.isWellFormed() && !/[\u0000-\u001f\u007f-\u009f]/.test(e) ? e.trim().toLowerCase() || "(sso)" : "(sso)";
}

async function refuse(label: string, error: OidcSignInError, detail: string | null, userId?: string): Promise<OidcSignInResult> {
  const actor: Actor = { kind: "user", label, role: null, ip: null, userAgent: null, ...(userId ? { userId } : {}) };
  await recordAuditStandalone(actor, {
    action: "auth.login",
    outcome: "denied",
    targetType: userId ? "user" : "account",
    targetId: userId ?? label,
    after: { via: "oidc", reason: error, ...(detail ? { detail } : {}) },
  });
  return { ok: false, error };
}

/**
 * Sign in with the claims of a verified ID token (next-auth has checked its signature, issuer,
 * audience, nonce, state and PKCE). The linking rule:
 * 1. the Warden user whose oidc_subject is the token's `sub` is that person;
 * 2. else, no user with the email: provisioned with the mapped role (none mapped: refused);
 * 3. else the email belongs to a local account: linked only when OIDC_LINK_LOCAL=verified and the
 *    IdP asserts email_verified=true (a Warden account is never taken over by an unverified email);
 *    an account already linked to another subject is never re-linked.
 * A disabled user stays disabled. The IdP's groups decide the role at every sign-in (none: refused).
 * Provisioning, linking, each sign-in and each refusal are audited; a refusal stores nothing else.
 */
export async function signInWithOidc(claims: unknown, info: Info, settings: OidcSettings = oidcSettings()): Promise<OidcSignInResult> {
  const read = readOidcClaims(claims, settings.roleClaim);
  if (!read.ok) return refuse(attemptLabel(claims), read.error, read.detail);
  const id = read.identity;
  const role = roleForValues(id.roleValues, settings);
  // Two first sign-ins of one person at once: the loser of the unique index retries and finds the row.
  for (let attempt = 0; ; attempt++) {
    try {
      return await signInOnce(id, role, info, settings);
    } catch (err) {
      if (!(err instanceof ChangedMeanwhile || isUniqueViolation(err)) || attempt >= 2) throw err;
    }
  }
}

/** The user row changed between the read and the update: read again. */
class ChangedMeanwhile extends Error {}

type Identity = Extract<ReturnType<typeof readOidcClaims>, { ok: true }>["identity"];

async function signInOnce(id: Identity, role: RoleName | null, info: Info, s: OidcSettings): Promise<OidcSignInResult> {
  const select = { id: true, email: true, role: true, disabledAt: true, oidcSubject: true, sessionEpoch: true, passwordHash: true } as const;
  let user = await db.user.findUnique({ where: { oidcSubject: id.subject }, select });
  let link = false;
  if (!user) {
    const byEmail = await db.user.findUnique({ where: { email: id.email }, select });
    if (byEmail) {
      if (byEmail.oidcSubject) return refuse(id.email, "sso_conflict", "email: linked to another SSO subject", byEmail.id);
      if (s.linkLocal !== "verified") return refuse(id.email, "sso_link_refused", "local account: OIDC_LINK_LOCAL is never", byEmail.id);
      if (!id.emailVerified) return refuse(id.email, "sso_link_refused", "local account: email_verified is not true", byEmail.id);
      user = byEmail;
      link = true;
    }
  }
  if (user?.disabledAt) return refuse(user.email, "sso_disabled", null, user.id);
  if (!role) return refuse(user?.email ?? id.email, "sso_no_role", id.roleValues.length ? "claim: no value maps to a role" : "claim: absent or empty", user?.id);
  if (user && user.email !== id.email) {
    // The IdP changed the person's email: follow it unless another account has it.
    const other = await db.user.findUnique({ where: { email: id.email }, select: { id: true } });
    if (other) return refuse(user.email, "sso_conflict", "email: changed at the provider to another account's", user.id);
  }

  const existing = user;
  return db.$transaction(async (tx) => {
    const now = new Date();
    if (!existing) {
      const u = await tx.user.create({ data: { email: id.email, name: id.name, role, oidcSubject: id.subject, lastLoginAt: now }, select });
      const actor: Actor = { kind: "user", userId: u.id, label: u.email, role: u.role, ...info };
      await recordAudit(tx, actor, { action: "auth.sso_provision", targetType: "user", targetId: u.id, after: { via: "oidc", email: u.email, role: u.role } });
      const sid = await startSession(tx, u.id, info);
      await recordAudit(tx, actor, { action: "auth.login", targetType: "user", targetId: u.id, after: { via: "oidc", role: u.role, sessionId: sid } });
      return { ok: true, userId: u.id, epoch: u.sessionEpoch, sid, provisioned: true };
    }
    // Conditional on what was read: a concurrent disable or re-link wins over this sign-in.
    const updated = await tx.user.updateMany({
      where: { id: existing.id, disabledAt: null, oidcSubject: existing.oidcSubject },
      data: { oidcSubject: id.subject, email: id.email, role, lastLoginAt: now },
    });
    if (updated.count !== 1) throw new ChangedMeanwhile("user changed during SSO sign-in");
    const actor: Actor = { kind: "user", userId: existing.id, label: id.email, role, ...info };
    if (link) await recordAudit(tx, actor, { action: "auth.sso_link", targetType: "user", targetId: existing.id, after: { via: "oidc", email: id.email, emailVerified: true } });
    const sid = await startSession(tx, existing.id, info);
    await recordAudit(tx, actor, {
      action: "auth.login",
      targetType: "user",
      targetId: existing.id,
      ...(existing.role !== role || existing.email !== id.email ? { before: { role: existing.role, email: existing.email } } : {}),
      after: { via: "oidc", role, sessionId: sid, ...(existing.email !== id.email ? { email: id.email } : {}) },
    });
    return { ok: true, userId: existing.id, epoch: existing.sessionEpoch, sid, provisioned: false };
  });
}

/**
 * Audit a sign-in next-auth refused before Warden saw the claims: the callback failed its checks
 * (state, PKCE, or the ID token's signature, issuer, audience, nonce, expiry). The reason is the
 * error's message, cleaned and cut (it can quote what the IdP or a forger sent).
 */
export async function auditOidcCallbackError(metadata: unknown): Promise<void> {
  const err = metadata && typeof metadata === "object" && "error" in metadata ? (metadata as { error: unknown }).error : metadata;
  const message = err instanceof Error ? err.message : "unknown error";
  const detail = message
    .toWellFormed()
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .slice(0, 200);
  const actor: Actor = { kind: "user", label: "(sso)", role: null, ip: null, userAgent: null };
  await recordAuditStandalone(actor, { action: "auth.login", outcome: "denied", targetType: "account", targetId: "(sso)", after: { via: "oidc", reason: "sso_callback_checks", detail } });
}
