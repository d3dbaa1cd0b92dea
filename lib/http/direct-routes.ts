import "server-only";
import type http from "node:http";
import type { DirectHandler } from "@/lib/connector/direct";
import { EVENTS_MAX_BYTES, receiveEvents } from "@/lib/tool-calls/endpoint";
import { COMMANDS_MAX_BYTES, receiveCommandsPoll } from "@/lib/outbox/endpoint";

/**
 * The gateway requests the server process answers itself, before Next (lib/connector/direct.ts):
 * the events batch, the one hot path with large bodies. Measured in the bench (docs/scaling.md),
 * Next's handling of a 190 KB batch (routing, the web Request and its body stream, the response
 * conversion) cost about as much server CPU per event as authenticating, parsing, redacting and
 * copying it. And the commands long-poll with its acks, the request every gateway makes again at
 * once after each kill switch: a fan-out to 1,000 gateways is 2,000 such requests, and Next's
 * per-request work was most of their server CPU (bench: fanout_*). Only the exact request line
 * matches (no trailing slash; for the poll, no query other than `?wait=<digits>`); anything else
 * goes to Next, whose route answers through the same handler.
 */
const ROUTES = new Map<string, DirectHandler>([
  ["POST /api/v1/connector/events", { maxBytes: EVENTS_MAX_BYTES, handle: receiveEvents }],
  ["POST /api/v1/connector/commands", { maxBytes: COMMANDS_MAX_BYTES, handle: receiveCommandsPoll }],
]);

/** The direct handler for this request, or null (then Next serves it). */
export function directRouteOf(req: http.IncomingMessage): DirectHandler | null {
  const url = req.url ?? "";
  const q = url.indexOf("?");
  if (q >= 0 && !(url.slice(0, q) === "/api/v1/connector/commands" && /^\?wait=\d{1,2}$/.test(url.slice(q)))) return null;
  return ROUTES.get(`${req.method} ${q >= 0 ? url.slice(0, q) : url}`) ?? null;
}
