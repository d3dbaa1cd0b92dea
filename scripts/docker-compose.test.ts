import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// docker-compose.yml runs several Warden replicas behind Caddy. There is no Docker engine in CI:
// this checks the file parses and that the replicas and the proxy agree.
type Service = { image?: string; build?: unknown; environment?: Record<string, string>; ports?: string[]; configs?: { source: string }[] };
const file = fs.readFileSync(path.join(__dirname, "..", "docker-compose.yml"), "utf8");
const doc = parse(file, { merge: true }) as { services: Record<string, Service>; configs: Record<string, { content: string }> };
const replicas = Object.entries(doc.services).filter(([, s]) => s.image === "warden:local");
const caddyfile = doc.configs.caddyfile.content;

/** ${NAME:-default} / ${NAME:?message} → the default (or "x"), as Compose would with nothing set. */
const resolve = (v: string) => v.replace(/\$\{[A-Z_]+(:-([^}]*)|:\?[^}]*)\}/g, (_m, _g, def) => def ?? "x");

describe("docker-compose.yml", () => {
  it("runs two replicas with identical settings but their replica id", () => {
    expect(replicas.map(([name]) => name)).toEqual(["app1", "app2"]);
    const envs = replicas.map(([, s]) => s.environment!);
    const { WARDEN_REPLICA_ID: a, ...first } = envs[0];
    const { WARDEN_REPLICA_ID: b, ...second } = envs[1];
    expect(first).toEqual(second);
    expect(a).not.toBe(b);
    for (const k of ["DATABASE_URL", "WARDEN_MIGRATE_DATABASE_URL", "WARDEN_SECRET", "WARDEN_URL", "WARDEN_TRUST_PROXY", "WARDEN_AUDIT_CHECKPOINT_FILE"]) expect(first[k], k).toBeTruthy();
    expect(resolve(first.WARDEN_TRUST_PROXY)).toBe("1");
    // Only the proxy is published: a client never reaches a replica around it.
    for (const [, s] of replicas) expect(s.ports).toBeUndefined();
    expect(doc.services.proxy.ports).toEqual(["3000:3000"]);
  });

  it("the proxy balances over every replica, with health checks and retries", () => {
    const upstreams = /reverse_proxy\s+([^{]+)\{/.exec(caddyfile)?.[1].trim().split(/\s+/);
    expect(upstreams).toEqual(replicas.map(([name]) => `${name}:3000`));
    expect(caddyfile).toMatch(/lb_policy round_robin/);
    expect(caddyfile).toMatch(/lb_try_duration \d+s/);
    expect(caddyfile).toMatch(/health_uri \/api\/health/);
    // Compose would interpolate a $ in the inline Caddyfile.
    expect(caddyfile).not.toContain("$");
    expect(doc.services.proxy.configs).toEqual([{ source: "caddyfile", target: "/etc/caddy/Caddyfile" }]);
  });
});
