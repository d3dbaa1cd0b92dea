import { runApiAction } from "@/lib/api";
import { deleteWebhookAction, updateWebhookAction } from "@/lib/notify/actions";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH /api/v1/webhooks/{id} with any of {name, url, format, events, enabled}. */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updateWebhookAction, { id: (await params).id });
}

/** DELETE /api/v1/webhooks/{id} — the endpoint and its delivery log. */
export async function DELETE(req: Request, { params }: Ctx) {
  return runApiAction(req, deleteWebhookAction, { id: (await params).id });
}
