import { NextResponse } from "next/server";
import { can } from "@/lib/auth/roles";
import { getActor } from "@/lib/auth/session";
import { recordAuditStandalone } from "@/lib/audit/record";
import { exportAgentsMd } from "@/lib/agents-md/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

function error(code: string, message: string, status: number) {
  return NextResponse.json({ error: { code, message } }, { status, headers: { "cache-control": "no-store" } });
}

/** GET /api/v1/agents/{id}/agents-md — scope registry:read. The agent's AGENTS.md section as text/markdown. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const actor = await getActor();
  if (!actor) return error("unauthenticated", "Sign in or send a valid API token.", 401);
  if (!can(actor.role, "registry:read")) {
    await recordAuditStandalone(actor, { action: "read:agents_md", outcome: "denied", targetType: "scope", targetId: "registry:read" });
    return error("forbidden", `Your role (${actor.role}) is not allowed to read this.`, 403);
  }
  const { id } = await params;
  const out = await exportAgentsMd(id, teamScopeOf(actor));
  if (!out) return error("not_found", "No such agent.", 404);
  return new NextResponse(out.markdown, {
    status: 200,
    headers: {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `inline; filename="AGENTS.md"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
