import { NextResponse } from "next/server";
import { execute } from "@/lib/action";
import { getActor } from "@/lib/auth/session";
import { queryParams } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { blastRadiusAction } from "@/lib/containment/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/containment/blast-radius?scope=&target= → {data: {label, gateways, agents}}. Scope containment:execute. */
export async function GET(req: Request) {
  let p: URLSearchParams;
  try {
    p = queryParams(req);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return NextResponse.json({ error: { code: err.code, message: err.message, fieldErrors: err.fieldErrors } }, { status: err.status });
  }
  // execute() checks the values' text again (they are its input) and answers 401/403 first.
  const res = await execute(await getActor(), blastRadiusAction, { scope: p.get("scope") ?? undefined, target: p.get("target") ?? undefined });
  if (res.ok) return NextResponse.json({ data: res.data }, { headers: { "cache-control": "no-store" } });
  return NextResponse.json({ error: { code: res.code, message: res.error, ...(res.fieldErrors ? { fieldErrors: res.fieldErrors } : {}) } }, { status: res.status });
}
