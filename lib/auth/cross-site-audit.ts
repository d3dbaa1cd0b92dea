import "server-only";
import { getToken } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { db } from "@/lib/db";
import { recordAuditStandalone } from "@/lib/audit/record";
import { serverSecret } from "@/lib/env";
import { requestInfo } from "./request-info";

/**
 * Audit a cross-site request the server hook refused, as a denial of the signed-in user whose cookie it
 * carried (the same checks as getActor: user exists, enabled, session epoch current). Nothing is
 * recorded when the cookie names nobody valid: there is no actor to attribute it to.
 */
export async function auditCrossSiteRefusal(method: string, pathname: string, h: Headers, reason: string): Promise<void> {
  // getToken reads the (possibly chunked) session cookie from a request object.
  const token = await getToken({ req: new NextRequest("http://warden.invalid/", { headers: h }), secret: serverSecret() });
  const uid = typeof token?.uid === "string" ? token.uid : null;
  if (!uid) return;
  const user = await db.user.findUnique({ where: { id: uid }, select: { id: true, email: true, role: true, disabledAt: true, sessionEpoch: true } });
  if (!user || user.disabledAt || user.sessionEpoch !== Number(token?.epoch ?? 0)) return;
  await recordAuditStandalone(
    { kind: "user", userId: user.id, label: user.email, role: user.role, ...requestInfo(h) },
    {
      action: "request.cross_site",
      outcome: "denied",
      targetType: "route",
      targetId: `${method} ${pathname}`.slice(0, 200),
      after: { reason, origin: h.get("origin")?.slice(0, 200) ?? null, secFetchSite: h.get("sec-fetch-site")?.slice(0, 40) ?? null, contentType: h.get("content-type")?.slice(0, 100) ?? null },
    },
  );
}
