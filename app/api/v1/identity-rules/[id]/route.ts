import { NextResponse } from "next/server";
import { runApiAction, runApiRead } from "@/lib/api";
import { deleteIdentityRuleAction, updateIdentityRuleAction } from "@/lib/identity-policy/actions";
import { getIdentityRule } from "@/lib/identity-policy/queries";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = () => NextResponse.json({ error: { code: "not_found", message: "No such rule." } }, { status: 404, headers: { "cache-control": "no-store" } });

/** GET /api/v1/identity-rules/{id} → {data}. Scope registry:read. */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead("registry:read", "identity_rules", async (actor) => {
    const rule = UUID.test(id) ? await getIdentityRule(actor, id) : null;
    return rule ? { data: rule } : notFound();
  });
}

/** PATCH /api/v1/identity-rules/{id} {effect?, timeoutSeconds?, reason?} → {data}. Scope identity_policy:manage. */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updateIdentityRuleAction, { id: (await params).id });
}

/** DELETE /api/v1/identity-rules/{id} → {data: {id, deleted: true}}. Scope identity_policy:manage. */
export async function DELETE(req: Request, { params }: Ctx) {
  return runApiAction(req, deleteIdentityRuleAction, { id: (await params).id });
}
