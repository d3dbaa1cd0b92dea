import { runApiAction } from "@/lib/api";
import { computeFindingsAction } from "@/lib/findings/actions";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/findings/compute {sinceHours?: 1..168 (default 24)} → {data: {counts, window}}:
 * findings created and updated per kind. Scope gateways:manage; audited as "findings.compute".
 */
export function POST(req: Request) {
  return runApiAction(req, computeFindingsAction);
}
