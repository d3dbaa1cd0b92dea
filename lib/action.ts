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

export type ActionResult<T> = { ok: true; data: T } | { ok: false; status: number; code: ErrorCode; error: string; fieldErrors?: Record<string, string[]> };

/** One mutation, described once and run from a server action or an API route alike. */
export type ActionDef<S extends z.ZodType, R> = {
  /** Audit action name, e.g. "user.create" (lib/audit/actions.ts). */
  name: AuditAction;
  /** The audit target type of the record the input names (denials); default: the name's first part. */
  targetType?: string;
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
    // The missing scope is the row's target; the record the caller aimed at is kept beside it.
    const aimed = targetOf(def, raw);
    await recordAuditStandalone(actor, { action: def.name, outcome: "denied", targetType: "scope", targetId: def.scope, ...(aimed ? { after: { targetType: aimed.type, targetId: aimed.id } } : {}) });
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
      if (err.code === "forbidden") {
        // A refusal after the scope check (deciding one's own request, …) names the record it refused.
        const target = err.target ?? targetOf(def, parsed.data);
        await recordAuditStandalone(actor, { action: def.name, outcome: "denied", targetType: target?.type ?? null, targetId: target?.id ?? null, after: { reason: err.message } });
      }
      return fail(err.code, err.message, err.fieldErrors);
    }
    throw err;
  }
}

const TARGET_KEYS: [string, string | null][] = [
  ["id", null],
  ["requestId", null],
  ["agentId", "agent"],
  ["toolId", "tool"],
  ["gatewayId", "gateway"],
  ["incidentId", "incident"],
  ["playbookId", "playbook"],
  ["userId", "user"],
  ["groupId", "person_group"],
  ["personId", "person"],
];

/** The record an input is about, for denial audit rows: its id (of the action's own type) or a named reference. */
function targetOf(def: { name: string; targetType?: string }, input: unknown): { type: string; id: string } | null {
  if (!input || typeof input !== "object") return null;
  const o = input as Record<string, unknown>;
  for (const [key, type] of TARGET_KEYS) {
    const v = o[key];
    if (typeof v === "string" && v) return { type: type ?? def.targetType ?? def.name.split(".")[0], id: v.slice(0, 200) };
  }
  return null;
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
