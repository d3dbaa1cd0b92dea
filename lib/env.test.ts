import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const base = { DATABASE_URL: "postgresql://warden_app:x@db:5432/warden", WARDEN_SECRET: "0123456789abcdef0123" };

describe("environment", () => {
  it("treats the empty values Docker Compose passes for unset optional settings as unset", () => {
    // docker-compose.yml passes `${OIDC_ISSUER:-}` and friends, i.e. "" when the operator sets nothing.
    const blank = ["WARDEN_URL", "NEXTAUTH_URL", "WARDEN_TRUST_PROXY", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME", "OIDC_ROLE_CLAIM", "OIDC_ROLE_MAP", "OIDC_DEFAULT_ROLE"];
    const e = parseEnv({ ...base, ...Object.fromEntries(blank.map((k) => [k, ""])) });
    expect(e.OIDC_ISSUER).toBeUndefined();
    expect(e.OIDC_DEFAULT_ROLE).toBeUndefined();
    expect(e.OIDC_NAME).toBe("Single sign-on");
  });

  it("still refuses values that are set but wrong, naming the setting", () => {
    expect(() => parseEnv({ ...base, OIDC_ISSUER: "not a url" })).toThrow(/OIDC_ISSUER/);
    expect(() => parseEnv({ ...base, OIDC_DEFAULT_ROLE: "root" })).toThrow(/OIDC_DEFAULT_ROLE/);
    expect(() => parseEnv({ ...base, WARDEN_TRUST_PROXY: "all" })).toThrow(/WARDEN_TRUST_PROXY/);
    expect(() => parseEnv({ ...base, WARDEN_URL: "javascript:alert(1)" })).toThrow(/WARDEN_URL/);
  });
});
