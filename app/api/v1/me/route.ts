import { NextResponse } from "next/server";
import { getActor } from "@/lib/auth/session";
import { ROLE_SCOPES } from "@/lib/auth/roles";

export const dynamic = "force-dynamic";

/** GET /api/v1/me — who the session or token acts as, and its scopes. */
export async function GET() {
  const actor = await getActor();
  if (!actor) return NextResponse.json({ error: { code: "unauthenticated", message: "Sign in or send a valid API token." } }, { status: 401 });
  return NextResponse.json({ kind: actor.kind, label: actor.label, role: actor.role, scopes: actor.role ? ROLE_SCOPES[actor.role] : [] });
}
