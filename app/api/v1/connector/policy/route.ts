import { NextResponse } from "next/server";
import { authenticateGateway, connectionHeader } from "@/lib/connector/auth";
import { signedGatewayPolicy } from "@/lib/allowlist/policy";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/connector/policy — the gateway's signed policy. Signed request (empty body).
 * ETag is the policy version; If-None-Match with the current version answers 304.
 */
export async function GET(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: 1024 });
  if (!auth.ok) return auth.response;
  const signed = await signedGatewayPolicy(auth.value.gateway.id);
  const etag = `"${signed.policy.version}"`;
  const inm = req.headers.get("if-none-match");
  if (inm && inm.split(",").map((s) => s.trim().replace(/^W\//, "")).includes(etag)) {
    return new Response(null, { status: 304, headers: { etag, "cache-control": "no-cache", ...connectionHeader() } });
  }
  return NextResponse.json(signed, { headers: { etag, "cache-control": "no-cache", ...connectionHeader() } });
}
