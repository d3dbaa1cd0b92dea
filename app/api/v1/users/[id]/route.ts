import { NextResponse } from "next/server";
import { readJson, runApiAction } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { setUserDisabledAction, setUserRoleAction } from "@/lib/users/actions";
import { assignTeamAction } from "@/lib/teams/actions";

export const dynamic = "force-dynamic";

/** PATCH /api/v1/users/{id} with {role}, {disabled} or {teamId} (a team id, or null for none). */
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
  if (body && "teamId" in body) return runApiAction(req, assignTeamAction, { id, kind: "user" });
  return NextResponse.json({ error: { code: "invalid", message: "Send {role}, {disabled} or {teamId}.", fieldErrors: { _: ["Send role, disabled or teamId."] } } }, { status: 400 });
}
