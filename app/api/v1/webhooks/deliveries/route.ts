import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { listWebhookDeliveries, parseDeliveryQuery } from "@/lib/notify/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/webhooks/deliveries?endpointId=&state=&page=&pageSize= → {data, total, page, pageSize},
 * newest first. Scope notifications:manage.
 */
export async function GET(req: Request) {
  return runApiRead("notifications:manage", "webhook_deliveries", async () => {
    const params = queryParams(req);
    const { query, invalid } = parseDeliveryQuery(params);
    if (invalid.length) throw new AppError("invalid", "Invalid query.", Object.fromEntries(invalid.map((k) => [k, ["Invalid value."]])));
    const page = await listWebhookDeliveries(query);
    return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
  });
}
