import { NextResponse } from "next/server";
import { execute } from "@/lib/action";
import { readJson } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { getActor } from "@/lib/auth/session";
import { importAgentsMdAction } from "@/lib/agents-md/actions";

export const dynamic = "force-dynamic";

function json(body: unknown, status: number) {
  return NextResponse.json(body, { status, headers: { "cache-control": "no-store" } });
}

/**
 * POST /api/v1/agents-md/import {content, agentId?, dryRun} — scope registry:write.
 * 200 {ok: true, data: {dryRun, applied, preview}}; errors in the file: 422 {ok: false, errors: [{line, column?, path, message}]};
 * a bad request body: 400; 401/403/404/409 as everywhere else.
 */
export async function POST(req: Request) {
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError("invalid", "Body is not valid JSON.");
    return json({ error: { code: e.code, message: e.message } }, e.status);
  }
  const res = await execute(await getActor(), importAgentsMdAction, body);
  if (!res.ok) return json({ error: { code: res.code, message: res.error, ...(res.fieldErrors ? { fieldErrors: res.fieldErrors } : {}) } }, res.status);
  if (!res.data.ok) {
    const n = res.data.errors.length;
    return json({ ok: false, errors: res.data.errors, error: { code: "invalid", message: `AGENTS.md has ${n} ${n === 1 ? "error" : "errors"}; nothing was changed.` } }, 422);
  }
  return json({ ok: true, data: res.data }, 200);
}
