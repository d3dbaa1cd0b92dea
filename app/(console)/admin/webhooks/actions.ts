"use server";
import { serverAction } from "@/lib/action";
import { createWebhookAction, deleteWebhookAction, retryWebhookDeliveryAction, rotateWebhookSecretAction, testWebhookAction, updateWebhookAction } from "@/lib/notify/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like the /api/v1/webhooks routes.
const revalidate = "/admin/webhooks";
export const createWebhook = serverAction(createWebhookAction, { revalidate });
export const updateWebhook = serverAction(updateWebhookAction, { revalidate });
export const rotateWebhookSecret = serverAction(rotateWebhookSecretAction, { revalidate });
export const deleteWebhook = serverAction(deleteWebhookAction, { revalidate });
export const testWebhook = serverAction(testWebhookAction, { revalidate });
export const retryWebhookDelivery = serverAction(retryWebhookDeliveryAction, { revalidate });
