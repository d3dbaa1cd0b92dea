import { NextResponse } from "next/server";
import { authenticateGateway, connectorError } from "@/lib/connector/auth";
import { pollCommands } from "@/lib/connector/commands";

export const dynamic = "force-dynamic";

/** GET /api/v1/connector/commands?wait=25 — long-poll for this gateway's pending commands. */
export async function GET(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: 1024 });
  if (!auth.ok) return auth.response;
  const raw = new URL(req.url).searchParams.get("wait") ?? "25";
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > 30) return connectorError("invalid", { fieldErrors: { wait: ["0 to 30 seconds."] } });
  const commands = await pollCommands(auth.value.gateway.id, Number(raw), req.signal);
  return NextResponse.json({ commands }, { headers: { "cache-control": "no-store" } });
}
