import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getContainment, openEscalations } from "@/lib/containment/queries";
import { teamScopeOf } from "@/lib/teams/scope";

import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { Fact } from "@/components/ui/Fact";
import { ReasonAction } from "@/components/ui/ReasonAction";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { AutoRefresh } from "@/components/containment/AutoRefresh";
import { EscalationBanner } from "@/components/containment/EscalationBanner";
import { StateBadge } from "@/components/containment/StateBadge";
import { ACTION_LABELS, SCOPE_LABELS } from "@/components/containment/labels";
import { releaseContainmentNow } from "../actions";

export const metadata: Metadata = { title: "Containment action" };

export default async function ContainmentDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const c = await getContainment((await params).id, teamScopeOf(actor));
  if (!c) notFound();
  const open = c.status === "releasing" || c.deliveries.some((d) => d.state !== "applied" && d.state !== "failed");
  const escalations = await openEscalations({ containmentId: c.id });
  return (
    <>
      <PageHeader title={`${ACTION_LABELS[c.action] ?? c.action}: ${c.label}`} description={`${SCOPE_LABELS[c.scope] ?? c.scope} containment — ${c.status}`} actions={<AutoRefresh active={open} />} />
      <EscalationBanner {...escalations} canManageWebhooks={can(actor.role, "notifications:manage")} showContainment={false} />
      <div className="space-y-6">
        <Card
          title="Action"
          actions={
            c.status === "active" && can(actor.role, "containment:execute") ? (
              <ReasonAction
                label="Release"
                confirmLabel="Release on every gateway"
                action={releaseContainmentNow}
                payload={{ id: c.id }}
                variant="secondary"
                placeholder="e.g. vendor patched, verified hash of 1.4.2"
              />
            ) : undefined
          }
        >
          <dl className="grid gap-3 text-sm md:grid-cols-3">
            <Fact label="Status">
              {c.status === "active" ? (
                <Badge tone="red">active</Badge>
              ) : c.status === "releasing" ? (
                <span>
                  <Badge tone="amber">releasing</Badge> <span className="text-xs text-slate-500">access is not yet confirmed back on every path of every gateway</span>
                </span>
              ) : (
                <Badge tone="gray">released</Badge>
              )}
            </Fact>
            <Fact label="Requested">
              <RelativeTime at={c.createdAt} /> by {c.requestedBy ?? "—"} ({c.source})
            </Fact>
            <Fact label="Reason">{c.reason}</Fact>
            <Fact label="Blast radius">
              {c.affected.gateways.length} gateway(s), {c.affected.agents.length} agent(s){c.options.cronOff ? "; cron jobs off" : ""}
            </Fact>
            <Fact label="Incident">
              {c.incidentId ? (
                <Link className="underline" href={`/incidents/${c.incidentId}`}>
                  open the incident
                </Link>
              ) : (
                "—"
              )}
            </Fact>
            {c.status !== "active" && (
              <Fact label="Released">
                <RelativeTime at={c.releasedAt} /> by {c.releasedBy ?? "—"}: {c.releaseReason}
              </Fact>
            )}
          </dl>
        </Card>
        <Card title="Per gateway">
          <DataTable
            caption="Deliveries per gateway"
            columns={[
              { id: "gateway", header: "Gateway" },
              { id: "kind", header: "Command" },
              { id: "state", header: "Connector" },
              { id: "ws", header: "Admin WebSocket" },
              { id: "created", header: "Queued" },
              { id: "delivered", header: "Delivered" },
              { id: "acked", header: "Acknowledged" },
              { id: "detail", header: "Detail" },
            ]}
            empty={<p className="text-sm text-slate-500">No gateway was affected.</p>}
            rows={c.deliveries.map((d) => ({
              key: d.id,
              cells: {
                gateway: (
                  <Link className="underline" href={`/gateways/${d.gatewayId}`}>
                    {d.gatewayName}
                  </Link>
                ),
                kind: d.kind,
                state: (
                  <span data-testid={`state-${d.gatewayName}-${d.kind}`}>
                    <StateBadge state={d.state} />
                  </span>
                ),
                ws: <StateBadge state={d.wsState} />,
                created: <RelativeTime at={d.createdAt} />,
                delivered: d.deliveredAt ? (
                  <>
                    <RelativeTime at={d.deliveredAt} /> (try {d.attempts})
                  </>
                ) : (
                  "—"
                ),
                acked: d.ackedAt ? (
                  <RelativeTime at={d.ackedAt} />
                ) : d.escalatedAt ? (
                  <span className="text-red-700 dark:text-red-300">
                    escalated <RelativeTime at={d.escalatedAt} />
                  </span>
                ) : (
                  "—"
                ),
                detail: <span className="text-xs">{d.error ?? d.wsError ?? ""}</span>,
              },
              sort: {
                gateway: d.gatewayName,
                kind: d.kind,
                state: d.state,
                ws: d.wsState ?? "",
                created: d.createdAt.getTime(),
                delivered: d.deliveredAt?.getTime() ?? 0,
                acked: d.ackedAt?.getTime() ?? 0,
                detail: "",
              },
            }))}
          />
        </Card>
        <Card title="Affected agents">
          <p className="text-sm">{c.affected.agents.map((a) => a.name).join(", ") || "none"}</p>
        </Card>
      </div>
    </>
  );
}
