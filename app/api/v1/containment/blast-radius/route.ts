import { NextResponse } from "next/server";
import { execute } from "@/lib/action";
import { getActor } from "@/lib/auth/session";
import { blastRadiusAction } from "@/lib/containment/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/containment/blast-radius?scope=&target= → {data: {label, gateways, agents}}. Scope containment:execute. */
export async function GET(req: Request) {
  const p = new URL(req.url).searchParams;
  const res = await execute(await getActor(), blastRadiusAction, { scope: p.get("scope") ?? undefined, target: p.get("target") ?? undefined });
  if (res.ok) return NextResponse.json({ data: res.data }, { headers: { "cache-control": "no-store" } });
  return NextResponse.json({ error: { code: res.code, message: res.error, ...(res.fieldErrors ? { fieldErrors: res.fieldErrors } : {}) } }, { status: res.status });
}
