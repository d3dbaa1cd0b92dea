/**
 * The client address of a request, as recorded in the audit trail and counted by the sign-in limit.
 *
 * `next start` passes a client-sent `X-Forwarded-For` through unchanged, so that header alone lets
 * any client choose its address. The address is therefore decided before Next sees the request,
 * from the socket and, only behind proxies the operator names in WARDEN_TRUST_PROXY, from
 * `X-Forwarded-For` (resolved by the proxy-addr library). It travels to the app in a request header
 * whose name is random per process, so a client can never supply it; it is overwritten on every
 * request (lib/http/server-hook.ts). No "server-only": instrumentation and unit tests import it.
 */
import { randomBytes } from "node:crypto";
import type http from "node:http";
import ipaddr from "ipaddr.js";
import proxyaddr from "proxy-addr";

export type Trust = (addr: string, hop: number) => boolean;
type HeaderBag = { get(name: string): string | null };

const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);
const OFF = new Set(["", "off", "false", "no", "none", "0"]);
const MAX_HOPS = 32;

/**
 * Parse WARDEN_TRUST_PROXY: unset/off (the socket address only), a hop count (trust that many
 * proxies in front of Warden), or a comma list of proxy addresses, CIDR ranges and the names
 * loopback, linklocal, uniquelocal. Throws an Error with a readable message when invalid.
 */
export function parseTrustProxy(raw: string | undefined): Trust {
  const value = (raw ?? "").trim().toLowerCase();
  if (OFF.has(value)) return () => false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) throw new Error(`WARDEN_TRUST_PROXY: at most ${MAX_HOPS} proxy hops, got ${hops}`);
    return (_addr, i) => i < hops;
  }
  if (["true", "on", "yes", "all", "*"].includes(value)) {
    throw new Error(
      "WARDEN_TRUST_PROXY: trusting every hop would let any client choose its address; give the number of proxies in front of Warden or their addresses (e.g. 1, or 10.0.0.0/8,loopback)",
    );
  }
  const entries = value.split(",").map((s) => s.trim());
  for (const e of entries) {
    if (!e) throw new Error("WARDEN_TRUST_PROXY: empty entry in the list");
    if (NAMED_RANGES.has(e)) continue;
    const [addr, bits, ...rest] = e.split("/");
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (addr.includes(":") ? 128 : 32));
    if (rest.length || !ipaddr.isValid(addr) || !validBits) {
      throw new Error(`WARDEN_TRUST_PROXY: "${e.slice(0, 60)}" is not an IP address, a CIDR range, loopback, linklocal or uniquelocal`);
    }
  }
  try {
    return proxyaddr.compile(entries);
  } catch (err) {
    throw new Error(`WARDEN_TRUST_PROXY: ${(err as Error).message}`);
  }
}

/** A canonical form of an address (IPv4-mapped IPv6 as IPv4), or null when it is not one. */
function canonical(addr: string | undefined): string | null {
  if (!addr) return null;
  const bare = addr.split("%")[0];
  if (!ipaddr.isValid(bare)) return null;
  return ipaddr.process(bare).toString();
}

/**
 * The client address: the socket's peer, or, walking `X-Forwarded-For` from the nearest hop, the
 * first address that is not a trusted proxy.
 */
export function resolveClientIp(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trust: Trust): string | null {
  const socket = canonical(remoteAddress);
  if (!socket) return null;
  const xff = Array.isArray(forwardedFor) ? forwardedFor.join(", ") : forwardedFor;
  const fake = { socket: { remoteAddress: socket }, connection: { remoteAddress: socket }, headers: xff ? { "x-forwarded-for": xff } : {} };
  const addr = proxyaddr(fake as unknown as http.IncomingMessage, trust);
  // A trusted proxy that forwarded garbage: fall back to the address we are sure of.
  return canonical(addr) ?? socket;
}

type ClientIpState = { header: string };
// On globalThis: instrumentation, the proxy and each route bundle may load their own copy of this
// module, and they must agree on the header name.
const state: ClientIpState = ((globalThis as { __wardenClientIp?: ClientIpState }).__wardenClientIp ??= {
  header: `x-warden-client-ip-${randomBytes(12).toString("hex")}`,
});

/** The name of the request header carrying the resolved client address (random per process). */
export function clientIpHeader(): string {
  return state.header;
}

/** The client address of a request, as stamped by the server hook; null when unknown. */
export function clientIpOf(h: HeaderBag): string | null {
  return h.get(state.header)?.slice(0, 64) || null;
}

/** Set (or, when unknown, remove) the client address header on an incoming request. */
export function stampClientIp(req: http.IncomingMessage, trust: Trust): void {
  const ip = resolveClientIp(req.socket?.remoteAddress, req.headers["x-forwarded-for"], trust);
  if (ip) req.headers[state.header] = ip;
  else delete req.headers[state.header];
}
