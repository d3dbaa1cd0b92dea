import "server-only";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { settings } from "@/lib/env";

/**
 * One address policy for every connection Warden opens to an admin-entered destination (webhooks,
 * gateway admin WebSockets): resolve the host (every A/AAAA), classify each address, and decide
 * per use. The caller connects to the returned address (never a second lookup, so DNS rebinding
 * cannot swap it) and follows no redirects.
 *
 * Classification is ipaddr.js's `range()` (the IANA IPv4 and IPv6 special-purpose registries as
 * the library maintains them), with IPv4-mapped IPv6 addresses classified as the IPv4 address
 * they carry, plus a small supplement (SUPPLEMENT below) for what ipaddr.js 2.5 does not name.
 */

export type AddressKind = "public" | "private" | "cgnat" | "unique-local" | "loopback" | "link-local" | "metadata" | "unspecified" | "broadcast" | "multicast" | "special-purpose";

export type AddressUse = "webhook" | "gateway-admin";

export type AddressClass = { kind: AddressKind; /** ipaddr.js's range name, or the supplement's */ range: string };

// Cloud metadata services: refused for every use, whatever the flags (some sit in ranges a use
// allows: fd00:ec2::254 is unique-local, 100.100.100.200 is carrier-grade NAT).
const METADATA: [string, string][] = [
  ["169.254.169.254/32", "AWS, GCP, Azure, OCI, DigitalOcean… instance metadata"],
  ["169.254.170.2/32", "AWS ECS task metadata"],
  ["169.254.170.23/32", "AWS EKS pod identity agent"],
  ["fd00:ec2::254/128", "AWS instance metadata over IPv6"],
  ["fd00:ec2::23/128", "AWS EKS pod identity agent over IPv6"],
  ["100.100.100.200/32", "Alibaba Cloud metadata"],
  ["192.0.0.192/32", "Oracle Cloud legacy metadata"],
];

/**
 * What ipaddr.js 2.5 leaves as "unicast" but the IANA registries do not make global unicast:
 * - 100:0:0:1::/64, Dummy IPv6 Prefix (RFC 9780, IANA IPv6 special-purpose registry).
 * - everything outside 2000::/3 that has no other name: "Reserved by IETF" in the IANA IPv6
 *   Address Space registry (RFC 4291 section 2.4), e.g. IPv4-compatible ::a.b.c.d (RFC 4291 2.5.5.1).
 */
const SUPPLEMENT_V6: [string, string][] = [["100:0:0:1::/64", "dummyPrefix"]];
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

const metadataRanges = METADATA.map(([cidr]) => ipaddr.parseCIDR(cidr));
const supplementV6 = SUPPLEMENT_V6.map(([cidr, name]) => [ipaddr.parseCIDR(cidr), name] as const);

const RANGE_KIND: Record<string, AddressKind> = {
  unicast: "public",
  private: "private",
  carrierGradeNat: "cgnat",
  uniqueLocal: "unique-local",
  loopback: "loopback",
  linkLocal: "link-local",
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
};

function sameFamily(a: ipaddr.IPv4 | ipaddr.IPv6, cidr: [ipaddr.IPv4 | ipaddr.IPv6, number]) {
  return a.kind() === cidr[0].kind() && a.match(cidr);
}

/** Classify an IP literal. Anything that is not an IP literal is "special-purpose" (refused). */
export function classifyAddress(text: string): AddressClass {
  if (!isIP(text)) return { kind: "special-purpose", range: "invalid" };
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // ipaddr.js 2.5 reads a trailing dotted quad as IPv4-mapped even without ffff (::8.8.8.8 is
    // IPv4-compatible, a reserved form): parse the WHATWG URL parser's canonical hex form instead.
    addr = ipaddr.parse(isIP(text) === 6 ? new URL(`http://[${text}]/`).hostname.slice(1, -1) : text);
  } catch {
    return { kind: "special-purpose", range: "invalid" };
  }
  // ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d: classify that.
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (metadataRanges.some((m) => sameFamily(addr, m))) return { kind: "metadata", range: "metadata" };
  const range = addr.range();
  if (addr.kind() === "ipv6" && range === "unicast") {
    for (const [cidr, name] of supplementV6) if (addr.match(cidr)) return { kind: "special-purpose", range: name };
    if (!addr.match(GLOBAL_UNICAST_V6)) return { kind: "special-purpose", range: "reservedByIetf" };
  }
  return { kind: RANGE_KIND[range] ?? "special-purpose", range };
}

/** The address kinds a use may connect to, given the relaxing settings in the environment. */
export function allowedKinds(use: AddressUse): ReadonlySet<AddressKind> {
  if (use === "webhook") {
    return new Set<AddressKind>(settings.webhookAllowPrivate() ? ["public", "private", "cgnat", "unique-local", "loopback"] : ["public"]);
  }
  // Gateways often live on the internal network (or a Tailscale-style 100.64/10 overlay);
  // Warden's own host only when explicitly allowed (a gateway on the same machine, tests).
  return new Set<AddressKind>(["public", "private", "cgnat", "unique-local", ...(settings.gatewayAllowLoopback() ? (["loopback"] as const) : [])]);
}

const KIND_TEXT: Record<Exclude<AddressKind, "public">, string> = {
  private: "a private-network address",
  cgnat: "a carrier-grade NAT address",
  "unique-local": "a unique-local IPv6 address",
  loopback: "a loopback address",
  "link-local": "a link-local address",
  metadata: "a cloud metadata service address (link-local or provider-internal)",
  unspecified: "an unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  "special-purpose": "a special-purpose (reserved, documentation or protocol) address",
};

const USE_TEXT: Record<AddressUse, string> = {
  webhook: "webhooks must go to a public address",
  "gateway-admin": "a gateway's admin WebSocket must be a public or private-network address (loopback only with WARDEN_GATEWAY_ALLOW_LOOPBACK=1)",
};

export type AddressDecision = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string; kind?: AddressKind };

const DNS_TIMEOUT_MS = 5_000;

async function resolveAll(host: string): Promise<{ address: string; family: number }[] | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("DNS timeout")), DNS_TIMEOUT_MS);
    });
    const all = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
    return all.length ? all : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolve a URL's host and decide whether `use` may connect to it. Every address the name
 * resolves to must pass (a name that also points inside could be served either way). The reason
 * names the kind of address, never the resolved address itself.
 */
export async function checkHostForUse(hostname: string, use: AddressUse): Promise<AddressDecision> {
  const host = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  if (!host) return { ok: false, reason: "The URL has no host." };
  const allowed = allowedKinds(use);
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await resolveAll(host);
  if (!addresses) return { ok: false, reason: `The host ${host} could not be resolved.` };
  for (const a of addresses) {
    const { kind } = classifyAddress(a.address);
    if (!allowed.has(kind)) {
      const what = literal ? host : `${host} resolves to an address that`;
      return { ok: false, kind, reason: `${what} is ${KIND_TEXT[kind as Exclude<AddressKind, "public">]}; ${USE_TEXT[use]}.` };
    }
  }
  return { ok: true, address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}

/**
 * A `lookup` for http(s).request that answers with the already checked address only, so the
 * connection goes where the policy said yes (the URL's name still drives Host and TLS SNI).
 */
export function pinnedLookup(address: string, family: 4 | 6) {
  return ((_host: string, options: { all?: boolean } | undefined, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as NonNullable<import("node:http").RequestOptions["lookup"]>;
}
