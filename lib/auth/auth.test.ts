import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser, rid } from "@/test/factories";
import { authOptions, authorizeCredentials } from "./options";
import { MAX_FAILURES_PER_ACCOUNT } from "./throttle";
import { mapOidcRole } from "./oidc";
import { can, ROLES, ROLE_SCOPES } from "./roles";
import { clientIpHeader } from "@/lib/http/client-ip";
import { MAX_FAILURES_PER_IP } from "./throttle";

// The client address as the server hook stamps it (lib/http/client-ip.ts).
const req = (ip: string, extra: Record<string, string> = {}) => ({ headers: { [clientIpHeader()]: ip, "user-agent": "vitest", ...extra } });

describe("sign-in", () => {
  it("accepts the right password and audits the login", async () => {
    const { user } = await makeUser("operator", { password: "correct horse battery" });
    const res = await authorizeCredentials({ email: user.email.toUpperCase(), password: "correct horse battery" }, req("198.51.100.1"));
    expect(res).toMatchObject({ id: user.id, email: user.email, epoch: 0 });
    expect(await db.auditEvent.count({ where: { action: "auth.login", outcome: "success", targetId: user.id } })).toBe(1);
  });

  it("fails the same way for a wrong password and an unknown account", async () => {
    const { user } = await makeUser("operator", { password: "correct horse battery" });
    expect(await authorizeCredentials({ email: user.email, password: "wrong password!!" }, req("198.51.100.2"))).toBeNull();
    expect(await authorizeCredentials({ email: `nobody-${rid()}@x.io`, password: "wrong password!!" }, req("198.51.100.2"))).toBeNull();
  });

  it("a disabled user cannot sign in", async () => {
    const { user } = await makeUser("operator", { password: "correct horse battery" });
    await db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await authorizeCredentials({ email: user.email, password: "correct horse battery" }, req("198.51.100.3"))).toBeNull();
  });

  it("throttles an account after repeated failures, even with the right password, whether or not it exists", async () => {
    const { user } = await makeUser("auditor", { password: "correct horse battery" });
    const ghost = `ghost-${rid()}@x.io`;
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      await authorizeCredentials({ email: user.email, password: `bad-${i}-password` }, req(`198.51.100.${10 + i}`));
      await authorizeCredentials({ email: ghost, password: `bad-${i}-password` }, req(`198.51.100.${10 + i}`));
    }
    await expect(authorizeCredentials({ email: user.email, password: "correct horse battery" }, req("198.51.100.99"))).rejects.toThrow(/Too many sign-in attempts/);
    await expect(authorizeCredentials({ email: ghost, password: "whatever-password" }, req("198.51.100.99"))).rejects.toThrow(/Too many sign-in attempts/);
  });

  it("throttles an IP spraying many accounts", async () => {
    const ip = "192.0.2.77";
    for (let i = 0; i < 20; i++) await authorizeCredentials({ email: `spray-${i}-${rid()}@x.io`, password: "bad-password-123" }, req(ip));
    const { user } = await makeUser("manager", { password: "correct horse battery" });
    await expect(authorizeCredentials({ email: user.email, password: "correct horse battery" }, req(ip))).rejects.toThrow(/Too many/);
    expect(await authorizeCredentials({ email: user.email, password: "correct horse battery" }, req("192.0.2.78"))).not.toBeNull();
  });
});

describe("the client address of a sign-in", () => {
  it("is the stamped socket address: rotating X-Forwarded-For neither escapes the IP limit nor lands in the audit trail", async () => {
    const ip = "192.0.2.201";
    for (let i = 0; i < MAX_FAILURES_PER_IP + 5; i++) {
      const spoof = { "x-forwarded-for": `203.0.113.${i}`, "x-real-ip": `198.51.100.${i}` };
      const attempt = authorizeCredentials({ email: `rot-${i}-${rid()}@x.io`, password: "bad-password-123" }, req(ip, spoof));
      if (i < MAX_FAILURES_PER_IP) expect(await attempt).toBeNull();
      else await expect(attempt).rejects.toThrow(/Too many/);
    }
    const rows = await db.auditEvent.groupBy({ by: ["ip", "outcome"], where: { action: "auth.login", targetId: { startsWith: "rot-" } }, _count: true });
    expect(rows.map((r) => [r.ip, r.outcome, r._count]).sort()).toEqual([
      [ip, "denied", 5],
      [ip, "failure", MAX_FAILURES_PER_IP],
    ]);
  });

  it("is unknown (null) when nothing was stamped, whatever the client sends", async () => {
    const email = `nostamp-${rid()}@x.io`;
    await authorizeCredentials({ email, password: "bad-password-123" }, { headers: { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" } });
    const row = await db.auditEvent.findFirst({ where: { action: "auth.login", targetId: email } });
    expect(row?.ip).toBeNull();
  });
});

describe("next-auth redirects (callbackUrl after sign-in and sign-out)", () => {
  it("stay on this Warden", async () => {
    const redirect = authOptions.callbacks!.redirect!;
    const baseUrl = "https://warden.example.com";
    for (const url of ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example/x", "javascript:alert(1)", "/.//evil.example"]) {
      expect(await redirect({ url, baseUrl })).toBe(`${baseUrl}/`);
    }
    expect(await redirect({ url: "/agents?x=1", baseUrl })).toBe(`${baseUrl}/agents?x=1`);
    expect(await redirect({ url: `${baseUrl}/audit`, baseUrl })).toBe(`${baseUrl}/audit`);
  });
});

describe("roles and SSO mapping", () => {
  it("gives every scope to admin and never tool-call parameters to managers", () => {
    expect(ROLE_SCOPES.admin.length).toBeGreaterThan(10);
    expect(can("manager", "tool_calls:read_params")).toBe(false);
    expect(can("auditor", "evidence:export")).toBe(true);
    expect(ROLES.filter((r) => can(r, "users:manage"))).toEqual(["admin"]);
    expect(ROLES.filter((r) => can(r, "tools:decide"))).toEqual(["admin", "security_lead"]);
    expect(can(null, "dashboard:read")).toBe(false);
  });

  it("maps an OIDC claim to the most privileged matching role, else the default, else nothing", () => {
    const env = { OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "sec=security_lead, ops=operator" };
    expect(mapOidcRole({ groups: ["ops", "sec"] }, env)).toBe("security_lead");
    // With a role map, only its values count: an IdP group that happens to be named "auditor" grants nothing.
    expect(mapOidcRole({ groups: ["auditor"] }, env)).toBeNull();
    expect(mapOidcRole({ groups: ["auditor"] }, { OIDC_ROLE_CLAIM: "warden_role", ...{} })).toBeNull();
    expect(mapOidcRole({ warden_role: "auditor" }, { OIDC_ROLE_CLAIM: "warden_role" })).toBe("auditor");
    expect(mapOidcRole({ groups: ["bogus"] }, env)).toBeNull();
    expect(mapOidcRole({ groups: "ops" }, env)).toBe("operator");
    expect(mapOidcRole({}, { ...env, OIDC_DEFAULT_ROLE: "manager" })).toBe("manager");
  });
});
