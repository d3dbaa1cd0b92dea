import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { listWebhookDeliveries, listWebhookEndpoints, parseDeliveryQuery } from "@/lib/notify/queries";
import { DELIVERY_STATES } from "@/lib/notify/schema";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { Badge } from "@/components/ui/Badge";
import { ServerTable } from "@/components/ui/ServerTable";
import { fmtDate } from "@/components/ui/format";
import { EndpointsTable } from "@/components/notify/EndpointsTable";
import { WebhookForm } from "@/components/notify/WebhookForm";
import { RetryDeliveryButton } from "@/components/notify/RetryDeliveryButton";
import { DELIVERY_TONE } from "@/components/notify/tones";
import { createWebhook, deleteWebhook, retryWebhookDelivery, rotateWebhookSecret, testWebhook, updateWebhook } from "./actions";

export const metadata: Metadata = { title: "Admin · Webhooks" };

type SP = Record<string, string | string[] | undefined>;

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<SP> }) {
  await requireScope("notifications:manage");
  const { query, invalid } = parseDeliveryQuery(await searchParams);
  const [endpoints, log] = await Promise.all([listWebhookEndpoints(), listWebhookDeliveries(query)]);
  const filtered = Boolean(query.endpointId || query.state);

  return (
    <>
      <PageHeader
        title="Outbound webhooks"
        description="Warden notifies Slack, a SIEM or any HTTPS receiver when a kill switch is applied or fails, a budget threshold is crossed, an incident opens, a tool is requested or a review is overdue — a channel that does not depend on the agents. Each request is signed (Standard Webhooks) and retried with backoff."
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <EndpointsTable
          endpoints={endpoints.map((e) => ({
            id: e.id,
            name: e.name,
            urlHost: e.urlHost,
            urlDisplay: e.urlDisplay,
            format: e.format,
            events: e.events,
            enabled: e.enabled,
            lastDelivery: e.lastDelivery ? { state: e.lastDelivery.state, createdAt: e.lastDelivery.createdAt.toISOString(), lastStatus: e.lastDelivery.lastStatus } : null,
          }))}
          actions={{ updateWebhook, rotateWebhookSecret, deleteWebhook, testWebhook }}
        />
        <div className="space-y-6">
          <Card title="Add an endpoint">
            <WebhookForm action={createWebhook} />
          </Card>
          <Card title="Receiving">
            <div className="space-y-2 text-sm text-slate-600 dark:text-slate-400">
              <p>
                Requests are <code>POST</code>s with <code>webhook-id</code> (the delivery id, the same on every retry — use it to drop duplicates), <code>webhook-timestamp</code> and{" "}
                <code>webhook-signature</code> headers. Standard bodies are <code>{"{ type, timestamp, data }"}</code>; Slack bodies are <code>{"{ text, blocks }"}</code>.
              </p>
              <p>Any 2xx answer counts as delivered. Redirects are not followed. Failures are retried after 10 s, 30 s, 2 min, 10 min, 30 min, then hourly, and given up after 8 attempts.</p>
              <p>Only public https addresses are allowed; the address is checked again before every send.</p>
            </div>
          </Card>
        </div>
      </div>

      <section className="mt-8" aria-labelledby="delivery-log">
        <h2 id="delivery-log" className="mb-3 text-lg font-semibold">
          Delivery log
        </h2>
        {invalid.length > 0 && (
          <p role="alert" className="mb-3 text-sm text-red-600">
            Some filters were not valid and were ignored: {invalid.join(", ")}.
          </p>
        )}
        <ServerTable
          caption="Webhook deliveries, newest first"
          search={false}
          columns={[
            { id: "createdAt", header: "Queued" },
            { id: "endpoint", header: "Endpoint" },
            { id: "event", header: "Event" },
            { id: "state", header: "State" },
            { id: "attempts", header: "Attempts" },
            { id: "result", header: "Last result" },
            { id: "actions", header: "" },
          ]}
          filters={[
            { id: "endpointId", label: "Endpoint", options: endpoints.map((e) => ({ value: e.id, label: e.name })) },
            { id: "state", label: "State", options: DELIVERY_STATES.map((s) => ({ value: s, label: s })) },
          ]}
          total={log.total}
          page={log.page}
          pageSize={log.pageSize}
          rows={log.rows.map((d) => ({
            key: d.id,
            cells: {
              createdAt: <span className="whitespace-nowrap text-xs">{fmtDate(d.createdAt)}</span>,
              endpoint: d.endpointName,
              event: (
                <div className="max-w-md">
                  <code className="text-xs">{d.event}</code>
                  {d.summary && <p className="text-xs text-slate-600 dark:text-slate-400">{d.summary}</p>}
                </div>
              ),
              state: <Badge tone={DELIVERY_TONE[d.state] ?? "gray"}>{d.state}</Badge>,
              attempts: d.attempts,
              result: (
                <div className="max-w-sm text-xs">
                  {d.state === "delivered" && (
                    <p>
                      HTTP {d.lastStatus} · {fmtDate(d.deliveredAt)}
                    </p>
                  )}
                  {d.state !== "delivered" && d.lastError && <p className="text-red-700 dark:text-red-300">{d.lastError}</p>}
                  {(d.state === "pending" || d.state === "failed") && <p className="text-slate-500">next attempt {fmtDate(d.nextAttemptAt)}</p>}
                </div>
              ),
              actions: d.state === "failed" || d.state === "dead" ? <RetryDeliveryButton id={d.id} action={retryWebhookDelivery} /> : null,
            },
          }))}
          empty={
            filtered ? (
              <EmptyState title="No deliveries match">
                Change the filters, or{" "}
                <Link className="text-brand-600 hover:underline" href="/admin/webhooks">
                  show all deliveries
                </Link>
                .
              </EmptyState>
            ) : (
              <EmptyState title="No deliveries yet">Use “Send test” on an endpoint to check that it receives and verifies Warden&apos;s requests.</EmptyState>
            )
          }
        />
      </section>
    </>
  );
}
