import { runApiRead } from "@/lib/api";
import { listReviewQueue } from "@/lib/integrations/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/integrations/reviews → {overdue, dueSoon} (due within 30 days). Scope registry:read. */
export function GET() {
  return runApiRead("registry:read", "integrations.reviews", () => listReviewQueue());
}
