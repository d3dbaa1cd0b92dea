import "server-only";
import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { authenticateGateway, connectorError, connectorHeaders, parseConnectorBody, type GatewayHttpRequest } from "@/lib/connector/auth";
import { ackCommand, pollCommands, ZPollWithAcks } from "./commands";

/** The largest body of a poll with acks (50 acks of up to 4,000 characters of detail). */
export const COMMANDS_MAX_BYTES = 256 * 1024;

/** `?wait=` in seconds (0–30, default 25), or null when malformed. */
export function parseWait(url: string | undefined): number | null {
  const raw = new URL(url ?? "/", "http://warden.invalid").searchParams.get("wait") ?? "25";
  return /^\d{1,2}$/.test(raw) && Number(raw) <= 30 ? Number(raw) : null;
}

/**
 * POST /api/v1/connector/commands?wait=25 {acks: [{id, outcome, detail?}]}, whichever server
 * receives it (the Next route, or the direct gateway endpoint: lib/http/direct-routes.ts):
 * acknowledge the commands of the previous poll and long-poll again, in one request. Each ack is
 * committed (and audited) before the poll starts; the answer lists every ack's result beside the
 * new commands. The poll ends when the client goes away (`signal`).
 */
export async function receiveCommandsPoll(req: GatewayHttpRequest): Promise<Response> {
  const auth = await authenticateGateway(req, { maxBytes: COMMANDS_MAX_BYTES });
  if (!auth.ok) return auth.response;
  const wait = parseWait(req.url);
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
