import { runApiAction, runApiRead } from "@/lib/api";
import { listOwnTokens } from "@/lib/tokens/queries";
import { createTokenAction } from "@/lib/tokens/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/tokens — the caller's own tokens (metadata only). */
export function GET() {
  return runApiRead("tokens:own", "tokens", async (actor) => ({ data: await listOwnTokens(actor.userId!) }));
}

/** POST /api/v1/tokens {name, expiresInDays} → 201 {data: {…, token}} (the token is shown once). */
export function POST(req: Request) {
  return runApiAction(req, createTokenAction, {}, 201);
}
