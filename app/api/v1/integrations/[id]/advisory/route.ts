import { runApiAction } from "@/lib/api";
import { clearIntegrationAdvisoryAction, setIntegrationAdvisoryAction } from "@/lib/integrations/actions";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/integrations/{id}/advisory
 *   {flagged: true, note}   flag a vendor advisory or breach (re-review due now)
 *   {flagged: false, note?} clear it
 * → {data}. Scope registry:write.
 */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const body = (await req
    .clone()
    .json()
    .catch(() => null)) as Record<string, unknown> | null;
  // Anything but an explicit `flagged: false` goes to "set", whose schema answers 400 (after the scope check) when it is not `true`.
  if (body?.flagged === false) return runApiAction(req, clearIntegrationAdvisoryAction, { id });
  return runApiAction(req, setIntegrationAdvisoryAction, { id });
}
