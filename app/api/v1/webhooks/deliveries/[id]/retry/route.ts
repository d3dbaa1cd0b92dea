import { runApiAction } from "@/lib/api";
import { retryWebhookDeliveryAction } from "@/lib/notify/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/webhooks/deliveries/{id}/retry — send a failed or dead delivery once more, now. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, retryWebhookDeliveryAction, { id: (await params).id }, 202);
}
