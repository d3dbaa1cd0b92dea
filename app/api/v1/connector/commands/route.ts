import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { authenticateGateway, connectorError, connectorHeaders, parseConnectorBody } from "@/lib/connector/auth";
import { ackCommand, pollCommands, ZPollWithAcks } from "@/lib/outbox/commands";

export const dynamic = "force-dynamic";

function parseWait(req: Request): number | null {
  // eslint-disable-next-line no-restricted-syntax -- only compared with fixed strings, never stored
  const raw = new URL(req.url).searchParams.get("wait") ?? "25";
  return /^\d{1,2}$/.test(raw) && Number(raw) <= 30 ? Number(raw) : null;
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

/**
 * POST /api/v1/connector/commands?wait=25 {acks: [{id, outcome, detail?}]} — acknowledge the
 * commands of the previous poll and long-poll again, in one request. Each ack is committed (and
 * audited) before the poll starts; the answer lists every ack's result beside the new commands.
 */
export async function POST(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: 256 * 1024 });
  if (!auth.ok) return auth.response;
  const wait = parseWait(req);
  if (wait === null) return connectorError("invalid", { fieldErrors: { wait: ["0 to 30 seconds."] } });
  const parsed = parseConnectorBody(auth.value.body, ZPollWithAcks);
  if (!parsed.ok) return parsed.response;
  const { actor, gateway } = auth.value;
  const acks = await Promise.all(
    parsed.data.acks.map(({ id, ...input }) =>
      ackCommand(actor, gateway.id, id, input).then(
        (r) => ({ id, state: r.state }),
        (err) => {
          if (err instanceof AppError) return { id, error: { code: err.code, message: err.message } };
          throw err;
        },
      ),
    ),
  );
  const commands = await pollCommands(gateway.id, wait, req.signal);
  return NextResponse.json({ commands, acks }, { headers: connectorHeaders() });
}
