import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser, rid } from "@/test/factories";
import { MAX_ROLE_VALUES, oidcSettings, oidcSettingsProblem, parseRoleMap, readOidcClaims, roleForValues, type OidcSettings } from "./oidc";
import { signInWithOidc } from "./oidc-signin";

const settings = (over: Partial<OidcSettings> = {}): OidcSettings => ({
  roleClaim: "groups",
  roleMap: new Map([
    ["wa", "admin"],
    ["wo", "operator"],
    ["wau", "auditor"],
  ]),
  defaultRole: null,
  linkLocal: "never",
  ...over,
});
const info = { ip: "203.0.113.7", userAgent: "vitest" };
const person = (over: Record<string, unknown> = {}) => ({ sub: `s-${rid()}`, email: `p-${rid()}@idp.test`, email_verified: true, groups: ["wo"], ...over });

/** Rows a refused sign-in could have left: users with the email or subject, and sessions. */
async function stored(c: { sub?: unknown; email?: unknown }) {
  // (Postgres refuses a NUL in a query parameter: look for the value without it.)
  const email = typeof c.email === "string" ? c.email.toLowerCase().replaceAll("\u0000", "") : "-";
  const sub = typeof c.sub === "string" ? c.sub.replaceAll("\u0000", "") : "-";
  return db.user.count({ where: { OR: [{ email }, { oidcSubject: sub }] } });
}

describe("OIDC settings", () => {
  it("a role map naming a non-role, a malformed pair or a bad default is a clear start-up error", () => {
    expect(() => parseRoleMap("sec=security_lead, ops=root")).toThrow(/"root" is not a Warden role/);
    expect(() => parseRoleMap("justtext")).toThrow(/not claim-value=role/);
    expect(() => parseRoleMap("a=admin,a=auditor")).toThrow(/mapped twice/);
    expect(oidcSettingsProblem({ OIDC_ROLE_MAP: "x=superuser" })).toMatch(/superuser/);
    expect(oidcSettingsProblem({ OIDC_DEFAULT_ROLE: "owner" })).toMatch(/OIDC_DEFAULT_ROLE/);
    expect(oidcSettingsProblem({ OIDC_LINK_LOCAL: "always" })).toMatch(/OIDC_LINK_LOCAL/);
    expect(oidcSettingsProblem({ OIDC_ISSUER: "https://idp.example" })).toMatch(/together/);
    expect(oidcSettingsProblem({ OIDC_ROLE_MAP: "grp=admin, team:ops = operator,", OIDC_DEFAULT_ROLE: "manager", OIDC_LINK_LOCAL: "verified" })).toBeNull();
    expect(oidcSettings({ OIDC_ROLE_MAP: "grp=admin, team:ops = operator," }).roleMap).toEqual(
      new Map([
        ["grp", "admin"],
        ["team:ops", "operator"],
      ]),
    );
    expect(oidcSettings({}).linkLocal).toBe("never");
  });

  it("with a role map only its values count; without one a role name maps to itself; the most privileged wins", () => {
    const s = settings();
    expect(roleForValues(["wo", "wa"], s)).toBe("admin");
    expect(roleForValues(["admin", "__proto__", "constructor"], s)).toBeNull();
    expect(roleForValues(["auditor"], { roleMap: null, defaultRole: null })).toBe("auditor");
    expect(roleForValues([], { ...s, defaultRole: "manager" })).toBe("manager");
  });
});

describe("hostile OIDC claims are refused, never coerced", () => {
  const refused: [string, unknown, string][] = [
    ["groups as an object", person({ groups: { wa: true } }), "sso_bad_claims"],
    ["a non-string group", person({ groups: ["wa", 1] }), "sso_bad_claims"],
    ["a null group", person({ groups: [null] }), "sso_bad_claims"],
    ["a NUL in a group", person({ groups: ["wa\u0000"] }), "sso_bad_claims"],
    ["a lone surrogate in a group", person({ groups: ["wa\ud800"] }), "sso_bad_claims"],
    ["a huge group list", person({ groups: Array.from({ length: MAX_ROLE_VALUES + 1 }, () => "wa") }), "sso_bad_claims"],
    ["a huge group name", person({ groups: ["w".repeat(10_000)] }), "sso_bad_claims"],
    ["no email", person({ email: undefined }), "sso_no_email"],
    ["an empty email", person({ email: "" }), "sso_no_email"],
    ["an email list", person({ email: ["a@b.test"] }), "sso_bad_claims"],
    ["a NUL in the email", person({ email: "a\u0000@b.test" }), "sso_bad_claims"],
    ["not an email", person({ email: "root" }), "sso_bad_claims"],
    ["a numeric subject", person({ sub: 42 }), "sso_bad_claims"],
    ["a NUL in the subject", person({ sub: "s\u0000" }), "sso_bad_claims"],
    ["claims that are a list (with claim properties)", Object.assign([person()], person()), "sso_bad_claims"],
    ["no claims", null, "sso_bad_claims"],
  ];
  it.each(refused)("%s", async (_what, claims, error) => {
    const pure = readOidcClaims(claims, "groups");
    expect(pure).toMatchObject({ ok: false, error });
    const before = await db.auditEvent.count();
    expect(await signInWithOidc(claims, info, settings())).toEqual({ ok: false, error });
    // Nothing stored but the audit row of the refusal.
    expect(await stored((claims ?? {}) as Record<string, unknown>)).toBe(0);
    expect(await db.auditEvent.count()).toBe(before + 1);
    const row = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(row).toMatchObject({ action: "auth.login", outcome: "denied" });
    expect(JSON.stringify(row.after)).not.toMatch(/\\u0000|w{100}/);
  });

  it("a group given as one string is read as a one-element list; a name is cleaned or replaced", () => {
    expect(readOidcClaims(person({ groups: "wa" }), "groups")).toMatchObject({ ok: true, identity: { roleValues: ["wa"] } });
    expect(readOidcClaims(person({ name: { x: 1 } }), "groups")).toMatchObject({ ok: true, identity: { name: expect.stringMatching(/@idp\.test$/) } });
    expect(readOidcClaims(person({ email_verified: "true" }), "groups")).toMatchObject({ ok: true, identity: { emailVerified: false } });
  });
});

describe("SSO sign-in: provisioning, roles, the linking rule", () => {
  it("provisions a mapped user (audited with the sign-in and a session), then follows role changes at the provider", async () => {
    const c = person({ groups: ["wau"] });
    const first = await signInWithOidc(c, info, settings());
    expect(first).toMatchObject({ ok: true, provisioned: true });
    if (!first.ok) return;
    expect(await db.user.findUniqueOrThrow({ where: { id: first.userId } })).toMatchObject({ role: "auditor", oidcSubject: c.sub, passwordHash: null });
    expect(await db.userSession.findUniqueOrThrow({ where: { id: first.sid } })).toMatchObject({ userId: first.userId, ip: info.ip });
    const actions = async () => (await db.auditEvent.findMany({ where: { targetId: first.userId }, orderBy: { id: "asc" } })).map((r) => `${r.action}:${r.outcome}`);
    expect(await actions()).toEqual(["auth.sso_provision:success", "auth.login:success"]);

    const again = await signInWithOidc({ ...c, groups: ["wa"] }, info, settings());
    expect(again).toMatchObject({ ok: true, provisioned: false, userId: first.userId });
    expect((await db.user.findUniqueOrThrow({ where: { id: first.userId } })).role).toBe("admin");
    expect(await actions()).toEqual(["auth.sso_provision:success", "auth.login:success", "auth.login:success"]);

    expect(await signInWithOidc({ ...c, groups: [] }, info, settings())).toEqual({ ok: false, error: "sso_no_role" });
    expect((await db.user.findUniqueOrThrow({ where: { id: first.userId } })).role).toBe("admin");
  });

  it("an unmapped user is refused without a default role and gets OIDC_DEFAULT_ROLE with one", async () => {
    const c = person({ groups: ["marketing"] });
    expect(await signInWithOidc(c, info, settings())).toEqual({ ok: false, error: "sso_no_role" });
    expect(await stored(c)).toBe(0);
    const withDefault = await signInWithOidc(c, info, settings({ defaultRole: "manager" }));
    expect(withDefault).toMatchObject({ ok: true });
    expect((await db.user.findUniqueOrThrow({ where: { email: c.email } })).role).toBe("manager");
  });

  it("never links a local account by default, even with email_verified; links with OIDC_LINK_LOCAL=verified only when verified", async () => {
    const { user } = await makeUser("admin", { password: "local password here" });
    const c = person({ email: user.email, groups: ["wau"] });
    expect(await signInWithOidc(c, info, settings())).toEqual({ ok: false, error: "sso_link_refused" });
    expect(await signInWithOidc({ ...c, email_verified: false }, info, settings({ linkLocal: "verified" }))).toEqual({ ok: false, error: "sso_link_refused" });
    expect(await signInWithOidc({ ...c, email_verified: "true" }, info, settings({ linkLocal: "verified" }))).toEqual({ ok: false, error: "sso_link_refused" });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ role: "admin", oidcSubject: null });

    expect(await signInWithOidc(c, info, settings({ linkLocal: "verified" }))).toMatchObject({ ok: true, userId: user.id });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ role: "auditor", oidcSubject: c.sub });
    expect(await db.auditEvent.count({ where: { targetId: user.id, action: "auth.sso_link" } })).toBe(1);
    // Linked: another subject with the same verified email is refused.
    expect(await signInWithOidc({ ...c, sub: `s-${rid()}` }, info, settings({ linkLocal: "verified" }))).toEqual({ ok: false, error: "sso_conflict" });
  });

  it("a disabled user stays disabled under SSO", async () => {
    const c = person();
    const ok = await signInWithOidc(c, info, settings());
    if (!ok.ok) throw new Error("sign-in failed");
    await db.user.update({ where: { id: ok.userId }, data: { disabledAt: new Date() } });
    const sessions = await db.userSession.count({ where: { userId: ok.userId } });
    expect(await signInWithOidc(c, info, settings())).toEqual({ ok: false, error: "sso_disabled" });
    expect(await db.userSession.count({ where: { userId: ok.userId } })).toBe(sessions);
    expect((await db.user.findUniqueOrThrow({ where: { id: ok.userId } })).disabledAt).not.toBeNull();
  });

  it("an email changed at the provider follows unless another account has it", async () => {
    const c = person();
    const ok = await signInWithOidc(c, info, settings());
    if (!ok.ok) throw new Error("sign-in failed");
    const moved = `moved-${rid()}@idp.test`;
    expect(await signInWithOidc({ ...c, email: moved }, info, settings())).toMatchObject({ ok: true, userId: ok.userId });
    expect((await db.user.findUniqueOrThrow({ where: { id: ok.userId } })).email).toBe(moved);
    const { user: other } = await makeUser("manager");
    expect(await signInWithOidc({ ...c, email: other.email }, info, settings())).toEqual({ ok: false, error: "sso_conflict" });
    expect((await db.user.findUniqueOrThrow({ where: { id: ok.userId } })).email).toBe(moved);
  });

  it("two first sign-ins of one person at once make one user", async () => {
    const c = person();
    const results = await Promise.all([signInWithOidc(c, info, settings()), signInWithOidc(c, info, settings()), signInWithOidc(c, info, settings())]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await db.user.count({ where: { oidcSubject: c.sub } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "auth.sso_provision", targetId: (results[0] as { userId: string }).userId } })).toBe(1);
  });
});
