import { runApiAction } from "@/lib/api";
import { testWebhookAction } from "@/lib/notify/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/webhooks/{id}/test → 202 {data: {deliveryId, state}}: a webhook.test to this endpoint only. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, testWebhookAction, { id: (await params).id }, 202);
}
