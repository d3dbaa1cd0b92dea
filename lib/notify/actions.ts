import "server-only";
import { action } from "@/lib/action";
import { ZDeliveryRef, ZWebhookCreate, ZWebhookRef, ZWebhookUpdate } from "./schema";
import { createWebhookEndpoint, deleteWebhookEndpoint, retryWebhookDelivery, rotateWebhookSecret, sendTestWebhook, updateWebhookEndpoint } from "./service";

// Each mutation defined once; used by app/(console)/admin/webhooks/actions.ts and /api/v1/webhooks.
const scope = "notifications:manage" as const;
export const createWebhookAction = action({ name: "webhook.create", scope, schema: ZWebhookCreate, run: createWebhookEndpoint });
export const updateWebhookAction = action({ name: "webhook.update", scope, schema: ZWebhookUpdate, run: updateWebhookEndpoint });
export const rotateWebhookSecretAction = action({ name: "webhook.rotate_secret", scope, schema: ZWebhookRef, run: rotateWebhookSecret });
export const deleteWebhookAction = action({ name: "webhook.delete", scope, schema: ZWebhookRef, run: deleteWebhookEndpoint });
export const testWebhookAction = action({ name: "webhook.test", scope, schema: ZWebhookRef, run: sendTestWebhook });
export const retryWebhookDeliveryAction = action({ name: "webhook.retry", scope, schema: ZDeliveryRef, run: retryWebhookDelivery });
