import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { can, type Scope } from "@/lib/auth/roles";
import { getActor } from "@/lib/auth/session";
import { recordAuditStandalone } from "@/lib/audit/record";
import { execute, type ActionDef } from "@/lib/action";
import { carriesSessionCookie, mediaTypeOf, usesBearer } from "@/lib/http/same-origin";

const MAX_JSON_BYTES = 256 * 1024;

function json(body: unknown, status = 200) {
  return NextResponse.json(body, { status, headers: { "cache-control": "no-store" } });
}

function errorBody(code: string, message: string, fieldErrors?: Record<string, string[]>) {
  return { error: { code, message, ...(fieldErrors ? { fieldErrors } : {}) } };
}

/**
 * Read a JSON body with a size limit; a bad body is a 400 with a clear message. A browser (session
 * cookie) request must label its body `application/json` (415 otherwise): a cross-origin page can
 * send text/plain and form bodies without a CORS preflight, never JSON. (proxy.ts refuses these
 * first; this keeps every JSON route strict on its own.) Bearer-token clients are not held to it.
 */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw new AppError("invalid", `Body larger than ${MAX_JSON_BYTES} bytes.`);
  const type = mediaTypeOf(req.headers);
  if (!usesBearer(req.headers) && carriesSessionCookie(req.headers) && (text || type) && type !== "application/json") throw new AppError("unsupported_media_type", "Send the body as application/json.");
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid", "Body is not valid JSON.");
  }
}

/** A mutation over HTTP: the same definition (scope, schema, service) as the server action. */
export async function runApiAction<S extends z.ZodType, R>(req: Request, def: ActionDef<S, R>, extra: Record<string, unknown> = {}, status = 200) {
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError("invalid", "Body is not valid JSON.");
    return json(errorBody(e.code, e.message), e.status);
  }
  const input = body && typeof body === "object" && !Array.isArray(body) ? { ...body, ...extra } : body;
  const res = await execute(await getActor(), def, input);
  if (res.ok) return json({ data: res.data }, status);
  return json(errorBody(res.code, res.error, res.fieldErrors), res.status);
}

/** A read over HTTP: authenticate, check the scope (auditing a denial), then run the query. */
export async function runApiRead<T>(scope: Scope, what: string, read: (actor: Actor) => Promise<T | Response>) {
  const actor = await getActor();
  if (!actor) return json(errorBody("unauthenticated", "Sign in or send a valid API token."), 401);
  if (!can(actor.role, scope)) {
    await recordAuditStandalone(actor, { action: `read:${what}`, outcome: "denied", targetType: "scope", targetId: scope });
    return json(errorBody("forbidden", `Your role (${actor.role}) is not allowed to read this.`), 403);
  }
  try {
    const out = await read(actor);
    // A read may answer with its own Response (CSV downloads, Markdown exports).
    return out instanceof Response ? out : json(out);
  } catch (err) {
    if (err instanceof AppError) return json(errorBody(err.code, err.message, err.fieldErrors), err.status);
    throw err;
  }
}
