import { describe, expect, it } from "vitest";
import { parseTrustProxy, resolveClientIp } from "./client-ip";

describe("WARDEN_TRUST_PROXY", () => {
  it("off by default: only the socket address counts, whatever X-Forwarded-For says", () => {
    for (const off of [undefined, "", "off", "false", "0", " OFF "]) {
      const trust = parseTrustProxy(off);
      expect(resolveClientIp("10.0.0.5", "203.0.113.7", trust)).toBe("10.0.0.5");
      expect(resolveClientIp("::ffff:127.0.0.1", "203.0.113.7, 198.51.100.1", trust)).toBe("127.0.0.1");
    }
  });

  it("a hop count trusts that many proxies, counted from the socket", () => {
    const one = parseTrustProxy("1");
    // The client put a fake address first; the proxy appended the real one.
    expect(resolveClientIp("10.0.0.5", "6.6.6.6, 203.0.113.7", one)).toBe("203.0.113.7");
    expect(resolveClientIp("10.0.0.5", undefined, one)).toBe("10.0.0.5");
    const two = parseTrustProxy("2");
    expect(resolveClientIp("10.0.0.5", "6.6.6.6, 203.0.113.7, 10.0.0.9", two)).toBe("203.0.113.7");
  });

  it("a list trusts only those proxies", () => {
    const trust = parseTrustProxy("10.0.0.0/8, 192.168.1.1, loopback");
    expect(resolveClientIp("10.1.2.3", "6.6.6.6, 203.0.113.7", trust)).toBe("203.0.113.7");
    expect(resolveClientIp("127.0.0.1", "203.0.113.7, 10.0.0.2", trust)).toBe("203.0.113.7");
    // Not a listed proxy: its X-Forwarded-For is ignored.
    expect(resolveClientIp("198.51.100.20", "203.0.113.7", trust)).toBe("198.51.100.20");
    // A trusted proxy forwarding garbage does not make garbage the address.
    expect(resolveClientIp("10.1.2.3", "not-an-ip", trust)).toBe("10.1.2.3");
    expect(resolveClientIp("::1", "2001:db8::1", parseTrustProxy("::1/128"))).toBe("2001:db8::1");
  });

  it.each(["true", "all", "*", "yes", "abc", "10.0.0.0/33", "10.0.0.1,,10.0.0.2", "999", "300.1.1.1", "10.0.0.0/8/1", "fe80::/129"])("refuses %j with a clear message", (v) => {
    expect(() => parseTrustProxy(v)).toThrow(/^WARDEN_TRUST_PROXY: /);
  });
});
