import { NextResponse } from "next/server";
import { authenticateGateway, connectorError, connectorHeaders } from "@/lib/connector/auth";
import { pollCommands } from "@/lib/outbox/commands";
import { parseWait as parseWaitOf, receiveCommandsPoll } from "@/lib/outbox/endpoint";

export const dynamic = "force-dynamic";

function parseWait(req: Request): number | null {
  return parseWaitOf(req.url);
}

/** GET /api/v1/connector/commands?wait=25 — long-poll for this gateway's pending commands. */
export async function GET(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: 1024 });
  if (!auth.ok) return auth.response;
  const wait = parseWait(req);
  if (wait === null) return connectorError("invalid", { fieldErrors: { wait: ["0 to 30 seconds."] } });
  const commands = await pollCommands(auth.value.gateway.id, wait, req.signal);
  return NextResponse.json({ commands }, { headers: connectorHeaders() });
}

/** POST /api/v1/connector/commands?wait=25 {acks} — acks, then a long-poll (lib/outbox/endpoint.ts). */
export function POST(req: Request) {
  return receiveCommandsPoll(req);
}
