import { readJson, runApiRead } from "@/lib/api";
import { verifyAuditTrail } from "@/lib/audit/checkpoint";
import { MAX_VERIFY_BODY_BYTES, ZAuditVerifyInput, parseGivenCheckpoints } from "@/lib/audit/schema";
import { AppError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/validation";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/audit/verify → { ok, checked, firstBrokenId, reason?, checkpoints }: the chain,
 * checked against the server's checkpoint file.
 */
export function GET() {
  return runApiRead("audit:read", "audit.verify", () => verifyAuditTrail(), { fleetWide: true });
}

/**
 * POST /api/v1/audit/verify with { checkpoints?: [checkpoint…] | "<checkpoint file text>",
 * serverFile?: boolean (default true) } → the same report, checked against the checkpoints given
 * (and the server's file unless serverFile is false). Malformed checkpoints are a 400.
 */
export function POST(req: Request) {
  return runApiRead(
    "audit:read",
    "audit.verify",
    async () => {
      const parsed = ZAuditVerifyInput.safeParse(await readJson(req, MAX_VERIFY_BODY_BYTES));
      if (!parsed.success) {
        throw new AppError("invalid", "Some fields are not valid.", fieldErrorsOf(parsed.error));
      }
      return verifyAuditTrail({ given: parseGivenCheckpoints(parsed.data), serverFile: parsed.data.serverFile });
    },
    { fleetWide: true },
  );
}
