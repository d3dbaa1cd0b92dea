import { NextResponse } from "next/server";
import { runApiRead } from "@/lib/api";
import { acceptedBodyTypes, carriesSessionCookie, mediaTypeOf, usesBearer } from "@/lib/http/same-origin";
import { verifyUploadedBundle } from "@/lib/evidence/upload";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/evidence/verify with the bundle (.tar.gz) as the raw body (up to 2 GB, streamed)
 * → { data: VerifyReport }: signature checked with this server's key, then every file.
 * Scope audit:read; audited as "evidence.verify". From a browser (session cookie) the body must be
 * labelled application/gzip (or x-gzip, octet-stream): 415 otherwise.
 */
export function POST(req: Request) {
  const accepted = acceptedBodyTypes("/api/v1/evidence/verify");
  if (carriesSessionCookie(req.headers) && !usesBearer(req.headers) && !accepted.includes(mediaTypeOf(req.headers))) {
    return NextResponse.json({ error: { code: "unsupported_media_type", message: `Send the bundle as ${accepted.join(" or ")}.` } }, { status: 415 });
  }
  return runApiRead("audit:read", "evidence.verify", async (actor) => ({ data: await verifyUploadedBundle(actor, req.body, req.headers.get("content-length")) }));
}
