import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { authenticateGateway, connectorError, connectorHeaders, parseConnectorBody } from "@/lib/connector/auth";
import { ZConnectorApproval } from "@/lib/approvals/schema";
import { reportApproval } from "@/lib/approvals/service";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/connector/approvals — a call the gateway holds until a person decides.
 * 201 {data: {id, status, expiresAt}}; 200 with the stored request on a repeat of the same requestId.
 */
export async function POST(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: 256 * 1024 });
  if (!auth.ok) return auth.response;
  const parsed = parseConnectorBody(auth.value.body, ZConnectorApproval);
  if (!parsed.ok) return parsed.response;
  try {
    const r = await reportApproval(auth.value.actor, auth.value.gateway.id, parsed.data);
    return NextResponse.json({ data: { id: r.id, status: r.status, expiresAt: r.expiresAt.toISOString() } }, { status: r.created ? 201 : 200, headers: connectorHeaders() });
  } catch (err) {
    if (err instanceof AppError) return connectorError("invalid", { code: err.code, message: err.message, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}) }, err.status);
    throw err;
  }
}
