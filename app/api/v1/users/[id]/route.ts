import { NextResponse } from "next/server";
import { runApiAction } from "@/lib/api";
import { setUserDisabledAction, setUserRoleAction } from "@/lib/users/actions";

export const dynamic = "force-dynamic";

/** PATCH /api/v1/users/{id} with {role} or {disabled}. */
export async function PATCH(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const body = (await req.clone().json().catch(() => null)) as Record<string, unknown> | null;
  if (body && "role" in body) return runApiAction(req, setUserRoleAction, { id });
  if (body && "disabled" in body) return runApiAction(req, setUserDisabledAction, { id });
  return NextResponse.json({ error: { code: "invalid", message: "Send {role} or {disabled}.", fieldErrors: { _: ["Send role or disabled."] } } }, { status: 400 });
}
