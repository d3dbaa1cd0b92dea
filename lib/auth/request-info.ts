import "server-only";
import { clientIpOf } from "@/lib/http/client-ip";

type HeaderBag = { get(name: string): string | null };

/**
 * Client IP and user agent of a request. The IP is the one the server hook resolved from the socket
 * (and X-Forwarded-For only behind the proxies in WARDEN_TRUST_PROXY): see lib/http/client-ip.ts.
 * Headers a client sends (X-Forwarded-For, X-Real-IP) are never read here.
 */
export function requestInfo(h: HeaderBag): { ip: string | null; userAgent: string | null } {
  return { ip: clientIpOf(h), userAgent: h.get("user-agent")?.slice(0, 512) ?? null };
}
