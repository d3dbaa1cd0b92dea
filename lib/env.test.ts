import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv, settings, withEnvVars } from "./env";

const ROOT = path.resolve(__dirname, "..");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(p);
    return /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

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

  describe("settings only through lib/env.ts", () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    });

    it("no file of lib/, app/, components/ or instrumentation.ts reads process.env but lib/env.ts (Next's build-time NODE_ENV / NEXT_RUNTIME aside)", () => {
      const files = [...["lib", "app", "components"].flatMap((d) => sources(path.join(ROOT, d))), path.join(ROOT, "instrumentation.ts")];
      const offenders = files
        .filter((f) => path.relative(ROOT, f) !== path.join("lib", "env.ts"))
        .flatMap((f) =>
          fs
            .readFileSync(f, "utf8")
            .split("\n")
            .map((line, i) => ({ f, i, line })),
        )
        .filter(({ line }) => /process\s*(\.\s*env|\[\s*["'`]env)/.test(line.replace(/process\.env\.(NODE_ENV|NEXT_RUNTIME)\b/g, "")))
        .map(({ f, i }) => `${path.relative(ROOT, f)}:${i + 1}`);
      expect(offenders).toEqual([]);
    });

    it("every setting lib/env.ts and the parsers it feeds name is in docs/operations.md's table", () => {
      const doc = fs.readFileSync(path.join(ROOT, "docs/operations.md"), "utf8");
      const feeders = ["lib/env.ts", "lib/bootstrap.ts", "lib/auth/oidc.ts", "lib/http/server-hook.ts", "lib/http/same-origin.ts", "lib/tool-calls/retention.ts"];
      const names = new Set(feeders.flatMap((f) => [...fs.readFileSync(path.join(ROOT, f), "utf8").matchAll(/\b((?:WARDEN|OIDC|NEXTAUTH|DATABASE)_[A-Z0-9_]+)\b/g)].map((m) => m[1])));
      expect(names.size).toBeGreaterThan(30);
      expect([...names].filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
    });

    it("read live, with their defaults when unset, empty or out of range", () => {
      delete process.env.WARDEN_CONTAINMENT_ACK_TIMEOUT_SECONDS;
      expect(settings.containmentAckTimeoutMs()).toBe(60_000);
      for (const bad of ["", "0", "-5", "abc", "Infinity"]) {
        process.env.WARDEN_CONTAINMENT_ACK_TIMEOUT_SECONDS = bad;
        expect(settings.containmentAckTimeoutMs(), bad).toBe(60_000);
      }
      process.env.WARDEN_CONTAINMENT_ACK_TIMEOUT_SECONDS = "2";
      expect(settings.containmentAckTimeoutMs()).toBe(2_000);
      process.env.WARDEN_EXPORT_LEASE_SECONDS = "99999";
      expect(settings.exportLeaseMs()).toBe(3_600_000);
      process.env.WARDEN_OUTBOX_RECHECK_MS = "50";
      expect(settings.outboxRecheckMs()).toBe(2_000);
      process.env.WARDEN_CONNECTOR_CONNECTIONS = "1000";
      expect(settings.connectorConnections()).toBe(64);
      process.env.WARDEN_INGEST_WRITERS = "3.7";
      expect(settings.ingestWriters()).toBe(3);
      process.env.WARDEN_WEBHOOK_ALLOW_HTTP = "true";
      expect(settings.webhookAllowHttp()).toBe(false);
      process.env.WARDEN_WEBHOOK_ALLOW_HTTP = "1";
      expect(settings.webhookAllowHttp()).toBe(true);
      process.env.WARDEN_SCHEDULER = "off";
      expect(settings.schedulerEnabled()).toBe(false);
    });

    it("withEnvVars restores what it changed, also when the function throws", async () => {
      delete process.env.WARDEN_TEST_ONLY_X;
      process.env.WARDEN_TEST_ONLY_Y = "kept";
      await expect(
        withEnvVars({ WARDEN_TEST_ONLY_X: "1", WARDEN_TEST_ONLY_Y: "2" }, async () => {
          expect([process.env.WARDEN_TEST_ONLY_X, process.env.WARDEN_TEST_ONLY_Y]).toEqual(["1", "2"]);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect("WARDEN_TEST_ONLY_X" in process.env).toBe(false);
      expect(process.env.WARDEN_TEST_ONLY_Y).toBe("kept");
    });
  });
});
