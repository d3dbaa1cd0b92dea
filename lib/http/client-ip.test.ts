import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientIpHeader, clientIpOf, installClientIpHook, parseTrustProxy, resolveClientIp } from "./client-ip";

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

describe("the server hook", () => {
  let server: http.Server;
  let port: number;
  const seen: { ip: string | null; headers: http.IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    installClientIpHook(undefined);
    server = http.createServer((req, res) => {
      seen.push({ ip: clientIpOf({ get: (n) => (req.headers[n] as string | undefined) ?? null }), headers: req.headers });
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (headers: Record<string, string>, localAddress = "127.0.0.1") =>
    new Promise<void>((resolve, reject) => {
      http.get({ host: "127.0.0.1", port, path: "/", headers, localAddress, agent: false }, (res) => res.resume().on("end", resolve)).on("error", reject);
    });

  it("records the socket address, never a client-sent header", async () => {
    seen.length = 0;
    await get({ "x-forwarded-for": "203.0.113.66", "x-real-ip": "203.0.113.67" }, "127.0.0.23");
    // A client guessing the header name (or sending it at all) is overwritten.
    await get({ [clientIpHeader()]: "203.0.113.68" }, "127.0.0.24");
    expect(seen.map((s) => s.ip)).toEqual(["127.0.0.23", "127.0.0.24"]);
  });

  it("the header name is random per process and not guessable from the request", () => {
    expect(clientIpHeader()).toMatch(/^x-warden-client-ip-[0-9a-f]{24}$/);
  });
});
