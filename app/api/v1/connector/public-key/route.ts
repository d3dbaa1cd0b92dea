import { NextResponse } from "next/server";
import { wardenPublicKey } from "@/lib/signing/keys";

export const dynamic = "force-dynamic";

/** GET /api/v1/connector/public-key — Warden's Ed25519 public key (no auth: it is public). */
export async function GET() {
  return NextResponse.json(await wardenPublicKey(), { headers: { "cache-control": "public, max-age=300" } });
}
