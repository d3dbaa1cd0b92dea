import { NextResponse } from "next/server";
import { runApiAction, runApiRead } from "@/lib/api";
import { deleteRateLimitAction, updateRateLimitAction } from "@/lib/identity-policy/actions";
import { getRateLimit } from "@/lib/identity-policy/queries";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = () => NextResponse.json({ error: { code: "not_found", message: "No such rate limit." } }, { status: 404, headers: { "cache-control": "no-store" } });

/** GET /api/v1/rate-limits/{id} → {data}. Scope registry:read. */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead("registry:read", "rate_limits", async (actor) => {
    const rule = UUID.test(id) ? await getRateLimit(actor, id) : null;
    return rule ? { data: rule } : notFound();
  });
}

/** PATCH /api/v1/rate-limits/{id} {perMinute?, shared?, reason?} → {data}. Scope identity_policy:manage. */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updateRateLimitAction, { id: (await params).id });
}

/** DELETE /api/v1/rate-limits/{id} → {data: {id, deleted: true}}. Scope identity_policy:manage. */
export async function DELETE(req: Request, { params }: Ctx) {
  return runApiAction(req, deleteRateLimitAction, { id: (await params).id });
}
