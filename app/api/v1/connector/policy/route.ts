import { NextResponse } from "next/server";
import { authenticateGateway, connectionHeader } from "@/lib/connector/auth";
import { cachedSignedPolicy } from "@/lib/allowlist/policy";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/connector/policy — the gateway's signed policy. Signed request (empty body).
 * The ETag names one signed copy (version + issue time); If-None-Match with it answers 304, from
 * the Postgres cache (no allowlist computation, no signing) while nothing changed.
 */
export async function GET(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: 1024 });
  if (!auth.ok) return auth.response;
  const { signed, etag } = await cachedSignedPolicy(auth.value.gateway.id);
  const inm = req.headers.get("if-none-match");
  if (
    inm &&
    inm
      .split(",")
      .map((s) => s.trim().replace(/^W\//, ""))
      .includes(etag)
  ) {
    return new Response(null, { status: 304, headers: { etag, "cache-control": "no-cache", ...connectionHeader() } });
  }
  return NextResponse.json(signed, { headers: { etag, "cache-control": "no-cache", ...connectionHeader() } });
}
