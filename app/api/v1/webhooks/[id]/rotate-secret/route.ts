import { runApiAction } from "@/lib/api";
import { rotateWebhookSecretAction } from "@/lib/notify/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/webhooks/{id}/rotate-secret → {data: {endpoint, secret}}; the new secret is in this response only. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, rotateWebhookSecretAction, { id: (await params).id });
}
