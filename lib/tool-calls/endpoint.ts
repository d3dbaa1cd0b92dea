import "server-only";
import { NextResponse } from "next/server";
import { authenticateGateway, connectorHeaders, type GatewayHttpRequest } from "@/lib/connector/auth";
import { ingestEvents } from "./ingest";

/** The largest events batch body a gateway may send (4 MiB). */
export const EVENTS_MAX_BYTES = 4 * 1024 * 1024;

/**
 * POST /api/v1/connector/events, whichever server receives it: the Next route and the direct
 * gateway endpoint (lib/http/direct-routes.ts) both answer through this one function.
 */
export async function receiveEvents(req: GatewayHttpRequest): Promise<Response> {
  const auth = await authenticateGateway(req, { maxBytes: EVENTS_MAX_BYTES });
  if (!auth.ok) return auth.response;
  const res = await ingestEvents(auth.value.gateway, auth.value.body);
  if (!res.ok) return res.response;
  return NextResponse.json(res.value, { status: 202, headers: connectorHeaders() });
}
