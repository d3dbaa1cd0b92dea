import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseListQuery, skipTake, type ListResult } from "@/lib/list";
import { DELIVERY_STATES } from "./schema";
import { endpointView } from "./service";

/** Endpoints for the admin page and the API: never the secret, never the URL's path. */
export async function listWebhookEndpoints() {
  const rows = await db.webhookEndpoint.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      url: true,
      format: true,
      events: true,
      enabled: true,
      createdAt: true,
      updatedAt: true,
      deliveries: { orderBy: { createdAt: "desc" }, take: 1, select: { state: true, createdAt: true, lastStatus: true } },
    },
  });
  return rows.map(({ deliveries, ...e }) => ({ ...endpointView(e), lastDelivery: deliveries[0] ?? null }));
}
export type WebhookEndpointListRow = Awaited<ReturnType<typeof listWebhookEndpoints>>[number];

/** URL filters of the delivery log (beside page, pageSize). */
export const DELIVERY_FILTERS = {
  endpointId: z.uuid().optional(),
  state: z.enum(DELIVERY_STATES).optional(),
};

/** Parse the delivery-log URL (page or API): invalid values are dropped and reported in `invalid`. */
export function parseDeliveryQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, DELIVERY_FILTERS);
}
export type TDeliveryListQuery = ReturnType<typeof parseDeliveryQuery>["query"];

const DELIVERY_SELECT = {
  id: true,
  endpointId: true,
  event: true,
  payload: true,
  state: true,
  attempts: true,
  nextAttemptAt: true,
  lastStatus: true,
  lastError: true,
  deliveredAt: true,
  createdAt: true,
  endpoint: { select: { name: true } },
} as const satisfies Prisma.WebhookDeliverySelect;

/** One page of the delivery log, newest first. */
export async function listWebhookDeliveries(q: TDeliveryListQuery): Promise<ListResult<ReturnType<typeof deliveryView>>> {
  const where: Prisma.WebhookDeliveryWhereInput = { ...(q.endpointId ? { endpointId: q.endpointId } : {}), ...(q.state ? { state: q.state } : {}) };
  const [rows, total] = await Promise.all([
    db.webhookDelivery.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], ...skipTake(q), select: DELIVERY_SELECT }),
    db.webhookDelivery.count({ where }),
  ]);
  return { rows: rows.map(deliveryView), total, page: q.page, pageSize: q.pageSize };
}

function deliveryView(d: Prisma.WebhookDeliveryGetPayload<{ select: typeof DELIVERY_SELECT }>) {
  const data = d.payload && typeof d.payload === "object" && !Array.isArray(d.payload) ? (d.payload as Record<string, unknown>) : {};
  return {
    id: d.id,
    endpointId: d.endpointId,
    endpointName: d.endpoint.name,
    event: d.event,
    summary: typeof data.summary === "string" ? data.summary : null,
    payload: d.payload,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
  };
}
export type WebhookDeliveryRow = ReturnType<typeof deliveryView>;
