import "server-only";

type HeaderBag = { get(name: string): string | null };

/** Client IP and user agent from request headers (first X-Forwarded-For hop, as set by Next or the proxy). */
export function requestInfo(h: HeaderBag): { ip: string | null; userAgent: string | null } {
  const fwd = h.get("x-forwarded-for");
  const ip = (fwd ? fwd.split(",")[0].trim() : h.get("x-real-ip")) || null;
  return { ip: ip ? ip.replace(/^::ffff:/, "").slice(0, 64) : null, userAgent: h.get("user-agent")?.slice(0, 512) ?? null };
}
