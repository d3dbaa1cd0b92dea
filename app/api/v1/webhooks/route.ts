import { runApiAction, runApiRead } from "@/lib/api";
import { listWebhookEndpoints } from "@/lib/notify/queries";
import { createWebhookAction } from "@/lib/notify/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/webhooks → {data: endpoints} (no secrets, no URL paths). Scope notifications:manage. */
export function GET() {
  return runApiRead("notifications:manage", "webhooks", async () => ({ data: await listWebhookEndpoints() }));
}

/**
 * POST /api/v1/webhooks {name, url, format?, events?, enabled?} → 201 {data: {endpoint, secret}}.
 * The signing secret is in this response only.
 */
export function POST(req: Request) {
  return runApiAction(req, createWebhookAction, {}, 201);
}
