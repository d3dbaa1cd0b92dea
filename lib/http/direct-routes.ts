import "server-only";
import type http from "node:http";
import type { DirectHandler } from "@/lib/connector/direct";
import { EVENTS_MAX_BYTES, receiveEvents } from "@/lib/tool-calls/endpoint";

/**
 * The gateway requests the server process answers itself, before Next (lib/connector/direct.ts):
 * the events batch, the one hot path with large bodies. Measured in the bench (docs/scaling.md),
 * Next's handling of a 190 KB batch (routing, the web Request and its body stream, the response
 * conversion) cost about as much server CPU per event as authenticating, parsing, redacting and
 * copying it. Only the exact request line matches (no query string, no trailing slash); anything
 * else goes to Next, whose route answers through the same handler.
 */
const ROUTES = new Map<string, DirectHandler>([["POST /api/v1/connector/events", { maxBytes: EVENTS_MAX_BYTES, handle: receiveEvents }]]);

/** The direct handler for this request, or null (then Next serves it). */
export function directRouteOf(req: http.IncomingMessage): DirectHandler | null {
  return ROUTES.get(`${req.method} ${req.url}`) ?? null;
}
