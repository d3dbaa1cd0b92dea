import "server-only";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/**
 * The outbound-request guard (SSRF): Warden sends webhooks to admin-entered URLs, so a URL must
 * not reach Warden's own host, the internal network or the cloud metadata service.
 *
 * - https only; `WARDEN_WEBHOOK_ALLOW_HTTP=1` permits plain http.
 * - Loopback, private (RFC 1918), CGNAT and unique-local v6 addresses are refused;
 *   `WARDEN_WEBHOOK_ALLOW_PRIVATE=1` permits them (an internal receiver, or tests/dev with a local
 *   receiver on 127.0.0.1, which needs both flags since it is plain http). Never set them in a
 *   deployment that does not need them.
 * - Always refused: link-local (169.254/16, the metadata service; fe80::/10), multicast,
 *   unspecified (0.0.0.0, ::), broadcast and reserved ranges, and IPv4 addresses embedded in v6
 *   (mapped ::ffff:…, NAT64, 6to4) that fall in a refused range.
 * - No credentials in the URL. Every address a name resolves to must pass; the caller connects to
 *   the returned address (not a second lookup), so DNS rebinding cannot swap it.
 */
export type OutboundCheck = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };

export type AddressKind = "public" | "loopback" | "private" | "cgnat" | "unique-local" | "link-local" | "multicast" | "unspecified" | "reserved";

/** Address kinds `WARDEN_WEBHOOK_ALLOW_PRIVATE=1` lets through; everything else non-public is always refused. */
const PRIVATE_KINDS: ReadonlySet<AddressKind> = new Set(["loopback", "private", "cgnat", "unique-local"]);

const KIND_TEXT: Record<Exclude<AddressKind, "public">, string> = {
  loopback: "a loopback address",
  private: "a private-network address",
  cgnat: "a carrier-grade NAT address",
  "unique-local": "a unique-local IPv6 address",
  "link-local": "a link-local address (includes the cloud metadata service)",
  multicast: "a multicast address",
  unspecified: "an unspecified address",
  reserved: "a reserved address",
};

const DNS_TIMEOUT_MS = 5_000;
const flag = (name: string) => process.env[name] === "1";

// [network, prefix length, kind] — IPv4 ranges that are not public.
const V4_RANGES: [number, number, AddressKind][] = [
  [v4("0.0.0.0"), 8, "unspecified"],
  [v4("10.0.0.0"), 8, "private"],
  [v4("100.64.0.0"), 10, "cgnat"],
  [v4("127.0.0.0"), 8, "loopback"],
  [v4("169.254.0.0"), 16, "link-local"],
  [v4("172.16.0.0"), 12, "private"],
  [v4("192.0.0.0"), 24, "reserved"], // IETF protocol assignments
  [v4("192.168.0.0"), 16, "private"],
  [v4("198.18.0.0"), 15, "reserved"], // benchmarking
  [v4("224.0.0.0"), 4, "multicast"],
  [v4("240.0.0.0"), 4, "reserved"], // includes 255.255.255.255
];

function v4(text: string): number {
  const p = text.split(".").map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function classifyV4(n: number): AddressKind {
  for (const [net, len, kind] of V4_RANGES) {
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if ((n & mask) >>> 0 === net) return kind;
  }
  return "public";
}

/** An IPv6 address as 8 hextets (handles "::" and a trailing dotted quad). */
function v6Hextets(text: string): number[] | null {
  let s = text.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(":");
  const quad = s.slice(lastColon + 1);
  if (quad.includes(".")) {
    // A trailing dotted quad (::ffff:1.2.3.4) becomes its two hextets.
    if (isIP(quad) !== 4) return null;
    const n = v4(quad);
    s = `${s.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = s.includes("::") ? s.split("::") : [s, null];
  const parse = (part: string) => (part ? part.split(":").map((h) => (/^[0-9a-f]{1,4}$/.test(h) ? parseInt(h, 16) : NaN)) : []);
  const a = parse(head);
  const b = rest === null ? [] : parse(rest);
  const fill = 8 - a.length - b.length;
  if (rest === null ? fill !== 0 : fill < 1) return null;
  const out = [...a, ...Array(rest === null ? 0 : fill).fill(0), ...b];
  return out.length === 8 && out.every((h) => Number.isInteger(h) && h >= 0 && h <= 0xffff) ? out : null;
}

function classifyV6(text: string): AddressKind {
  const h = v6Hextets(text);
  if (!h) return "reserved";
  const embedded = (hi: number, lo: number) => classifyV4(((hi << 16) | lo) >>> 0);
  const zeros = (n: number) => h.slice(0, n).every((x) => x === 0);
  if (zeros(8)) return "unspecified";
  if (zeros(7) && h[7] === 1) return "loopback";
  if (zeros(5) && h[5] === 0xffff) return embedded(h[6], h[7]); // ::ffff:a.b.c.d (IPv4-mapped)
  if (zeros(6)) return embedded(h[6], h[7]); // ::a.b.c.d (IPv4-compatible, deprecated)
  if (h[0] === 0x64 && h[1] === 0xff9b && h.slice(2, 6).every((x) => x === 0)) return embedded(h[6], h[7]); // NAT64
  if (h[0] === 0x2002) return embedded(h[1], h[2]); // 6to4
  if (h[0] === 0x2001 && h[1] === 0) return "reserved"; // Teredo (hides its IPv4 endpoint)
  if (h[0] === 0x100 && zeros(4)) return "reserved"; // discard-only 100::/64
  if ((h[0] & 0xfe00) === 0xfc00) return "unique-local";
  if ((h[0] & 0xffc0) === 0xfe80) return "link-local";
  if ((h[0] & 0xffc0) === 0xfec0) return "private"; // deprecated site-local
  if ((h[0] & 0xff00) === 0xff00) return "multicast";
  if ((h[0] & 0xe000) !== 0x2000) return "reserved"; // outside global unicast 2000::/3
  return "public";
}

/** What kind of address an IP literal is ("public" when it is routable on the internet). */
export function classifyAddress(address: string): AddressKind {
  const family = isIP(address);
  if (family === 4) return classifyV4(v4(address));
  if (family === 6) return classifyV6(address);
  return "reserved";
}

function refusedAddress(address: string, host: string, allowPrivate: boolean): string | null {
  const kind = classifyAddress(address);
  if (kind === "public" || (allowPrivate && PRIVATE_KINDS.has(kind))) return null;
  const where = host === address ? address : `${host} resolves to ${address}, which`;
  return `${where} is ${KIND_TEXT[kind]}; webhooks must go to a public address.`;
}

/**
 * Check a webhook target before saving it and again right before each send: returns the
 * resolved, allowed address to connect to, or why the URL is refused (safe to show to the user).
 */
export async function checkOutboundUrl(url: string): Promise<OutboundCheck> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, reason: "Not a valid URL." };
  }
  const allowHttp = flag("WARDEN_WEBHOOK_ALLOW_HTTP");
  const allowPrivate = flag("WARDEN_WEBHOOK_ALLOW_PRIVATE");
  if (u.protocol !== "https:" && u.protocol !== "http:") return { ok: false, reason: "Only https URLs are allowed." };
  if (u.protocol === "http:" && !allowHttp) return { ok: false, reason: "Use https: plain http is not allowed for webhooks." };
  if (u.username || u.password) return { ok: false, reason: "The URL must not contain a user name or password." };
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  if (!host) return { ok: false, reason: "The URL has no host." };

  const literal = isIP(host);
  if (literal) {
    const refused = refusedAddress(host, host, allowPrivate);
    return refused ? { ok: false, reason: refused } : { ok: true, address: host, family: literal as 4 | 6 };
  }

  let addresses: { address: string; family: number }[];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("DNS timeout")), DNS_TIMEOUT_MS);
    });
    addresses = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
  } catch {
    return { ok: false, reason: `The host ${host} could not be resolved.` };
  } finally {
    clearTimeout(timer);
  }
  if (addresses.length === 0) return { ok: false, reason: `The host ${host} could not be resolved.` };
  // Every address must pass: a name that also points inside could be served either way.
  for (const a of addresses) {
    const refused = refusedAddress(a.address, host, allowPrivate);
    if (refused) return { ok: false, reason: refused };
  }
  return { ok: true, address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}
