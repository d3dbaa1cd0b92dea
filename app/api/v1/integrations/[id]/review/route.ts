import { runApiAction } from "@/lib/api";
import { reviewIntegrationAction } from "@/lib/integrations/actions";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/integrations/{id}/review {auditResult, auditDate?, dependencyStatus?, nextReviewAt?, clearAdvisory?}
 * → {data}. The next review defaults to the audit date + 90 days. Scope registry:write.
 */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, reviewIntegrationAction, { id: (await params).id });
}
