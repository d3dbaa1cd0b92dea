import { NextResponse } from "next/server";
import { authenticateGateway, connectorHeaders } from "@/lib/connector/auth";
import { storeInventory } from "@/lib/gateways/inventory";

export const dynamic = "force-dynamic";

const MAX_BYTES = 2 * 1024 * 1024;

/** POST /api/v1/connector/inventory — what a gateway runs, its posture and its security audit. */
export async function POST(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: MAX_BYTES });
  if (!auth.ok) return auth.response;
  const res = await storeInventory(auth.value.gateway, auth.value.actor, auth.value.body);
  if (!res.ok) return res.response;
  return NextResponse.json(res.value, { status: 202, headers: connectorHeaders() });
}
