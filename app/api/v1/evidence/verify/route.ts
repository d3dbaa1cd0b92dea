import { runApiRead } from "@/lib/api";
import { verifyUploadedBundle } from "@/lib/evidence/upload";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/evidence/verify with the bundle (.tar.gz) as the raw body (up to 2 GB, streamed)
 * → { data: VerifyReport }: signature checked with this server's key, then every file.
 * Scope audit:read; audited as "evidence.verify".
 */
export function POST(req: Request) {
  return runApiRead("audit:read", "evidence.verify", async (actor) => ({ data: await verifyUploadedBundle(actor, req.body, req.headers.get("content-length")) }));
}
