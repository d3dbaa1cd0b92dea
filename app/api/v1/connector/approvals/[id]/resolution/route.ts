import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { authenticateGateway, connectorError, connectorHeaders, parseConnectorBody } from "@/lib/connector/auth";
import { ZApprovalResolution } from "@/lib/approvals/schema";
import { resolveApproval } from "@/lib/approvals/service";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/connector/approvals/{id}/resolution {outcome: ran|denied|timed_out|failed, waitedMs, detail?}
 * — what happened to the held call at the gateway. 200 {data}; a repeat of the same outcome is 200 too.
 */
export async function POST(req: Request, { params }: Ctx) {
  const auth = await authenticateGateway(req, { maxBytes: 16 * 1024 });
  if (!auth.ok) return auth.response;
  const parsed = parseConnectorBody(auth.value.body, ZApprovalResolution);
  if (!parsed.ok) return parsed.response;
  try {
    const data = await resolveApproval(auth.value.actor, auth.value.gateway.id, (await params).id, parsed.data);
    return NextResponse.json({ data }, { headers: connectorHeaders() });
  } catch (err) {
    if (err instanceof AppError) return connectorError("invalid", { code: err.code, message: err.message, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}) }, err.status);
    throw err;
  }
}
