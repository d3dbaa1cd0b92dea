import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { ZAuditFilter, listAuditEvents } from "@/lib/audit/queries";
import { fieldErrorsOf } from "@/lib/validation";

export const dynamic = "force-dynamic";

/** GET /api/v1/audit/events?q=&action=&outcome=&actor=&from=&to=&page=&pageSize= */
export async function GET(req: Request) {
  return runApiRead(
    "audit:read",
    "audit.events",
    () => {
      const parsed = ZAuditFilter.safeParse(Object.fromEntries(queryParams(req)));
      if (!parsed.success) throw new AppError("invalid", "Invalid query.", fieldErrorsOf(parsed.error));
      return listAuditEvents(parsed.data);
    },
    { fleetWide: true },
  );
}
