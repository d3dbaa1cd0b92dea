import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { authenticateGateway, connectorError, connectorHeaders, parseConnectorBody } from "@/lib/connector/auth";
import { ZRateLimitConsume } from "@/lib/identity-policy/schema";
import { consumeSharedLimit } from "@/lib/identity-policy/consume";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/connector/rate-limits/consume {ruleId, subjectKey} — count one call against a
 * shared rate limit (counted by Warden across gateways and replicas).
 * 200 {data: {allowed, count, limit, resetAt}}; 404 when the limit does not exist or does not apply
 * to this gateway; 400 when it is not shared. The plugin denies the call on anything but allowed: true.
 */
export async function POST(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: 4 * 1024 });
  if (!auth.ok) return auth.response;
  const parsed = parseConnectorBody(auth.value.body, ZRateLimitConsume);
  if (!parsed.ok) return parsed.response;
  try {
    const data = await consumeSharedLimit(auth.value.gateway.id, parsed.data);
    return NextResponse.json({ data }, { headers: connectorHeaders() });
  } catch (err) {
    if (err instanceof AppError) return connectorError("invalid", { code: err.code, message: err.message, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}) }, err.status);
    throw err;
  }
}
