import "server-only";
import type http from "node:http";
import type { GatewayHttpRequest } from "@/lib/connector/auth";

/**
 * The transport of the direct gateway endpoints (lib/http/direct-routes.ts): a gateway request
 * answered by the server process itself, from the server hook (lib/http/server-hook.ts), before
 * Next routes it. The body is read straight from the socket into one buffer, and reading stops at
 * the limit; the handler's web `Response` is written back with next.config.ts's security headers.
 * The handler is the same function the Next route calls, so authentication (gateway id, size
 * limit, rate limit, signature, replay) and the answers are the same code.
 */
/** next.config.ts's headers for /api/* responses (lib/http/direct-routes.test.ts checks they agree). */
export const API_SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
};

/** The body as text, or null as soon as it exceeds `maxBytes` (the rest is never read). */
function readBody(req: http.IncomingMessage, maxBytes: number, state: { overflow: boolean }): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        state.overflow = true;
        req.off("data", onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks, size).toString("utf8")));
    req.once("error", reject);
    req.once("close", () => {
      if (!req.readableEnded && !state.overflow) reject(new Error("request aborted"));
    });
  });
}

/** A node:http request's headers as web Headers (repeated headers appended). */
export function headersOf(req: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
  }
  return h;
}

async function send(res: http.ServerResponse, response: Response, close: boolean): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = { ...API_SECURITY_HEADERS };
  response.headers.forEach((value, key) => (headers[key] = value));
  headers["content-length"] = String(body.length);
  // A body left unread (over the limit) is not drained: the connection closes after the answer.
  if (close) headers.connection = "close";
  res.writeHead(response.status, headers);
  res.end(body, () => {
    if (close) res.socket?.destroy();
  });
}

export type DirectHandler = { maxBytes: number; handle: (req: GatewayHttpRequest) => Promise<Response> };

/** Answer a gateway request with `route`'s handler. Never throws. */
export async function serveDirect(req: http.IncomingMessage, res: http.ServerResponse, route: DirectHandler): Promise<void> {
  const state = { overflow: false };
  try {
    // The client going away ends a long-poll (the same as a web Request's signal under Next).
    const gone = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) gone.abort();
    });
    const request: GatewayHttpRequest = { headers: headersOf(req), text: () => readBody(req, route.maxBytes, state), url: req.url, signal: gone.signal };
    const response = await route.handle(request);
    // Answered before the body was read (unknown gateway, rate limit, declared size): not drained either.
    await send(res, response, state.overflow || !req.readableEnded);
  } catch (err) {
    if (!(err instanceof Error && err.message === "request aborted")) console.error(`warden: the direct gateway endpoint ${req.url} failed`, err);
    if (res.headersSent || req.destroyed) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code: "internal", message: "Internal error." } });
    res.writeHead(500, { ...API_SECURITY_HEADERS, "content-type": "application/json", "cache-control": "no-store", connection: "close", "content-length": String(Buffer.byteLength(body)) });
    res.end(body, () => res.socket?.destroy());
  }
}
