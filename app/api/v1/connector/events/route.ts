import { receiveEvents } from "@/lib/tool-calls/endpoint";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/connector/events — a signed batch of tool-call events from a gateway. The server
 * process usually answers it before Next does (lib/http/direct-routes.ts); this route serves it when
 * WARDEN_CONNECTOR_DIRECT=off, and both answer through the same function.
 */
export async function POST(req: Request) {
  return receiveEvents(req);
}
