import { NextResponse } from "next/server";
import { readJson, runApiAction } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { setUserDisabledAction, setUserRoleAction } from "@/lib/users/actions";

export const dynamic = "force-dynamic";

/** PATCH /api/v1/users/{id} with {role} or {disabled}. */
export async function PATCH(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  let body: Record<string, unknown> | null;
  try {
    body = (await readJson(req.clone())) as Record<string, unknown> | null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return NextResponse.json({ error: { code: err.code, message: err.message, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}) } }, { status: err.status });
  }
  if (body === null || typeof body !== "object") body = null;
  if (body && "role" in body) return runApiAction(req, setUserRoleAction, { id });
  if (body && "disabled" in body) return runApiAction(req, setUserDisabledAction, { id });
  return NextResponse.json({ error: { code: "invalid", message: "Send {role} or {disabled}.", fieldErrors: { _: ["Send role or disabled."] } } }, { status: 400 });
}
