import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { defaultUrl, listenHost, nextStart } from "./runtime.mjs";

describe("nextStart", () => {
  it("starts next with the long keep-alive and the given arguments", () => {
    const s = nextStart(["-p", "3999"], {});
    expect(s.command).toMatch(/node_modules\/\.bin\/next$/);
    expect(s.args).toEqual(["start", "--keepAliveTimeout", "65000", "-p", "3999"]);
  });

  it("adds its Node options to the caller's, and Node accepts them from NODE_OPTIONS", () => {
    const s = nextStart([], { NODE_OPTIONS: "--max-old-space-size=600", PATH: process.env.PATH });
    expect(s.env.NODE_OPTIONS).toBe("--max-old-space-size=600 --max-semi-space-size=32");
    // Node refuses to start when NODE_OPTIONS holds a flag it does not allow there (exit code 9).
    const child = spawnSync(process.execPath, ["-e", "console.log(require('v8').getHeapStatistics().heap_size_limit > 0 ? 'up' : 'no')"], { env: s.env, encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe("up");
  });
});

describe("HOST, the listen address", () => {
  it("is unset by default (every interface, as before) and takes IP addresses and host names", () => {
    expect(listenHost({})).toBeNull();
    expect(listenHost({ HOST: "  " })).toBeNull();
    expect(listenHost({ HOST: "127.0.0.1" })).toBe("127.0.0.1");
    expect(listenHost({ HOST: "0.0.0.0" })).toBe("0.0.0.0");
    expect(listenHost({ HOST: "::" })).toBe("::");
    expect(listenHost({ HOST: "[::1]" })).toBe("::1");
    expect(listenHost({ HOST: "fd00::2" })).toBe("fd00::2");
    expect(listenHost({ HOST: "warden-1.internal" })).toBe("warden-1.internal");
  });

  it("refuses anything else, so a typo stops the start", () => {
    for (const bad of ["127.0.0.1:3000", "http://0.0.0.0", "-p", "a b", "host;rm", "256.1.1.1.1", "[::1", "a..b", "-x.example", "x".repeat(254)]) {
      expect(() => listenHost({ HOST: bad }), bad).toThrow(/HOST must be an IP address or a host name/);
    }
  });

  it("gives the default WARDEN_URL: localhost for every-interface and loopback, else the address itself", () => {
    expect(defaultUrl(null, 3000)).toBe("http://localhost:3000");
    expect(defaultUrl("0.0.0.0", 3000)).toBe("http://localhost:3000");
    expect(defaultUrl("::", 3001)).toBe("http://localhost:3001");
    expect(defaultUrl("127.0.0.1", 3000)).toBe("http://localhost:3000");
    expect(defaultUrl("192.0.2.7", 3000)).toBe("http://192.0.2.7:3000");
    expect(defaultUrl("fd00::2", 3000)).toBe("http://[fd00::2]:3000");
    expect(defaultUrl("warden.internal", 8080)).toBe("http://warden.internal:8080");
  });
});
