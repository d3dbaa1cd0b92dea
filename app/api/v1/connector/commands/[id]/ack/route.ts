import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { authenticateGateway, connectorError, connectorHeaders, parseConnectorBody } from "@/lib/connector/auth";
import { ZAck, ackCommand } from "@/lib/outbox/commands";

export const dynamic = "force-dynamic";

/** POST /api/v1/connector/commands/{id}/ack {outcome: applied|failed, detail?} */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const auth = await authenticateGateway(req, { maxBytes: 16 * 1024 });
  if (!auth.ok) return auth.response;
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/.test(id)) return connectorError("invalid", { fieldErrors: { id: ["Not a command id."] } });
  const parsed = parseConnectorBody(auth.value.body, ZAck);
  if (!parsed.ok) return parsed.response;
  try {
    return NextResponse.json({ data: await ackCommand(auth.value.actor, auth.value.gateway.id, id, parsed.data) }, { headers: connectorHeaders() });
  } catch (err) {
    if (err instanceof AppError) return NextResponse.json({ error: { code: err.code, message: err.message } }, { status: err.status, headers: connectorHeaders() });
    throw err;
  }
}
