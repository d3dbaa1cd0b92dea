import { NextResponse } from "next/server";
import { wardenPublicKey } from "@/lib/signing/keys";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/evidence/public-key → { keyId, algorithm: "Ed25519", publicKeyPem, publicKey } (or the
 * bare PEM with ?format=pem). Public, no auth: auditors check evidence bundles' manifest.sig with it.
 * The same key signs gateway policies (/api/v1/connector/public-key).
 */
export async function GET(req: Request) {
  const key = await wardenPublicKey();
  // eslint-disable-next-line no-restricted-syntax -- only compared with fixed strings, never stored
  if (new URL(req.url).searchParams.get("format") === "pem") {
    return new Response(key.publicKeyPem, { headers: { "content-type": "application/x-pem-file", "cache-control": "public, max-age=300", "x-warden-key-id": key.keyId } });
  }
  return NextResponse.json(key, { headers: { "cache-control": "public, max-age=300" } });
}
