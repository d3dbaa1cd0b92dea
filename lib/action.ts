import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { AppError, statusOf, type ErrorCode } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { can, type Scope } from "@/lib/auth/roles";
import { getActor } from "@/lib/auth/session";
import { recordAuditStandalone } from "@/lib/audit/record";
import type { AuditAction } from "@/lib/audit/actions";
import { fieldErrorsOf, findTextProblems } from "@/lib/validation";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; code: ErrorCode; error: string; fieldErrors?: Record<string, string[]> };

/** One mutation, described once and run from a server action or an API route alike. */
export type ActionDef<S extends z.ZodType, R> = {
  /** Audit action name, e.g. "user.create" (lib/audit/actions.ts). */
  name: AuditAction;
  scope: Scope;
  schema: S;
  run: (actor: Actor, input: z.infer<S>) => Promise<R>;
};

export function action<S extends z.ZodType, R>(def: ActionDef<S, R>): ActionDef<S, R> {
  return def;
}



/**
 * The single path of every mutation: authenticate → authorize (scope) → validate (zod) → service
 * (which owns the transaction and the audit row). Denials are audited here, outside any transaction.
 */
export async function execute<S extends z.ZodType, R>(actor: Actor | null, def: ActionDef<S, R>, raw: unknown): Promise<ActionResult<R>> {
  if (!actor) return fail("unauthenticated", "Sign in first.");
  if (!can(actor.role, def.scope)) {
    await recordAuditStandalone(actor, { action: def.name, outcome: "denied", targetType: "scope", targetId: def.scope });
    return fail("forbidden", `Your role (${actor.role ?? "none"}) is not allowed to do this.`);
  }
  // Server actions take their input straight from the client: the same text check as readJson.
  const textProblems = findTextProblems(raw);
  if (textProblems) return fail("invalid", "Some fields hold text that cannot be stored (a NUL byte or a lone surrogate).", textProblems);
  const parsed = def.schema.safeParse(raw);
  if (!parsed.success) return fail("invalid", "Some fields are not valid.", fieldErrorsOf(parsed.error));
  try {
    return { ok: true, data: await def.run(actor, parsed.data) };
  } catch (err) {
    if (err instanceof AppError) {
      if (err.code === "forbidden") await recordAuditStandalone(actor, { action: def.name, outcome: "denied", targetId: targetOf(parsed.data), after: { reason: err.message } });
      return fail(err.code, err.message, err.fieldErrors);
    }
    throw err;
  }
}

/** The record an input is about, for denial audit rows: its id, requestId or agentId. */
function targetOf(input: unknown): string | null {
  if (!input || typeof input !== "object") return null;
  const o = input as Record<string, unknown>;
  const v = o.id ?? o.requestId ?? o.agentId;
  return typeof v === "string" ? v : null;
}

function fail(code: ErrorCode, error: string, fieldErrors?: Record<string, string[]>): ActionResult<never> {
  return { ok: false, status: statusOf(code), code, error, ...(fieldErrors ? { fieldErrors } : {}) };
}

/**
 * Wrap a definition as a server action (export it from a 'use server' file): the session is
 * resolved on the server for every call, and `revalidate` is refreshed after a success.
 */
export function serverAction<S extends z.ZodType, R>(def: ActionDef<S, R>, opts: { revalidate?: string } = {}) {
  return async (raw: unknown): Promise<ActionResult<R>> => {
    const res = await execute(await getActor(), def, raw);
    if (res.ok && opts.revalidate) revalidatePath(opts.revalidate);
    return res;
  };
}
