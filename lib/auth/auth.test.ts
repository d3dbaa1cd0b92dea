import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser, rid } from "@/test/factories";
import { authorizeCredentials } from "./options";
import { MAX_FAILURES_PER_ACCOUNT } from "./throttle";
import { mapOidcRole } from "./oidc";
import { can, ROLES, ROLE_SCOPES } from "./roles";

const req = (ip: string) => ({ headers: { "x-forwarded-for": ip, "user-agent": "vitest" } });

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
    const env = { OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "sec=security_lead, ops=operator, bogus=root" } as unknown as NodeJS.ProcessEnv;
    expect(mapOidcRole({ groups: ["ops", "sec"] }, env)).toBe("security_lead");
    expect(mapOidcRole({ groups: ["auditor"] }, env)).toBe("auditor");
    expect(mapOidcRole({ groups: ["bogus"] }, env)).toBeNull();
    expect(mapOidcRole({ groups: "ops" }, env)).toBe("operator");
    expect(mapOidcRole({}, { ...env, OIDC_DEFAULT_ROLE: "manager" })).toBe("manager");
  });
});
