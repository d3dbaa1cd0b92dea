import { runApiRead } from "@/lib/api";
import { verifyAuditChain } from "@/lib/audit/verify";

export const dynamic = "force-dynamic";

/** GET /api/v1/audit/verify → { ok, checked, firstBrokenId } */
export function GET() {
  return runApiRead("audit:read", "audit.verify", () => verifyAuditChain());
}
