import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { can, type Scope } from "@/lib/auth/roles";
import { getActor } from "@/lib/auth/session";
import { recordAuditStandalone } from "@/lib/audit/record";
import type { ApiReadTarget } from "@/lib/audit/actions";
import { execute, type ActionDef } from "@/lib/action";
import { findTextProblems, urlTextProblems } from "@/lib/validation";
import { carriesSessionCookie, mediaTypeOf, usesBearer } from "@/lib/http/same-origin";
import { teamScopeOf } from "@/lib/teams/scope";

const MAX_JSON_BYTES = 256 * 1024;

function json(body: unknown, status = 200) {
  return NextResponse.json(body, { status, headers: { "cache-control": "no-store" } });
}

function errorBody(code: string, message: string, fieldErrors?: Record<string, string[]>) {
  return { error: { code, message, ...(fieldErrors ? { fieldErrors } : {}) } };
}

/**
 * Read a JSON body of up to `limit` bytes (256 KiB unless a route says otherwise), stopping as soon
 * as it is larger (never buffering more); an empty body is {}. A bad body is a 400 with a clear
 * message. Every string and key is checked for text Postgres cannot store (NUL, lone surrogates:
 * JSON.parse accepts "\u0000" and "\ud800"), answered with field errors naming the path. The one
 * JSON reader of the API: a route with a larger limit passes it here rather than reading on its own.
 * A browser (session cookie) request must label its body `application/json` (415 otherwise): a
 * cross-origin page can send text/plain and form bodies without a CORS preflight, never JSON. The
 * server hook (lib/http/server-hook.ts) refuses these first; this keeps every JSON route strict on
 * its own. Bearer-token clients are not held to it.
 */
export async function readJson(req: Request, limit = MAX_JSON_BYTES): Promise<unknown> {
  const type = mediaTypeOf(req.headers);
  const browser = !usesBearer(req.headers) && carriesSessionCookie(req.headers);
  if (Number(req.headers.get("content-length") ?? 0) > limit) throw new AppError("invalid", `Body larger than ${limit} bytes.`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new AppError("invalid", `Body larger than ${limit} bytes.`);
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (browser && (text || type) && type !== "application/json") throw new AppError("unsupported_media_type", "Send the body as application/json.");
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("invalid", "Body is not valid JSON.");
  }
  const problems = findTextProblems(body);
  if (problems) throw new AppError("invalid", "Some fields hold text that cannot be stored (a NUL byte or a lone surrogate).", problems);
  return body;
}

/**
 * The query parameters of a request, refused (AppError invalid, with field errors) when a name or a
 * value holds a NUL or is not valid UTF-8 once decoded. Route handlers read `searchParams` only
 * through this (eslint enforces it under app/api), inside runApiRead so the error is a 400.
 */
export function queryParams(req: Request): URLSearchParams {
  const url = new URL(req.url);
  const problems = urlTextProblems(url);
  if (problems) throw new AppError("invalid", "Invalid query: a parameter holds a NUL byte or text that is not valid UTF-8.", problems);
  return url.searchParams;
}

/** A mutation over HTTP: the same definition (scope, schema, service) as the server action. */
export async function runApiAction<S extends z.ZodType, R>(req: Request, def: ActionDef<S, R>, extra: Record<string, unknown> = {}, status = 200) {
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (err) {
    if (err instanceof AppError) return json(errorBody(err.code, err.message, err.fieldErrors), err.status);
    throw err;
  }
  const input = body && typeof body === "object" && !Array.isArray(body) ? { ...body, ...extra } : body;
  const res = await execute(await getActor(), def, input);
  if (res.ok) return json({ data: res.data }, status);
  return json(errorBody(res.code, res.error, res.fieldErrors), res.status);
}

/**
 * A read over HTTP: authenticate, check the scope (auditing a denial), then run the query.
 * `fleetWide`: a fleet-wide read (posture, spend, the audit log) refused to team-scoped users.
 */
export async function runApiRead<T>(scope: Scope, what: ApiReadTarget, read: (actor: Actor) => Promise<T | Response>, opts: { fleetWide?: boolean } = {}) {
  const actor = await getActor();
  if (!actor) return json(errorBody("unauthenticated", "Sign in or send a valid API token."), 401);
  if (!can(actor.role, scope)) {
    await recordAuditStandalone(actor, { action: `read:${what}`, outcome: "denied", targetType: "scope", targetId: scope });
    return json(errorBody("forbidden", `Your role (${actor.role}) is not allowed to read this.`), 403);
  }
  if (opts.fleetWide && teamScopeOf(actor)) {
    await recordAuditStandalone(actor, { action: `read:${what}`, outcome: "denied", targetType: "team", targetId: actor.teamId ?? null });
    return json(errorBody("forbidden", "This covers the whole fleet; your account is limited to your team."), 403);
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
