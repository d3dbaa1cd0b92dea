import { NextResponse } from "next/server";
import { authenticateGateway, connectorHeaders } from "@/lib/connector/auth";
import { ingestEvents } from "@/lib/tool-calls/ingest";

export const dynamic = "force-dynamic";

const MAX_BYTES = 4 * 1024 * 1024;

/** POST /api/v1/connector/events — a signed batch of tool-call events from a gateway. */
export async function POST(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: MAX_BYTES });
  if (!auth.ok) return auth.response;
  const res = await ingestEvents(auth.value.gateway, auth.value.body);
  if (!res.ok) return res.response;
  return NextResponse.json(res.value, { status: 202, headers: connectorHeaders() });
}
