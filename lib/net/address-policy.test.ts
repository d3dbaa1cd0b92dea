// The address policy against the IANA special-purpose registries, listed here from the registries
// themselves (https://www.iana.org/assignments/iana-ipv4-special-registry and
// iana-ipv6-special-registry, plus the multicast blocks), not from the implementation: each entry
// gives sample addresses inside the block, and every one must be refused for webhooks.
import { describe, expect, it } from "vitest";
import { isolateEnv } from "@/test/env";
import { allowedKinds, checkHostForUse, classifyAddress } from "./address-policy";

isolateEnv(["WARDEN_WEBHOOK_ALLOW_PRIVATE", "WARDEN_GATEWAY_ALLOW_LOOPBACK"]);

// [block, RFC, sample addresses inside it (first, last or in between)]
const IPV4_SPECIAL: [string, string, string[]][] = [
  ["0.0.0.0/8", "RFC 791 this network", ["0.0.0.0", "0.1.2.3", "0.255.255.255"]],
  ["10.0.0.0/8", "RFC 1918", ["10.0.0.0", "10.255.255.255"]],
  ["100.64.0.0/10", "RFC 6598 shared address space", ["100.64.0.0", "100.127.255.255"]],
  ["127.0.0.0/8", "RFC 1122 loopback", ["127.0.0.1", "127.255.255.254"]],
  ["169.254.0.0/16", "RFC 3927 link-local", ["169.254.0.1", "169.254.169.254", "169.254.255.255"]],
  ["172.16.0.0/12", "RFC 1918", ["172.16.0.0", "172.31.255.255"]],
  ["192.0.0.0/24", "RFC 6890 IETF protocol assignments", ["192.0.0.1", "192.0.0.255"]],
  ["192.0.0.0/29", "RFC 7335 IPv4 service continuity prefix", ["192.0.0.0", "192.0.0.7"]],
  ["192.0.0.8/32", "RFC 7600 IPv4 dummy address", ["192.0.0.8"]],
  ["192.0.0.9/32", "RFC 7723 PCP anycast", ["192.0.0.9"]],
  ["192.0.0.10/32", "RFC 8155 TURN anycast", ["192.0.0.10"]],
  ["192.0.0.170/32", "RFC 8880 NAT64/DNS64 discovery", ["192.0.0.170", "192.0.0.171"]],
  ["192.0.2.0/24", "RFC 5737 TEST-NET-1", ["192.0.2.0", "192.0.2.1", "192.0.2.255"]],
  ["192.31.196.0/24", "RFC 7535 AS112-v4", ["192.31.196.1"]],
  ["192.52.193.0/24", "RFC 7450 AMT", ["192.52.193.1"]],
  ["192.88.99.0/24", "RFC 7526 deprecated 6to4 relay anycast", ["192.88.99.1"]],
  ["192.168.0.0/16", "RFC 1918", ["192.168.0.0", "192.168.255.255"]],
  ["192.175.48.0/24", "RFC 7534 direct delegation AS112", ["192.175.48.1"]],
  ["198.18.0.0/15", "RFC 2544 benchmarking", ["198.18.0.0", "198.19.255.255"]],
  ["198.51.100.0/24", "RFC 5737 TEST-NET-2", ["198.51.100.7"]],
  ["203.0.113.0/24", "RFC 5737 TEST-NET-3", ["203.0.113.9"]],
  ["224.0.0.0/4", "RFC 5771 multicast", ["224.0.0.1", "239.255.255.255"]],
  ["240.0.0.0/4", "RFC 1112 reserved", ["240.0.0.1", "255.255.255.254"]],
  ["255.255.255.255/32", "RFC 919 limited broadcast", ["255.255.255.255"]],
];
const IPV6_SPECIAL: [string, string, string[]][] = [
  ["::1/128", "RFC 4291 loopback", ["::1"]],
  ["::/128", "RFC 4291 unspecified", ["::"]],
  ["::ffff:0:0/96", "RFC 4291 IPv4-mapped (of special IPv4)", ["::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:192.0.2.1"]],
  ["64:ff9b::/96", "RFC 6052 IPv4-IPv6 translation", ["64:ff9b::808:808", "64:ff9b::a9fe:a9fe"]],
  ["64:ff9b:1::/48", "RFC 8215 local-use translation", ["64:ff9b:1::1"]],
  ["100::/64", "RFC 6666 discard-only", ["100::1"]],
  ["100:0:0:1::/64", "RFC 9780 dummy prefix", ["100:0:0:1::1"]],
  ["2001::/23", "RFC 2928 IETF protocol assignments", ["2001:1::1", "2001:1::2", "2001:1::3", "2001:1ff::1"]],
  ["2001::/32", "RFC 4380 Teredo", ["2001:0:4136:e378:8000:63bf:3fff:fdd2"]],
  ["2001:2::/48", "RFC 5180 benchmarking", ["2001:2::1"]],
  ["2001:3::/32", "RFC 7450 AMT", ["2001:3::1"]],
  ["2001:4:112::/48", "RFC 7535 AS112-v6", ["2001:4:112::1"]],
  ["2001:10::/28", "RFC 4843 deprecated ORCHID", ["2001:10::1"]],
  ["2001:20::/28", "RFC 7343 ORCHIDv2", ["2001:20::1"]],
  ["2001:30::/28", "RFC 9374 drone remote ID", ["2001:30::1"]],
  ["2001:db8::/32", "RFC 3849 documentation", ["2001:db8::1", "2001:db8:ffff::1"]],
  ["2002::/16", "RFC 3056 6to4", ["2002:a9fe:a9fe::1", "2002:808:808::1"]],
  ["2620:4f:8000::/48", "RFC 7534 direct delegation AS112", ["2620:4f:8000::1"]],
  ["3fff::/20", "RFC 9637 documentation", ["3fff::1", "3fff:fff::1"]],
  ["5f00::/16", "RFC 9602 segment routing SIDs", ["5f00::1"]],
  ["fc00::/7", "RFC 4193 unique-local", ["fc00::1", "fd12:3456::1", "fd00:ec2::254"]],
  ["fe80::/10", "RFC 4291 link-local", ["fe80::1", "febf::1"]],
  ["ff00::/8", "RFC 4291 multicast", ["ff02::1", "ff0e::1"]],
  ["::/8 (outside 2000::/3)", "RFC 4291 reserved by IETF (IPv4-compatible)", ["::127.0.0.1", "::8.8.8.8"]],
  ["fec0::/10", "RFC 3879 deprecated site-local", ["fec0::1"]],
];
const SPECIAL = [...IPV4_SPECIAL, ...IPV6_SPECIAL].flatMap(([block, rfc, samples]) => samples.map((a) => [a, `${block} ${rfc}`] as const));
const PUBLIC = [
  "8.8.8.8",
  "1.1.1.1",
  "93.184.215.14",
  "192.0.3.1",
  "198.51.99.255",
  "203.0.114.0",
  "100.128.0.1",
  "172.32.0.1",
  "192.169.0.1",
  "::ffff:8.8.8.8",
  "2606:4700:4700::1111",
  "2a00:1450:4001::200e",
];
// What a gateway's admin WebSocket may use besides public addresses (internal networks).
const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"];
const METADATA = ["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "::ffff:169.254.169.254", "::ffff:100.100.100.200", "169.254.170.2"];

describe("address policy", () => {
  it.each(SPECIAL)("webhooks refuse %s (%s)", async (address) => {
    expect((await checkHostForUse(address, "webhook")).ok).toBe(false);
    expect(classifyAddress(address).kind).not.toBe("public");
  });

  it.each(PUBLIC)("public %s is allowed for webhooks and gateways", async (address) => {
    expect(classifyAddress(address).kind).toBe("public");
    expect(await checkHostForUse(address, "webhook")).toMatchObject({ ok: true, address });
    expect((await checkHostForUse(address, "gateway-admin")).ok).toBe(true);
  });

  it("gateway admin WebSockets: private networks yes; loopback, link-local, metadata and every other special range no", async () => {
    for (const [address, block] of SPECIAL) {
      const isPrivate = PRIVATE.some((p) => block.startsWith(`${p} `)) && !METADATA.includes(address) && !address.startsWith("::ffff:");
      expect((await checkHostForUse(address, "gateway-admin")).ok, `${address} (${block})`).toBe(isPrivate);
    }
    // An IPv4-mapped address is the IPv4 host it carries.
    expect((await checkHostForUse("::ffff:10.0.0.1", "gateway-admin")).ok).toBe(true);
    expect((await checkHostForUse("::ffff:10.0.0.1", "webhook")).ok).toBe(false);
    const loop = await checkHostForUse("127.0.0.1", "gateway-admin");
    expect(loop).toMatchObject({ ok: false, reason: expect.stringMatching(/loopback.*WARDEN_GATEWAY_ALLOW_LOOPBACK/) });
  });

  it("WARDEN_GATEWAY_ALLOW_LOOPBACK=1 admits loopback only, never metadata or link-local", async () => {
    process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK = "1";
    for (const a of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) expect((await checkHostForUse(a, "gateway-admin")).ok, a).toBe(true);
    for (const a of [...METADATA, "169.254.1.1", "fe80::1", "0.0.0.0", "::", "192.0.2.1", "224.0.0.1"]) expect((await checkHostForUse(a, "gateway-admin")).ok, a).toBe(false);
    expect(allowedKinds("webhook").has("loopback")).toBe(false);
  });

  it("WARDEN_WEBHOOK_ALLOW_PRIVATE=1 admits internal ranges, never metadata, link-local or documentation ranges", async () => {
    process.env.WARDEN_WEBHOOK_ALLOW_PRIVATE = "1";
    for (const a of ["10.1.2.3", "127.0.0.1", "::1", "fd12::5", "100.64.1.1"]) expect((await checkHostForUse(a, "webhook")).ok, a).toBe(true);
    for (const a of [...METADATA, "169.254.1.1", "fe80::1", "192.0.2.1", "2001:db8::1", "198.18.0.1", "255.255.255.255"]) expect((await checkHostForUse(a, "webhook")).ok, a).toBe(false);
  });

  it("names are resolved and every address must pass; the reason does not reveal the address", async () => {
    const r = await checkHostForUse("localhost", "gateway-admin");
    expect(r).toMatchObject({ ok: false, kind: "loopback" });
    expect(!r.ok && r.reason).not.toMatch(/127\.0\.0\.1|::1/);
    expect(await checkHostForUse("[::1]", "webhook")).toMatchObject({ ok: false, kind: "loopback" });
    expect((await checkHostForUse("no-such-host.invalid", "webhook")).ok).toBe(false);
    expect(classifyAddress("not-an-ip").kind).toBe("special-purpose");
  });
});
