import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { readJson, runApiAction, runApiRead } from "@/lib/api";
import { getPerson } from "@/lib/people/queries";
import { disablePersonAction, enablePersonAction, updatePersonAction } from "@/lib/people/actions";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/v1/people/{id}: the person with identities, groups and recent calls. */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead("registry:read", "person", async (actor) => {
    const p = await getPerson(actor, id);
    if (!p) throw new AppError("not_found", "No such person.");
    return { data: p };
  });
}

/** PATCH /api/v1/people/{id} with any of {displayName, email, teamId, userId}, or {disabled: boolean} alone. */
export async function PATCH(req: Request, { params }: Ctx) {
  const { id } = await params;
  let body: unknown;
  try {
    body = await readJson(req.clone());
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return NextResponse.json({ error: { code: err.code, message: err.message, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}) } }, { status: err.status });
  }
  const toggle = body && typeof body === "object" && !Array.isArray(body) && "disabled" in body;
  if (!toggle) return runApiAction(req, updatePersonAction, { id });
  const disabled = (body as { disabled: unknown }).disabled;
  if (typeof disabled !== "boolean" || Object.keys(body as object).length > 1)
    return NextResponse.json({ error: { code: "invalid", message: "Send {disabled: true|false} alone.", fieldErrors: { disabled: ["true or false, without other fields."] } } }, { status: 400 });
  if (disabled) return runApiAction(req, disablePersonAction, { id });
  return runApiAction(req, enablePersonAction, { id });
}

/** DELETE /api/v1/people/{id}: disable the person (kept for the record; their calls count as unmapped). */
export async function DELETE(req: Request, { params }: Ctx) {
  return runApiAction(req, disablePersonAction, { id: (await params).id });
}
