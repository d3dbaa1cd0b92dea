import { describe, expect, it } from "vitest";
import { isolateEnv } from "@/test/env";
import { checkOutboundUrl } from "./ssrf";

isolateEnv(["WARDEN_WEBHOOK_ALLOW_HTTP", "WARDEN_WEBHOOK_ALLOW_PRIVATE"]);
const setFlags = (http: boolean, priv: boolean) => {
  if (http) process.env.WARDEN_WEBHOOK_ALLOW_HTTP = "1";
  if (priv) process.env.WARDEN_WEBHOOK_ALLOW_PRIVATE = "1";
};

describe("SSRF guard", () => {
  it.each([
    ["https://10.0.0.1/hook", /private-network/],
    ["https://172.16.5.4/hook", /private-network/],
    ["https://192.168.1.10/hook", /private-network/],
    ["https://127.0.0.1/hook", /loopback/],
    ["https://127.8.9.10:8443/hook", /loopback/],
    ["https://[::1]/hook", /loopback/],
    ["https://169.254.169.254/latest/meta-data/", /metadata/],
    ["https://192.0.2.1/hook", /special-purpose/], // TEST-NET-1
    ["https://198.51.100.7/hook", /special-purpose/], // TEST-NET-2
    ["https://[2001:db8::1]/hook", /special-purpose/], // documentation
    ["https://100.64.0.1/", /carrier-grade NAT/],
    ["https://[fd00::1]/", /unique-local/],
    ["https://[fe80::1]/", /link-local/],
    ["https://[ff02::1]/", /multicast/],
    ["https://224.0.0.1/", /multicast/],
    ["https://0.0.0.0/", /unspecified/],
    ["https://[::]/", /unspecified/],
    ["https://255.255.255.255/", /broadcast/],
    ["https://[::ffff:127.0.0.1]/", /loopback/],
    ["https://[::ffff:169.254.169.254]/", /metadata/],
    ["https://[::ffff:a00:1]/", /private-network/],
    ["https://[64:ff9b::a9fe:a9fe]/", /special-purpose/], // NAT64 of the metadata address
    ["https://[2002:a9fe:a9fe::1]/", /special-purpose/], // 6to4 of the metadata address
    ["https://2130706433/", /loopback/], // 127.0.0.1 as one decimal number
    ["https://0x7f.1/", /loopback/], // 127.0.0.1 in hex shorthand
    ["https://localhost/hook", /loopback/], // a name that resolves to loopback
  ])("refuses %s", async (url, reason) => {
    const res = await checkOutboundUrl(url);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toMatch(reason);
  });

  it.each([
    ["http://93.184.215.14/hook", /https/],
    ["ftp://93.184.215.14/hook", /https/],
    ["https://user:pass@93.184.215.14/hook", /user name or password/],
    ["https://token@93.184.215.14/hook", /user name or password/],
    ["not a url", /valid URL/],
  ])("refuses %s (scheme, credentials, syntax)", async (url, reason) => {
    const res = await checkOutboundUrl(url);
    expect(res).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it.each([
    ["https://93.184.215.14/hook", "93.184.215.14", 4],
    ["https://8.8.8.8:8443/x?y=1", "8.8.8.8", 4],
    ["https://[2606:4700:4700::1111]/hook", "2606:4700:4700::1111", 6],
    ["https://[::ffff:8.8.8.8]/hook", "::ffff:808:808", 6], // IPv4-mapped: the IPv4 host it carries
  ])("allows the public address %s without DNS", async (url, address, family) => {
    expect(await checkOutboundUrl(url)).toEqual({ ok: true, address, family });
  });

  it.each([
    [false, false, false],
    [true, false, false],
    [false, true, false],
    [true, true, true],
  ])("loopback http (a local test receiver) with ALLOW_HTTP=%s ALLOW_PRIVATE=%s → allowed %s", async (http, priv, allowed) => {
    setFlags(http, priv);
    const res = await checkOutboundUrl("http://127.0.0.1:4567/hook");
    expect(res.ok).toBe(allowed);
    if (allowed) expect(res).toEqual({ ok: true, address: "127.0.0.1", family: 4 });
  });

  it("ALLOW_PRIVATE admits internal receivers, never link-local/metadata, multicast or unspecified", async () => {
    setFlags(true, true);
    for (const url of ["https://10.1.2.3/", "https://[::1]/", "https://[fd12::5]/", "http://100.64.1.1/"]) expect((await checkOutboundUrl(url)).ok, url).toBe(true);
    for (const url of ["http://169.254.169.254/", "http://[::ffff:169.254.169.254]/", "http://[fe80::1]/", "http://224.0.0.1/", "http://0.0.0.0/", "http://[::]/"]) {
      expect((await checkOutboundUrl(url)).ok, url).toBe(false);
    }
    // Credentials stay refused whatever the flags.
    expect((await checkOutboundUrl("http://a:b@127.0.0.1/")).ok).toBe(false);
  });
});
