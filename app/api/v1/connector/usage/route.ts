import { NextResponse } from "next/server";
import { authenticateGateway, connectorHeaders } from "@/lib/connector/auth";
import { ingestUsage } from "@/lib/model-usage/ingest";

export const dynamic = "force-dynamic";

// 1,000 calls of a few hundred bytes each; the same limit as events keeps one rule for gateways.
const MAX_BYTES = 4 * 1024 * 1024;

/** POST /api/v1/connector/usage — a signed batch of model calls (tokens, cost) from a gateway. */
export async function POST(req: Request) {
  const auth = await authenticateGateway(req, { maxBytes: MAX_BYTES });
  if (!auth.ok) return auth.response;
  const res = await ingestUsage(auth.value.gateway, auth.value.body);
  if (!res.ok) return res.response;
  return NextResponse.json(res.value, { status: 202, headers: connectorHeaders() });
}
